package io.trino.plugin.iceberg;

import io.trino.plugin.iceberg.catalog.TrinoCatalog;
import io.trino.plugin.iceberg.catalog.TrinoCatalogAccess;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.Table;

import java.lang.reflect.Field;

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
}
