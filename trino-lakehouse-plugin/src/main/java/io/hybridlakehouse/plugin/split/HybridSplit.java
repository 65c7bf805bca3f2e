package io.hybridlakehouse.plugin.split;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.trino.spi.HostAddress;
import io.trino.spi.SplitWeight;
import io.trino.spi.connector.ConnectorSplit;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.airlift.slice.SizeOf.instanceSize;
import static java.util.Objects.requireNonNull;

/**
 * A split of either tier. Both are Iceberg data files, so both are read by Iceberg's page
 * source; the tier tag keeps them apart for pruning, statistics and the cache policy.
 */
public record HybridSplit(Tier tier, ConnectorSplit split, Set<Integer> promotedFieldIds)
        implements ConnectorSplit
{
    private static final int INSTANCE_SIZE = instanceSize(HybridSplit.class);

    /**
     * @param promotedFieldIds columns of the table whose type was widened: the page source keeps their dynamic filters away from file statistics
     */
    @JsonCreator
    public HybridSplit(@JsonProperty("tier") Tier tier, @JsonProperty("split") ConnectorSplit split, @JsonProperty("promotedFieldIds") Set<Integer> promotedFieldIds)
    {
        this.tier = requireNonNull(tier, "tier is null");
        this.split = requireNonNull(split, "split is null");
        this.promotedFieldIds = ImmutableSet.copyOf(promotedFieldIds);
    }

    @Override
    @JsonProperty
    public Set<Integer> promotedFieldIds()
    {
        return promotedFieldIds;
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
