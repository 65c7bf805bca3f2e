package io.hybridlakehouse.plugin.rewrite;

import io.hybridlakehouse.plugin.split.HybridSplit;
import io.trino.spi.connector.ConnectorSplit;

import java.util.List;

import static io.airlift.slice.SizeOf.instanceSize;

/**
 * The one split of a rollup: every split of the view's state table (both tiers), read by one
 * page source, which must see all rows of a group to return its final value.
 */
public record RollupSplit(List<HybridSplit> stateSplits)
        implements ConnectorSplit
{
    private static final int INSTANCE_SIZE = instanceSize(RollupSplit.class);

    public RollupSplit
    {
        stateSplits = List.copyOf(stateSplits);
    }

    @Override
    public long getRetainedSizeInBytes()
    {
        return INSTANCE_SIZE + stateSplits.stream().mapToLong(HybridSplit::getRetainedSizeInBytes).sum();
    }
}
