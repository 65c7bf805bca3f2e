package io.hybridlakehouse.plugin.procedure;

import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;

import java.util.Locale;

import static io.trino.spi.StandardErrorCode.INVALID_PROCEDURE_ARGUMENT;

final class ProcedureArguments
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
}
