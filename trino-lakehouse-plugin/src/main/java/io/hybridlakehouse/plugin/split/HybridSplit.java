package io.hybridlakehouse.plugin.split;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.common.collect.ImmutableMap;
import io.trino.spi.HostAddress;
import io.trino.spi.SplitWeight;
import io.trino.spi.connector.ConnectorSplit;

import java.util.List;
import java.util.Map;

import static io.airlift.slice.SizeOf.instanceSize;
import static java.util.Objects.requireNonNull;

/**
 * A split of either tier. Both are Iceberg data files, so both are read by Iceberg's page
 * source; the tier tag keeps them apart for pruning, statistics and the cache policy.
 */
public record HybridSplit(Tier tier, ConnectorSplit split)
        implements ConnectorSplit
{
    private static final int INSTANCE_SIZE = instanceSize(HybridSplit.class);

    @JsonCreator
    public HybridSplit(@JsonProperty("tier") Tier tier, @JsonProperty("split") ConnectorSplit split)
    {
        this.tier = requireNonNull(tier, "tier is null");
        this.split = requireNonNull(split, "split is null");
    }

    @Override
    @JsonProperty
    public Tier tier()
    {
        return tier;
    }

    @Override
    @JsonProperty
    public ConnectorSplit split()
    {
        return split;
    }

    @Override
    public boolean isRemotelyAccessible()
    {
        return split.isRemotelyAccessible();
    }

    @Override
    public List<HostAddress> getAddresses()
    {
        return split.getAddresses();
    }

    @Override
    public Map<String, String> getSplitInfo()
    {
        return ImmutableMap.<String, String>builder()
                .putAll(split.getSplitInfo())
                .put("tier", tier.name())
                .buildKeepingLast();
    }

    @Override
    public SplitWeight getSplitWeight()
    {
        return split.getSplitWeight();
    }

    @Override
    public long getRetainedSizeInBytes()
    {
        return INSTANCE_SIZE + split.getRetainedSizeInBytes();
    }
}
