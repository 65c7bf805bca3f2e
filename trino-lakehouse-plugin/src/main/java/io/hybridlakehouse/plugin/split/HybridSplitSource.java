package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import io.trino.plugin.iceberg.IcebergSplit;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorSplitSource;
import io.trino.spi.metrics.Metrics;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static java.util.Objects.requireNonNull;

/**
 * One split source over both tiers: the (already pruned) hot segments first, then
 * Iceberg's own split source, each split tagged with its tier, less the files of NULL
 * partitions Iceberg's planning kept against the enforced predicate.
 */
public class HybridSplitSource
        implements ConnectorSplitSource
{
    private final Deque<ConnectorSplit> hotSplits;
    private final Optional<ConnectorSplitSource> coldSplits;
    private final Optional<NullPartitionPruning.SplitFilter> coldSplitFilter;
    private final Set<Integer> promotedFieldIds;

    public HybridSplitSource(List<? extends ConnectorSplit> hotSplits, Optional<ConnectorSplitSource> coldSplits, Optional<NullPartitionPruning.SplitFilter> coldSplitFilter, Set<Integer> promotedFieldIds)
    {
        this.promotedFieldIds = Set.copyOf(promotedFieldIds);
        this.hotSplits = new ArrayDeque<>(hotSplits.stream().map(split -> new HybridSplit(Tier.HOT, split, this.promotedFieldIds)).toList());
        this.coldSplits = requireNonNull(coldSplits, "coldSplits is null");
        this.coldSplitFilter = requireNonNull(coldSplitFilter, "coldSplitFilter is null");
    }

    @Override
    public CompletableFuture<ConnectorSplitBatch> getNextBatch(int maxSize)
    {
        if (!hotSplits.isEmpty()) {
            ImmutableList.Builder<ConnectorSplit> batch = ImmutableList.builder();
            for (int i = 0; i < maxSize && !hotSplits.isEmpty(); i++) {
                batch.add(hotSplits.poll());
            }
            return CompletableFuture.completedFuture(new ConnectorSplitBatch(batch.build(), isFinished()));
        }
        if (coldSplits.isEmpty()) {
            return CompletableFuture.completedFuture(new ConnectorSplitBatch(ImmutableList.of(), true));
        }
        return coldSplits.get().getNextBatch(maxSize)
                .thenApply(batch -> new ConnectorSplitBatch(
                        batch.getSplits().stream()
                                .filter(this::mayMatch)
                                .map(split -> (ConnectorSplit) new HybridSplit(Tier.COLD, split, promotedFieldIds))
                                .collect(toImmutableList()),
                        batch.isNoMoreSplits()));
    }

    private boolean mayMatch(ConnectorSplit coldSplit)
    {
        return coldSplitFilter.isEmpty() || !(coldSplit instanceof IcebergSplit split) || coldSplitFilter.get().mayMatch(split);
    }

    @Override
    public void close()
    {
        coldSplits.ifPresent(ConnectorSplitSource::close);
    }

    @Override
    public boolean isFinished()
    {
        return hotSplits.isEmpty() && coldSplits.map(ConnectorSplitSource::isFinished).orElse(true);
    }

    /**
     * Iceberg's scan-planning figures (manifests and data files read, planning time), which
     * {@code EXPLAIN ANALYZE VERBOSE} shows as the splits generation metrics.
     */
    @Override
    public Metrics getMetrics()
    {
        return coldSplits.map(ConnectorSplitSource::getMetrics).orElse(Metrics.EMPTY);
    }

    @Override
    public Optional<List<Object>> getTableExecuteSplitsInfo()
    {
        return coldSplits.flatMap(ConnectorSplitSource::getTableExecuteSplitsInfo);
    }
}
