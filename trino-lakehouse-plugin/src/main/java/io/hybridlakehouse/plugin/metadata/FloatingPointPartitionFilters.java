package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableMap;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;

import java.util.Map;

import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.RealType.REAL;

/**
 * A {@code real} or {@code double} column partitioned by identity may have NaN as a partition
 * value. Iceberg orders NaN above every number when it matches partition values against a
 * range, so a file of the NaN partition matches {@code d > 2}, while in SQL NaN is greater than
 * nothing. Where Iceberg enforces such a filter, the engine no longer checks the rows and NaN
 * rows are returned (hot segments match partitions the same way). These filters go back to the
 * engine, unenforced: they still prune files, and the engine decides each row as SQL does.
 */
final class FloatingPointPartitionFilters
{
    private FloatingPointPartitionFilters() {}

    static Map<IcebergColumnHandle, Domain> enforcedOnFloatingPoint(IcebergTableHandle handle)
    {
        TupleDomain<IcebergColumnHandle> enforced = handle.getEnforcedPredicate();
        if (enforced.isAll() || enforced.isNone()) {
            return ImmutableMap.of();
        }
        return enforced.getDomains().orElseThrow().entrySet().stream()
                .filter(entry -> entry.getKey().getType().equals(REAL) || entry.getKey().getType().equals(DOUBLE))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
