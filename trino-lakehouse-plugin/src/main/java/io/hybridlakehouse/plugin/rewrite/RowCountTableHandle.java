package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.connector.SchemaTableName;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * {@code count(*)} of a whole table answered from metadata (see {@link RowCountFromMetadata}):
 * a scan of one row holding {@code rows}.
 */
public record RowCountTableHandle(SchemaTableName table, long rows)
        implements AnsweredAggregation
{
    public RowCountTableHandle
    {
        requireNonNull(table, "table is null");
        checkArgument(rows >= 0, "rows is negative");
    }

    @Override
    public SchemaTableName relation()
    {
        return table;
    }

    @Override
    public String toString()
    {
        return "%s (count(*) from metadata: %d rows)".formatted(table, rows);
    }
}
