package io.hybridlakehouse.plugin.metadata;

import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.predicate.TupleDomain;

import java.util.Map;
import java.util.Optional;

/**
 * Copies of Iceberg's table handle with one part changed (it has no withers for these).
 */
public final class IcebergHandles
{
    private IcebergHandles() {}

    public static IcebergTableHandle withStorageProperties(IcebergTableHandle handle, Map<String, String> storageProperties)
    {
        return copy(handle, handle.getTableSchemaJson(), handle.getUnenforcedPredicate(), handle.getEnforcedPredicate(), storageProperties);
    }

    public static IcebergTableHandle withTableSchemaJson(IcebergTableHandle handle, String tableSchemaJson)
    {
        return copy(handle, tableSchemaJson, handle.getUnenforcedPredicate(), handle.getEnforcedPredicate(), handle.getStorageProperties());
    }

    public static IcebergTableHandle withUnenforcedPredicate(IcebergTableHandle handle, TupleDomain<IcebergColumnHandle> unenforcedPredicate)
    {
        return copy(handle, handle.getTableSchemaJson(), unenforcedPredicate, handle.getEnforcedPredicate(), handle.getStorageProperties());
    }

    public static IcebergTableHandle withPredicates(IcebergTableHandle handle, TupleDomain<IcebergColumnHandle> unenforcedPredicate, TupleDomain<IcebergColumnHandle> enforcedPredicate)
    {
        return copy(handle, handle.getTableSchemaJson(), unenforcedPredicate, enforcedPredicate, handle.getStorageProperties());
    }

    public static IcebergTableHandle withSnapshotId(IcebergTableHandle handle, long snapshotId)
    {
        return copy(handle, Optional.of(snapshotId), handle.getTableSchemaJson(), handle.getUnenforcedPredicate(), handle.getEnforcedPredicate(), handle.getStorageProperties());
    }

    private static IcebergTableHandle copy(IcebergTableHandle handle, String tableSchemaJson, TupleDomain<IcebergColumnHandle> unenforcedPredicate, TupleDomain<IcebergColumnHandle> enforcedPredicate, Map<String, String> storageProperties)
    {
        return copy(handle, handle.getSnapshotId(), tableSchemaJson, unenforcedPredicate, enforcedPredicate, storageProperties);
    }

    private static IcebergTableHandle copy(IcebergTableHandle handle, Optional<Long> snapshotId, String tableSchemaJson, TupleDomain<IcebergColumnHandle> unenforcedPredicate, TupleDomain<IcebergColumnHandle> enforcedPredicate, Map<String, String> storageProperties)
    {
        return new IcebergTableHandle(
                handle.getCatalog(),
                handle.getSchemaName(),
                handle.getTableName(),
                handle.getTableType(),
                snapshotId,
                tableSchemaJson,
                handle.getPartitionSpecJson(),
                handle.getFormatVersion(),
                unenforcedPredicate,
                enforcedPredicate,
                handle.getLimit(),
                handle.getProjectedColumns(),
                handle.getNameMappingJson(),
                handle.getTableLocation(),
                storageProperties,
                handle.getTablePartitioning(),
                handle.isRecordScannedFiles(),
                handle.getMaxScannedFileSize(),
                handle.getConstraintColumns(),
                handle.getForAnalyze());
    }
}
