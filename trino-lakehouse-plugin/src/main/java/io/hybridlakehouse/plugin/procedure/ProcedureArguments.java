package io.hybridlakehouse.plugin.procedure;

import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;

import java.util.Locale;

import static io.trino.spi.StandardErrorCode.INVALID_PROCEDURE_ARGUMENT;
import static io.trino.spi.StandardErrorCode.TABLE_NOT_FOUND;

/**
 * Arguments of the procedures and the table function, and the errors for bad ones.
 */
public final class ProcedureArguments
{
    private ProcedureArguments() {}

    static SchemaTableName schemaTableName(String schema, String table)
    {
        if (schema == null || schema.isBlank()) {
            throw new TrinoException(INVALID_PROCEDURE_ARGUMENT, "schema_name must be a schema of this catalog, e.g. CALL system.tier_table('ods', 'events')");
        }
        if (table == null || table.isBlank()) {
            throw new TrinoException(INVALID_PROCEDURE_ARGUMENT, "table_name must be a table of schema '%s', e.g. CALL system.tier_table('%s', 'events')".formatted(schema, schema));
        }
        return new SchemaTableName(schema.toLowerCase(Locale.ENGLISH), table.toLowerCase(Locale.ENGLISH));
    }

    /**
     * The catalog reports a missing table as {@code NOT_FOUND}; a statement naming a missing
     * table fails with {@code TABLE_NOT_FOUND} everywhere else in Trino.
     */
    public static TrinoException tableNotFound(TableNotFoundException e)
    {
        return new TrinoException(TABLE_NOT_FOUND, "Table '%s' does not exist in this catalog".formatted(e.getTableName()), e);
    }
}
