package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.connector.ConnectorSplit;

import static io.airlift.slice.SizeOf.instanceSize;

/**
 * The one split of a {@link RowCountTableHandle}: its page source returns the count it holds.
 */
public record RowCountSplit(long rows)
        implements ConnectorSplit
{
    private static final int INSTANCE_SIZE = instanceSize(RowCountSplit.class);

    @Override
    public long getRetainedSizeInBytes()
    {
        return INSTANCE_SIZE;
    }
}
