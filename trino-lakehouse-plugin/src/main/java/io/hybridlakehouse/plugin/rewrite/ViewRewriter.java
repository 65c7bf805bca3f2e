package io.hybridlakehouse.plugin.rewrite;

import com.google.common.collect.ImmutableList;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.AggregateFunction;
import io.hybridlakehouse.plugin.mv.ViewStateLayout;
import io.hybridlakehouse.plugin.mv.ViewStateLayout.AggregateLayout;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle.Merge;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.expression.Variable;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.Range;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.predicate.ValueSet;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import io.trino.spi.type.VarcharType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.BooleanType.BOOLEAN;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.SmallintType.SMALLINT;
import static io.trino.spi.type.TinyintType.TINYINT;
import static java.util.Objects.requireNonNull;

/**
 * Decides whether an aggregation over a base table can be answered from one of its
 * synchronous views, and how: every grouping key derived from a view key (the same key, a
 * coarser {@code date_trunc}, an exact cast), every aggregate from the view's partial
 * aggregates, the filter mapped exactly onto view keys, and the view covering every base row
 * the query reads. Anything else is a miss with the reason, never an approximation.
 */
public final class ViewRewriter
{
    private static final Logger log = Logger.get(ViewRewriter.class);

    /**
     * The state table of a view, pinned in the query's transaction.
     */
    public record StateTable(IcebergTableHandle handle, Map<String, IcebergColumnHandle> columns, LongSupplier rowCount) {}

    public interface StateTables
    {
        Optional<StateTable> open(SchemaTableName stateTable);
    }

    /**
     * The aggregation Trino offers to {@code applyAggregation}.
     */
    public record Aggregation(SchemaTableName base, IcebergTableHandle handle, List<io.trino.spi.connector.AggregateFunction> aggregates, Map<String, ColumnHandle> assignments, List<ColumnHandle> groupingKeys) {}

    public record Rewrite(RegisteredView view, RollupTableHandle handle, List<RollupColumnHandle> keyOutputs, List<RollupColumnHandle> aggregateOutputs, LongSupplier stateRows) {}

    public record Miss(SchemaTableName view, String reason) {}

    public record Decision(Optional<Rewrite> rewrite, List<Miss> misses) {}

    private final TypeManager typeManager;

    public ViewRewriter(TypeManager typeManager)
    {
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
    }

    public Decision decide(Aggregation aggregation, List<RegisteredView> views, StateTables stateTables)
    {
        List<Rewrite> rewrites = new ArrayList<>();
        ImmutableList.Builder<Miss> misses = ImmutableList.builder();
        for (RegisteredView view : views) {
            try {
                rewrites.add(rewrite(aggregation, view, stateTables));
            }
            catch (NoRewrite e) {
                misses.add(new Miss(view.view().name(), e.getMessage()));
            }
            catch (RuntimeException e) {
                // a view this coordinator cannot analyze answers nothing; the query still runs on its base
                log.warn(e, "Materialized view %s not considered for a query on %s", view.view().name(), aggregation.base());
                misses.add(new Miss(view.view().name(), "the view could not be analyzed: " + e.getMessage()));
            }
        }
        if (rewrites.size() <= 1) {
            return new Decision(rewrites.stream().findFirst(), misses.build());
        }
        // several views answer: the one with the fewest state rows reads least
        Map<Rewrite, Long> rows = new LinkedHashMap<>();
        rewrites.forEach(rewrite -> rows.put(rewrite, rewrite.stateRows().getAsLong()));
        return new Decision(rewrites.stream().min(Comparator.comparingLong(rows::get)), misses.build());
    }

    private Rewrite rewrite(Aggregation aggregation, RegisteredView registered, StateTables stateTables)
            throws NoRewrite
    {
        SynchronousView view = registered.view();
        if (view.building()) {
            throw new NoRewrite("the view is being built (CREATE or REFRESH)");
        }
        SynchronousViewDefinition definition = view.definition();
        // the bases as the view registered them: the same tables under any catalog name sharing the metastore
        List<SchemaTableName> bases = view.bases();
        int branch = bases.indexOf(aggregation.base());
        if (branch < 0 || bases.lastIndexOf(aggregation.base()) != branch) {
            throw new NoRewrite("the view reads %s in several branches".formatted(aggregation.base()));
        }
        SynchronousViewDefinition.Branch own = definition.branches().get(branch);
        if (own.filter().isPresent()) {
            throw new NoRewrite("the view keeps only rows where " + own.filter().get());
        }
        if (!own.dimensions().isEmpty()) {
            throw new NoRewrite("the view joins dimension tables at write time");
        }
        ViewStateLayout layout = new ViewStateLayout(view, typeManager);
        StateTable state = stateTables.open(view.stateTable())
                .orElseThrow(() -> new NoRewrite("the view's state table %s is missing".formatted(view.stateTable())));
        Channels channels = new Channels(state);

        Map<String, KeyExpression> viewKeys = new LinkedHashMap<>();
        for (SynchronousViewDefinition.Key key : definition.keys()) {
            ViewShape.keyOverBase(definition, branch, key).ifPresent(expression -> viewKeys.put(key.name(), expression));
        }

        ImmutableList.Builder<RollupTableHandle.Key> keys = ImmutableList.builder();
        ImmutableList.Builder<RollupColumnHandle> keyOutputs = ImmutableList.builder();
        for (int index = 0; index < aggregation.groupingKeys().size(); index++) {
            ColumnHandle grouping = aggregation.groupingKeys().get(index);
            KeyExpression wanted;
            Type baseType;
            Type outputType;
            if (grouping instanceof IcebergColumnHandle column) {
                checkBaseColumn(column);
                wanted = new KeyExpression(column.getName(), false, Optional.empty());
                baseType = column.getType();
                outputType = column.getType();
            }
            else if (grouping instanceof DerivedColumnHandle derived) {
                wanted = derived.key();
                baseType = derived.source().getType();
                outputType = derived.type();
            }
            else {
                throw new NoRewrite("grouping key " + grouping);
            }
            RollupTableHandle.Key key = deriveKey(wanted, baseType, outputType, viewKeys, channels);
            keys.add(key);
            keyOutputs.add(new RollupColumnHandle(key.name(), outputType, index));
        }

        ImmutableList.Builder<RollupTableHandle.Filter> filters = ImmutableList.builder();
        TupleDomain<IcebergColumnHandle> predicate = aggregation.handle().getEnforcedPredicate().intersect(aggregation.handle().getUnenforcedPredicate());
        if (predicate.isNone()) {
            throw new NoRewrite("the filter admits no rows");
        }
        Map<IcebergColumnHandle, Domain> domains = predicate.getDomains().orElseThrow();
        for (Map.Entry<IcebergColumnHandle, Domain> entry : domains.entrySet()) {
            filters.add(mapFilter(entry.getKey(), entry.getValue(), viewKeys, channels));
        }
        checkCoverage(registered, viewKeys, domains);

        int keyCount = aggregation.groupingKeys().size();
        OptionalInt baseRowsChannel = OptionalInt.empty();
        Optional<AggregateLayout> baseRows = Optional.empty();
        if (definition.branches().size() > 1) {
            baseRows = layout.aggregates().stream()
                    .filter(aggregate -> aggregate.aggregate().argument().isPresent()
                            && ((aggregate.aggregate().function() == AggregateFunction.SUM && ViewShape.countsBranchRows(definition, branch, aggregate.aggregate().argument().get(), true))
                            || (aggregate.aggregate().function() == AggregateFunction.COUNT && ViewShape.countsBranchRows(definition, branch, aggregate.aggregate().argument().get(), false))))
                    .findFirst();
            if (baseRows.isEmpty()) {
                throw new NoRewrite("the view stitches several bases and keeps no row count of %s (such as sum(x) of a column that is 1 in its branch and 0 in the others)".formatted(aggregation.base()));
            }
            baseRowsChannel = OptionalInt.of(channels.of(baseRows.get().stateColumns().getFirst().name()));
        }

        ImmutableList.Builder<RollupTableHandle.Aggregate> aggregates = ImmutableList.builder();
        ImmutableList.Builder<RollupColumnHandle> aggregateOutputs = ImmutableList.builder();
        for (int index = 0; index < aggregation.aggregates().size(); index++) {
            io.trino.spi.connector.AggregateFunction function = aggregation.aggregates().get(index);
            RollupTableHandle.Aggregate aggregate = deriveAggregate(function, aggregation.assignments(), definition, branch, layout, baseRows, viewKeys, channels);
            aggregates.add(aggregate);
            aggregateOutputs.add(new RollupColumnHandle(aggregate.name(), function.getOutputType(), keyCount + index));
        }

        RollupTableHandle handle = new RollupTableHandle(view.name(), aggregation.base(), state.handle(), channels.columns(), keys.build(), aggregates.build(), filters.build(), baseRowsChannel);
        return new Rewrite(registered, handle, keyOutputs.build(), aggregateOutputs.build(), state.rowCount());
    }

    private static RollupTableHandle.Key deriveKey(KeyExpression wanted, Type baseType, Type outputType, Map<String, KeyExpression> viewKeys, Channels channels)
            throws NoRewrite
    {
        String reason = "no view key gives " + wanted;
        for (Map.Entry<String, KeyExpression> viewKey : viewKeys.entrySet()) {
            KeyExpression have = viewKey.getValue();
            if (!have.column().equals(wanted.column())) {
                continue;
            }
            boolean cast = false;
            if (wanted.castToMillis() && !have.castToMillis()) {
                if (!TimeKeys.castToMillisIsExact(baseType)) {
                    reason = "%s rounds %s values, which can move them across a %s boundary, and the view keys on %s".formatted(
                            "CAST(%s AS timestamp(3))".formatted(wanted.column()), baseType, wanted.unit().orElse("key"), have);
                    continue;
                }
                cast = true;
            }
            else if (have.castToMillis() != wanted.castToMillis()) {
                reason = "the view keys on %s, the query on %s".formatted(have, wanted);
                continue;
            }
            if (wanted.unit().isEmpty()) {
                if (have.unit().isPresent()) {
                    reason = "the query groups by %s, the view only by %s".formatted(wanted, have);
                    continue;
                }
                return new RollupTableHandle.Key(wanted.toString(), channels.of(viewKey.getKey()), cast, Optional.empty(), Optional.empty(), outputType);
            }
            if (have.unit().isPresent() && !TimeKeys.rollsUp(have.unit().get(), wanted.unit().get())) {
                reason = "the query groups by %s, which the view's %s key does not roll up to".formatted(wanted, have.unit().get());
                continue;
            }
            if (wanted.field().isPresent()) {
                // the field of a key value at the field's unit or finer is the field of every base value it stands for
                return new RollupTableHandle.Key(wanted.toString(), channels.of(viewKey.getKey()), false, Optional.empty(), wanted.field(), outputType);
            }
            Optional<String> truncation = have.unit().equals(wanted.unit()) ? Optional.empty() : wanted.unit();
            return new RollupTableHandle.Key(wanted.toString(), channels.of(viewKey.getKey()), cast, truncation, Optional.empty(), outputType);
        }
        throw new NoRewrite(reason);
    }

    /**
     * A field of a row column carries the field's name, which a view column of that name is not.
     */
    private static void checkBaseColumn(IcebergColumnHandle column)
            throws NoRewrite
    {
        if (!column.isBaseColumn()) {
            throw new NoRewrite("a field %s of row column %s".formatted(column.getQualifiedName(), column.getBaseColumn().getName()));
        }
    }

    /**
     * The query's filter on one base column as an exact filter on a view key: on the key itself,
     * or on a {@code date_trunc} key where every bound falls on the key's unit.
     */
    private static RollupTableHandle.Filter mapFilter(IcebergColumnHandle column, Domain domain, Map<String, KeyExpression> viewKeys, Channels channels)
            throws NoRewrite
    {
        checkBaseColumn(column);
        String reason = "filter on non-key column " + column.getName();
        for (Map.Entry<String, KeyExpression> viewKey : viewKeys.entrySet()) {
            KeyExpression key = viewKey.getValue();
            if (!key.column().equals(column.getName())) {
                continue;
            }
            if (key.castToMillis()) {
                reason = "filter on %s, which the view keys only as %s".formatted(column.getName(), key);
                continue;
            }
            if (key.unit().isEmpty()) {
                return new RollupTableHandle.Filter(channels.of(viewKey.getKey()), domain);
            }
            Optional<Domain> aligned = alignedDomain(domain, column.getType(), key.unit().get());
            if (aligned.isPresent()) {
                // a CAST(ts AS date) key holds days where the filter bounds the timestamp's midnights
                boolean days = key.toDate() && column.getType() instanceof TimestampType;
                return new RollupTableHandle.Filter(channels.of(viewKey.getKey()), days ? TimeKeys.daysOf(aligned.get()) : aligned.get());
            }
            reason = "time filter on %s not aligned to %s".formatted(column.getName(), key.unit().get());
        }
        throw new NoRewrite(reason);
    }

    /**
     * The domain on {@code date_trunc(unit, column)} that admits exactly the rows the domain on
     * the column admits, if every range starts and ends on a unit boundary.
     */
    static Optional<Domain> alignedDomain(Domain domain, Type type, String unit)
    {
        if (!TimeKeys.isTemporal(type)) {
            return Optional.empty();
        }
        // date_trunc maps NULL to NULL and all values to all keys: IS NULL and IS NOT NULL carry over as they are
        if (domain.getValues().isAll() || domain.getValues().isNone()) {
            return Optional.of(domain);
        }
        List<Range> ranges = new ArrayList<>();
        for (Range range : domain.getValues().getRanges().getOrderedRanges()) {
            Optional<Object> low = Optional.empty();
            if (!range.isLowUnbounded()) {
                Optional<Object> value = range.isLowInclusive() ? Optional.of(range.getLowBoundedValue()) : TimeKeys.next(range.getLowBoundedValue(), type);
                if (value.isEmpty() || !TimeKeys.isAligned(value.get(), type, unit)) {
                    return Optional.empty();
                }
                low = value;
            }
            Optional<Object> high = Optional.empty();
            if (!range.isHighUnbounded()) {
                Optional<Object> value = range.isHighInclusive() ? TimeKeys.next(range.getHighBoundedValue(), type) : Optional.of(range.getHighBoundedValue());
                if (value.isEmpty() || !TimeKeys.isAligned(value.get(), type, unit)) {
                    return Optional.empty();
                }
                high = value;
            }
            if (low.isPresent() && high.isPresent()) {
                ranges.add(Range.range(type, low.get(), true, high.get(), false));
            }
            else if (low.isPresent()) {
                ranges.add(Range.greaterThanOrEqual(type, low.get()));
            }
            else if (high.isPresent()) {
                ranges.add(Range.lessThan(type, high.get()));
            }
            else {
                ranges.add(Range.all(type));
            }
        }
        return Optional.of(Domain.create(ValueSet.ofRanges(ranges), domain.isNullAllowed()));
    }

    private static void checkCoverage(RegisteredView view, Map<String, KeyExpression> viewKeys, Map<IcebergColumnHandle, Domain> domains)
            throws NoRewrite
    {
        if (view.rowsRemovedBefore().isEmpty()) {
            return;
        }
        Instant before = view.rowsRemovedBefore().get();
        if (before.equals(ViewCoverage.NOTHING) || view.rowsRemovedOnKeys().isEmpty()) {
            throw new NoRewrite("retention removed rows of the view or its base since it was built: REFRESH MATERIALIZED VIEW %s to answer base queries again".formatted(view.view().name()));
        }
        // base and view differ on the rows retention removed by these keys' times: the filter must leave out all of them
        for (String key : view.rowsRemovedOnKeys()) {
            KeyExpression expression = viewKeys.get(key);
            if (expression == null || !filtersFrom(domains, expression.column(), before)) {
                throw new NoRewrite("retention removed rows before %s of the view or its base since it was built: filter %s from there on, or REFRESH MATERIALIZED VIEW %s".formatted(
                        before, expression == null ? "the view's time key " + key : expression.column(), view.view().name()));
            }
        }
    }

    /**
     * Whether the filter keeps only values of date or timestamp column {@code column} from {@code from} on.
     */
    private static boolean filtersFrom(Map<IcebergColumnHandle, Domain> domains, String column, Instant from)
    {
        for (Map.Entry<IcebergColumnHandle, Domain> entry : domains.entrySet()) {
            Domain domain = entry.getValue();
            if (!entry.getKey().isBaseColumn() || !entry.getKey().getName().equals(column) || !TimeKeys.isTemporal(entry.getKey().getType()) || domain.isNullAllowed() || domain.getValues().isNone()
                    || domain.getValues().getRanges().getSpan().isLowUnbounded()) {
                continue;
            }
            if ((long) domain.getValues().getRanges().getSpan().getLowBoundedValue() >= (long) ViewCoverage.lowerBound(from, entry.getKey().getType())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The aggregate as the query wrote it, for the reasons {@code system.mv_rewrites} shows.
     */
    private static String describe(io.trino.spi.connector.AggregateFunction function)
    {
        String arguments = function.getArguments().stream()
                .map(argument -> argument instanceof Variable variable ? variable.getName() : "an expression")
                .collect(Collectors.joining(", "));
        if (arguments.isEmpty() && function.getFunctionName().equals("count")) {
            arguments = "*";
        }
        return "%s(%s%s)%s".formatted(function.getFunctionName(), function.isDistinct() ? "DISTINCT " : "", arguments, function.getFilter().isPresent() ? " FILTER (...)" : "");
    }

    private static RollupTableHandle.Aggregate deriveAggregate(
            io.trino.spi.connector.AggregateFunction function,
            Map<String, ColumnHandle> assignments,
            SynchronousViewDefinition definition,
            int branch,
            ViewStateLayout layout,
            Optional<AggregateLayout> baseRows,
            Map<String, KeyExpression> viewKeys,
            Channels channels)
            throws NoRewrite
    {
        String name = function.getFunctionName();
        Optional<AggregateLayout> rowCount = baseRows.or(() -> layout.aggregates().stream().filter(aggregate -> aggregate.aggregate().function() == AggregateFunction.COUNT_ALL).findFirst());
        if (function.isDistinct() || function.getFilter().isPresent() || !function.getSortItems().isEmpty()) {
            throw new NoRewrite("aggregate %s is not derivable from partial aggregates".formatted(describe(function)));
        }
        if (name.equals("count") && function.getArguments().isEmpty()) {
            AggregateLayout found = rowCount.orElseThrow(() -> new NoRewrite("the view keeps no count(*)"));
            return new RollupTableHandle.Aggregate("count(*)", Merge.COUNT, List.of(channels.of(found.stateColumns().getFirst().name())), function.getOutputType());
        }
        if (function.getArguments().size() != 1 || !(function.getArguments().getFirst() instanceof Variable variable)) {
            throw new NoRewrite("aggregate %s is not over a base column".formatted(describe(function)));
        }
        IcebergColumnHandle column = switch (assignments.get(variable.getName())) {
            case IcebergColumnHandle plain -> plain;
            case DerivedColumnHandle derived when derived.isWidening() -> derived.source();
            case null, default -> throw new NoRewrite("aggregate %s is not over a base column".formatted(describe(function)));
        };
        checkBaseColumn(column);
        String label = "%s(%s)".formatted(name, column.getName());
        Type output = function.getOutputType();
        switch (name) {
            case "count" -> {
                Optional<List<String>> count = find(layout, definition, branch, AggregateFunction.COUNT, column);
                if (count.isPresent()) {
                    return new RollupTableHandle.Aggregate(label, Merge.COUNT, List.of(channels.of(count.get().getFirst())), output);
                }
                // a key over the column is NULL exactly where the column is (date_trunc and these casts map NULL, and only NULL, to NULL): the rows of its non-NULL keys
                Optional<String> key = viewKeys.entrySet().stream()
                        .filter(entry -> entry.getValue().column().equals(column.getName()))
                        .map(Map.Entry::getKey)
                        .findFirst();
                if (key.isEmpty() || rowCount.isEmpty()) {
                    throw new NoRewrite("the view keeps no " + label);
                }
                return new RollupTableHandle.Aggregate(label, Merge.COUNT_WHERE_KEY_NOT_NULL, List.of(channels.of(rowCount.get().stateColumns().getFirst().name()), channels.of(key.get())), output);
            }
            case "sum", "min", "max" -> {
                AggregateFunction kind = switch (name) {
                    case "sum" -> AggregateFunction.SUM;
                    case "min" -> AggregateFunction.MIN;
                    default -> AggregateFunction.MAX;
                };
                Optional<List<String>> kept = find(layout, definition, branch, kind, column);
                int channel;
                if (kept.isPresent()) {
                    channel = channels.of(kept.get().getFirst());
                }
                else {
                    channel = channels.of(extremeOfKey(name, column, baseRows, viewKeys).orElseThrow(() -> new NoRewrite("the view keeps no " + label)));
                }
                Type stateType = channels.type(channel);
                if (!stateType.equals(output)) {
                    throw new NoRewrite("%s returns %s, the view keeps %s".formatted(label, output, stateType));
                }
                return new RollupTableHandle.Aggregate(label, Merge.valueOf(kind.name()), List.of(channel), output);
            }
            case "avg" -> {
                if (!(output == DOUBLE || output instanceof DecimalType)) {
                    throw new NoRewrite("%s returns %s".formatted(label, output));
                }
                Optional<List<String>> average = find(layout, definition, branch, AggregateFunction.AVG, column);
                if (average.isPresent()) {
                    return new RollupTableHandle.Aggregate(label, Merge.AVG, List.of(channels.of(average.get().get(0)), channels.of(average.get().get(1))), output);
                }
                Optional<List<String>> sum = find(layout, definition, branch, AggregateFunction.SUM, column);
                Optional<List<String>> count = find(layout, definition, branch, AggregateFunction.COUNT, column);
                if (sum.isEmpty() || count.isEmpty()) {
                    throw new NoRewrite("the view keeps neither avg(%1$s) nor sum(%1$s) and count(%1$s)".formatted(column.getName()));
                }
                return new RollupTableHandle.Aggregate(label, Merge.AVG, List.of(channels.of(sum.get().getFirst()), channels.of(count.get().getFirst())), output);
            }
            case "approx_distinct" -> {
                return new RollupTableHandle.Aggregate(label, Merge.APPROX_DISTINCT, List.of(channels.of(state(layout, definition, branch, AggregateFunction.APPROX_DISTINCT, column, label).getFirst())), output);
            }
            default -> throw new NoRewrite("aggregate %s is not derivable from the view's aggregates".formatted(name));
        }
    }

    /**
     * The view key that is the column itself, whose values min and max of the column are the
     * least and greatest of (NULL where the column is NULL, as those aggregates skip). Not in a
     * view stitching several bases: its rows carry keys of the other bases too.
     */
    private static Optional<String> extremeOfKey(String function, IcebergColumnHandle column, Optional<AggregateLayout> baseRows, Map<String, KeyExpression> viewKeys)
    {
        // keys group values Trino takes as equal; only where equal values are the same value is a key's value the extreme's
        Type type = column.getType();
        boolean sameWhereEqual = type == BIGINT || type == INTEGER || type == SMALLINT || type == TINYINT || type == BOOLEAN || type == DATE
                || type instanceof DecimalType || type instanceof TimestampType || type instanceof VarcharType;
        if (function.equals("sum") || baseRows.isPresent() || !sameWhereEqual) {
            return Optional.empty();
        }
        KeyExpression plain = new KeyExpression(column.getName(), false, Optional.empty());
        return viewKeys.entrySet().stream()
                .filter(entry -> entry.getValue().equals(plain))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    private static List<String> state(ViewStateLayout layout, SynchronousViewDefinition definition, int branch, AggregateFunction kind, IcebergColumnHandle column, String label)
            throws NoRewrite
    {
        return find(layout, definition, branch, kind, column).orElseThrow(() -> new NoRewrite("the view keeps no " + label));
    }

    private static Optional<List<String>> find(ViewStateLayout layout, SynchronousViewDefinition definition, int branch, AggregateFunction kind, IcebergColumnHandle column)
    {
        return layout.aggregates().stream()
                .filter(aggregate -> aggregate.aggregate().function() == kind)
                .filter(aggregate -> aggregate.aggregate().argument().flatMap(argument -> ViewShape.argumentColumn(definition, branch, argument)).equals(Optional.of(column.getName())))
                .findFirst()
                .map(aggregate -> aggregate.stateColumns().stream().map(ViewStateLayout.StateColumn::name).toList());
    }

    /**
     * The state columns a rollup reads, numbered in the order first asked for.
     */
    private static final class Channels
    {
        private final StateTable state;
        private final List<IcebergColumnHandle> columns = new ArrayList<>();

        Channels(StateTable state)
        {
            this.state = state;
        }

        int of(String name)
                throws NoRewrite
        {
            IcebergColumnHandle column = state.columns().get(name);
            if (column == null) {
                throw new NoRewrite("the view's state table has no column " + name);
            }
            int index = columns.indexOf(column);
            if (index >= 0) {
                return index;
            }
            columns.add(column);
            return columns.size() - 1;
        }

        Type type(int channel)
        {
            return columns.get(channel).getType();
        }

        List<IcebergColumnHandle> columns()
        {
            return ImmutableList.copyOf(columns);
        }
    }

    private static final class NoRewrite
            extends Exception
    {
        NoRewrite(String reason)
        {
            super(reason, null, false, false);
        }
    }
}
