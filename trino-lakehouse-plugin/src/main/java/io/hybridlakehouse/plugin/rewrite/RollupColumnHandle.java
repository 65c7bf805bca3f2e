package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.type.Type;

import static java.util.Objects.requireNonNull;

/**
 * An output of an {@link AnsweredAggregation}: for a {@link RollupTableHandle} a grouping key
 * ({@code index} below the number of keys) or an aggregate's final value; for a
 * {@link RowCountTableHandle} the count.
 */
public record RollupColumnHandle(String name, Type type, int index)
        implements ColumnHandle
{
    public RollupColumnHandle
    {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }

    public ColumnMetadata columnMetadata()
    {
        return ColumnMetadata.builder().setName(name).setType(type).setNullable(true).build();
    }

    @Override
    public String toString()
    {
        return name;
    }
}
