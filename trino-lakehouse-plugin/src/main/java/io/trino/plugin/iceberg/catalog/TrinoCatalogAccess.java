package io.trino.plugin.iceberg.catalog;

import io.trino.spi.connector.SchemaTableName;

/**
 * Opens the catalogs' protected {@code invalidateTableCache} to the hybrid connector (see
 * {@code IcebergMetadataAccess}): a catalog keeps each table's metadata for its transaction.
 */
public final class TrinoCatalogAccess
{
    private TrinoCatalogAccess() {}

    public static void invalidateTableCache(TrinoCatalog catalog, SchemaTableName name)
    {
        if (!(catalog instanceof AbstractTrinoCatalog cached)) {
            throw new IllegalStateException("Iceberg catalog %s keeps no table cache this connector knows".formatted(catalog.getClass().getName()));
        }
        cached.invalidateTableCache(name);
    }
}
