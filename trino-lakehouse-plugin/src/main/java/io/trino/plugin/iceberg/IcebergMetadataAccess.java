package io.trino.plugin.iceberg;

import io.trino.plugin.iceberg.catalog.TrinoCatalog;
import io.trino.plugin.iceberg.catalog.TrinoCatalogAccess;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expression;

import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.OptionalLong;

import static com.google.common.base.MoreObjects.firstNonNull;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_COMMIT_ERROR;
import static org.apache.iceberg.SnapshotSummary.DELETED_RECORDS_PROP;
import static org.apache.iceberg.SnapshotSummary.REMOVED_EQ_DELETES_PROP;
import static org.apache.iceberg.SnapshotSummary.REMOVED_POS_DELETES_PROP;

/**
 * Opens the package-private {@code IcebergMetadata.getIcebergTable} to the hybrid connector.
 * Reading the table through the transaction's own {@code IcebergMetadata} returns the very
 * metadata its table handles were built from (loaded once per transaction), where a second
 * catalog instance would load it again and might see a newer snapshot. The class shares the
 * runtime package with trino-iceberg because both are loaded by the plugin's class loader.
 */
public final class IcebergMetadataAccess
{
    private IcebergMetadataAccess() {}

    public static Table icebergTable(IcebergMetadata metadata, ConnectorSession session, SchemaTableName name)
    {
        return metadata.getIcebergTable(session, name);
    }

    /**
     * Makes the transaction read the table's current metadata again, after the connector itself
     * committed to it within the statement (hot rows tiered before a row-level change). Iceberg
     * keeps the catalog private, hence reflection, confined to this class.
     */
    public static void reloadTable(IcebergMetadata metadata, SchemaTableName name)
    {
        TrinoCatalog catalog;
        try {
            Field field = IcebergMetadata.class.getDeclaredField("catalog");
            field.setAccessible(true);
            catalog = (TrinoCatalog) field.get(metadata);
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException("The Iceberg connector's metadata has no catalog field: a Trino version this connector was not built for", e);
        }
        TrinoCatalogAccess.invalidateTableCache(catalog, name);
    }

    /**
     * Trino's {@code executeDelete} (a DELETE that drops whole files by their partition values)
     * with a row filter of the caller's instead of the one Trino derives from the enforced
     * predicate; the rows deleted counted from the snapshot's summary, as Trino does.
     */
    public static OptionalLong deleteWholeFiles(IcebergMetadata metadata, ConnectorSession session, SchemaTableName name, Expression rowFilter)
    {
        Table table = metadata.getIcebergTable(session, name);
        DeleteFiles delete = table.newDelete().deleteFromRowFilter(rowFilter);
        try {
            IcebergUtil.commit(delete, session);
        }
        catch (UncheckedIOException | ValidationException | CommitFailedException | CommitStateUnknownException e) {
            throw new TrinoException(ICEBERG_COMMIT_ERROR, "Failed to commit during delete: " + firstNonNull(e.getMessage(), e), e);
        }
        Map<String, String> summary = table.currentSnapshot().summary();
        String deletedRecords = summary.get(DELETED_RECORDS_PROP);
        if (deletedRecords == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(deletedRecords)
                - Long.parseLong(summary.getOrDefault(REMOVED_POS_DELETES_PROP, "0"))
                - Long.parseLong(summary.getOrDefault(REMOVED_EQ_DELETES_PROP, "0")));
    }
}
