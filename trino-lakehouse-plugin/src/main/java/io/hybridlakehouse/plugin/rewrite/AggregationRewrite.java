package io.hybridlakehouse.plugin.rewrite;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.hybridlakehouse.plugin.HybridSessionProperties;
import io.hybridlakehouse.plugin.metadata.HotTierTimeTravel;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.AggregateFunction;
import io.trino.spi.connector.AggregationApplicationResult;
import io.trino.spi.connector.Assignment;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.expression.Variable;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * {@code applyAggregation} for one transaction: the aggregation over a base table answered by
 * the best of its views (see {@link ViewRewriter}), and every decision counted once per
 * transaction in {@link RewriteStats}. A decision counts when the query runs, that is when its
 * scan asks for splits (of the view for a hit, of the base for a miss): an {@code EXPLAIN}
 * plans the same but reads nothing, and is not counted.
 */
public class AggregationRewrite
{
    private final ViewRewriter rewriter;
    private final RewriteStats stats;
    private final Set<RewriteStats.Decision> planned = ConcurrentHashMap.newKeySet();
    private final Set<RewriteStats.Decision> recorded = ConcurrentHashMap.newKeySet();
    private final Map<SchemaTableName, ViewColumns> viewColumns = new ConcurrentHashMap<>();

    /**
     * The base columns a base's views key on, and all base columns they read.
     */
    public record ViewColumns(Set<String> keys, Set<String> read) {}

    public AggregationRewrite(ViewRewriter rewriter, RewriteStats stats)
    {
        this.rewriter = requireNonNull(rewriter, "rewriter is null");
        this.stats = requireNonNull(stats, "stats is null");
    }

    public Optional<AggregationApplicationResult<ConnectorTableHandle>> apply(
            ConnectorSession session,
            IcebergTableHandle handle,
            List<RegisteredView> views,
            List<AggregateFunction> aggregates,
            Map<String, ColumnHandle> assignments,
            List<List<ColumnHandle>> groupingSets,
            ViewRewriter.StateTables stateTables)
    {
        if (views.isEmpty() || groupingSets.size() != 1) {
            return Optional.empty();
        }
        SchemaTableName base = handle.getSchemaTableName();
        Optional<String> refusal = refusal(session, handle);
        if (refusal.isPresent()) {
            views.forEach(view -> record(new RewriteStats.Decision(view.view().name(), base, RewriteStats.MISS, refusal.get())));
            return Optional.empty();
        }
        ViewRewriter.Decision decision = rewriter.decide(new ViewRewriter.Aggregation(base, handle, aggregates, assignments, groupingSets.getFirst()), views, stateTables);
        if (decision.rewrite().isEmpty()) {
            decision.misses().forEach(miss -> record(new RewriteStats.Decision(miss.view(), base, RewriteStats.MISS, miss.reason())));
            return Optional.empty();
        }
        ViewRewriter.Rewrite rewrite = decision.rewrite().get();
        record(new RewriteStats.Decision(rewrite.view().view().name(), base, RewriteStats.HIT, "answered from the view"));

        ImmutableList.Builder<Assignment> outputs = ImmutableList.builder();
        ImmutableMap.Builder<ColumnHandle, ColumnHandle> groupingColumns = ImmutableMap.builder();
        for (int index = 0; index < rewrite.keyOutputs().size(); index++) {
            RollupColumnHandle key = rewrite.keyOutputs().get(index);
            outputs.add(new Assignment("mv_key_" + index, key, key.type()));
            groupingColumns.put(groupingSets.getFirst().get(index), key);
        }
        ImmutableList.Builder<ConnectorExpression> projections = ImmutableList.builder();
        for (int index = 0; index < rewrite.aggregateOutputs().size(); index++) {
            RollupColumnHandle aggregate = rewrite.aggregateOutputs().get(index);
            String variable = "mv_aggregate_" + index;
            outputs.add(new Assignment(variable, aggregate, aggregate.type()));
            projections.add(new Variable(variable, aggregate.type()));
        }
        return Optional.of(new AggregationApplicationResult<>(rewrite.handle(), projections.build(), outputs.build(), groupingColumns.buildKeepingLast(), false));
    }

    /**
     * What the views of a base read of it, once per transaction: the scan takes over only
     * filters on view keys and derives only keys and arguments of view columns, leaving
     * everything else to the engine's compiled filters and projections.
     */
    public ViewColumns viewColumns(SchemaTableName base, List<RegisteredView> views)
    {
        return viewColumns.computeIfAbsent(base, _ -> {
            ImmutableSet.Builder<String> keys = ImmutableSet.builder();
            ImmutableSet.Builder<String> read = ImmutableSet.builder();
            for (RegisteredView registered : views) {
                try {
                    SynchronousViewDefinition definition = registered.view().definition();
                    int branch = registered.view().bases().indexOf(base);
                    if (branch < 0) {
                        continue;
                    }
                    for (SynchronousViewDefinition.Key key : definition.keys()) {
                        ViewShape.keyOverBase(definition, branch, key).ifPresent(expression -> keys.add(expression.column()));
                    }
                    for (SynchronousViewDefinition.Aggregate aggregate : definition.aggregates()) {
                        aggregate.argument().flatMap(argument -> ViewShape.argumentColumn(definition, branch, argument)).ifPresent(read::add);
                    }
                }
                catch (RuntimeException e) {
                    // such a view answers nothing (see ViewRewriter): nothing to take over for it
                }
            }
            Set<String> keyColumns = keys.build();
            return new ViewColumns(keyColumns, ImmutableSet.<String>builder().addAll(keyColumns).addAll(read.build()).build());
        });
    }

    /**
     * Why no view may answer a query on this scan of the base, whatever its shape.
     */
    private static Optional<String> refusal(ConnectorSession session, IcebergTableHandle handle)
    {
        if (!HybridSessionProperties.isMvRewriteEnabled(session)) {
            return Optional.of("session property mv_rewrite_enabled is false");
        }
        if (!HybridSessionProperties.isReadHotTier(session) || !HybridSessionProperties.isReadColdTier(session)) {
            return Optional.of("read_hot_tier or read_cold_tier is false: the query reads part of the base, the view holds all of it");
        }
        if (HotTierTimeTravel.pointInTime(handle).isPresent()) {
            return Optional.of("the query reads the base as of a past version");
        }
        if (handle.getLimit().isPresent() || handle.isRecordScannedFiles() || handle.getForAnalyze().orElse(false)) {
            return Optional.of("the scan reads part of the base or serves a table procedure");
        }
        return Optional.empty();
    }

    private void record(RewriteStats.Decision decision)
    {
        planned.add(decision);
    }

    /**
     * A scan of the view's rows starts: the query it answers runs.
     */
    public void viewScanned(SchemaTableName view, SchemaTableName base)
    {
        count(decision -> decision.outcome().equals(RewriteStats.HIT) && decision.view().equals(view) && decision.base().equals(base));
    }

    /**
     * A scan of the base starts: the aggregations over it no view answered run.
     */
    public void baseScanned(SchemaTableName base)
    {
        count(decision -> decision.outcome().equals(RewriteStats.MISS) && decision.base().equals(base));
    }

    private void count(Predicate<RewriteStats.Decision> scanned)
    {
        for (RewriteStats.Decision decision : planned) {
            if (scanned.test(decision) && recorded.add(decision)) {
                stats.record(decision);
            }
        }
    }
}
