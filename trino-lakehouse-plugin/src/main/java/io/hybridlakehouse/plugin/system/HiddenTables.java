package io.hybridlakehouse.plugin.system;

import io.trino.spi.connector.SchemaTableName;

import java.util.Optional;

/**
 * Names of hidden tables such as {@code t$segments}: the base table and a suffix.
 */
public final class HiddenTables
{
    private HiddenTables() {}

    public static Optional<SchemaTableName> baseTable(SchemaTableName name, String suffix)
    {
        String table = name.getTableName();
        if (!table.endsWith(suffix) || table.length() == suffix.length()) {
            return Optional.empty();
        }
        return Optional.of(new SchemaTableName(name.getSchemaName(), table.substring(0, table.length() - suffix.length())));
    }
}
