package io.hybridlakehouse.plugin.split;

import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.DynamicFilter;
import io.trino.spi.predicate.TupleDomain;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static java.util.Objects.requireNonNull;

/**
 * A dynamic filter without the columns whose type was widened: Iceberg would compare them
 * with file statistics of the old type (see {@code PromotedColumns}); and without the
 * connector's derived grouping keys, which are no Iceberg columns. The join still
 * filters those rows; only the pruning is lost.
 */
final class PromotedColumnsDynamicFilter
        implements DynamicFilter
{
    private final DynamicFilter delegate;
    private final Set<Integer> promotedFieldIds;

    static DynamicFilter without(DynamicFilter dynamicFilter, Set<Integer> promotedFieldIds)
    {
        if (dynamicFilter.getColumnsCovered().stream().allMatch(column -> column instanceof IcebergColumnHandle icebergColumn && !promotedFieldIds.contains(icebergColumn.getId()))) {
            return dynamicFilter;
        }
        DynamicFilter filtered = new PromotedColumnsDynamicFilter(dynamicFilter, promotedFieldIds);
        // a filter left with no column is not worth waiting for
        return filtered.getColumnsCovered().isEmpty() ? DynamicFilter.EMPTY : filtered;
    }

    private PromotedColumnsDynamicFilter(DynamicFilter delegate, Set<Integer> promotedFieldIds)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.promotedFieldIds = Set.copyOf(promotedFieldIds);
    }

    private boolean kept(ColumnHandle column)
    {
        return column instanceof IcebergColumnHandle icebergColumn && !promotedFieldIds.contains(icebergColumn.getId());
    }

    @Override
    public Set<ColumnHandle> getColumnsCovered()
    {
        return delegate.getColumnsCovered().stream().filter(this::kept).collect(toImmutableSet());
    }

    @Override
    public CompletableFuture<?> isBlocked()
    {
        return delegate.isBlocked();
    }

    @Override
    public boolean isComplete()
    {
        return delegate.isComplete();
    }

    @Override
    public boolean isAwaitable()
    {
        return delegate.isAwaitable();
    }

    @Override
    public TupleDomain<ColumnHandle> getCurrentPredicate()
    {
        // NONE (no build row at all) stays NONE, which is still right
        return delegate.getCurrentPredicate().filter((column, _) -> kept(column));
    }
}
