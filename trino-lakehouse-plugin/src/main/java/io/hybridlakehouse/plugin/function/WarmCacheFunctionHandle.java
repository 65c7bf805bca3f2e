package io.hybridlakehouse.plugin.function;

import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

public record WarmCacheFunctionHandle(SchemaTableName table, Optional<String> filter)
        implements ConnectorTableFunctionHandle
{
    public WarmCacheFunctionHandle
    {
        requireNonNull(table, "table is null");
        requireNonNull(filter, "filter is null");
    }
}
