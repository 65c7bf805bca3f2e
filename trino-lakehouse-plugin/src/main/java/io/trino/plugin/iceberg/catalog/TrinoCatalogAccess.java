package io.trino.plugin.iceberg.catalog;

import io.trino.plugin.iceberg.catalog.rest.TrinoRestCatalog;
import io.trino.spi.connector.SchemaTableName;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import static com.google.common.base.Throwables.throwIfUnchecked;

/**
 * Opens the catalogs' {@code invalidateTableCache} to the hybrid connector (see
 * {@code IcebergMetadataAccess}): a catalog keeps each table's metadata for its transaction.
 * The JDBC catalog has it from {@link AbstractTrinoCatalog} (protected, reachable from this
 * package); the REST catalog implements {@link TrinoCatalog} on its own and keeps its own
 * private one, hence reflection.
 */
public final class TrinoCatalogAccess
{
    private TrinoCatalogAccess() {}

    public static void invalidateTableCache(TrinoCatalog catalog, SchemaTableName name)
    {
        if (catalog instanceof AbstractTrinoCatalog cached) {
            cached.invalidateTableCache(name);
            return;
        }
        if (catalog instanceof TrinoRestCatalog rest) {
            invokeInvalidateTableCache(rest, name);
            return;
        }
        throw new IllegalStateException("Iceberg catalog %s keeps no table cache this connector knows".formatted(catalog.getClass().getName()));
    }

    private static void invokeInvalidateTableCache(TrinoRestCatalog catalog, SchemaTableName name)
    {
        Method invalidate;
        try {
            invalidate = TrinoRestCatalog.class.getDeclaredMethod("invalidateTableCache", SchemaTableName.class);
            invalidate.setAccessible(true);
        }
        catch (NoSuchMethodException e) {
            throw new IllegalStateException("The Iceberg REST catalog has no invalidateTableCache: a Trino version this connector was not built for", e);
        }
        try {
            invalidate.invoke(catalog, name);
        }
        catch (InvocationTargetException e) {
            throwIfUnchecked(e.getCause());
            throw new IllegalStateException(e.getCause());
        }
        catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
