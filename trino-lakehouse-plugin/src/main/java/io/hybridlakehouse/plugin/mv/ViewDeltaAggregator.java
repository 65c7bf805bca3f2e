package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Iterables;
import io.airlift.slice.Slice;
import io.airlift.slice.XxHash64;
import io.airlift.stats.cardinality.HyperLogLog;
import io.hybridlakehouse.plugin.mv.RowExpressions.RowExpression;
import io.hybridlakehouse.plugin.mv.RowExpressions.RowPredicate;
import io.hybridlakehouse.plugin.mv.ViewStateLayout.AggregateLayout;
import io.trino.spi.Page;
import io.trino.spi.PageBuilder;
import io.trino.spi.TrinoException;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import io.trino.spi.type.VarcharType;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.Expression;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static com.google.common.base.Verify.verify;
import static io.hybridlakehouse.plugin.mv.RowExpressions.unsupported;
import static io.trino.spi.StandardErrorCode.NUMERIC_VALUE_OUT_OF_RANGE;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.RealType.REAL;
import static io.trino.spi.type.SmallintType.SMALLINT;
import static io.trino.spi.type.TinyintType.TINYINT;
import static io.trino.spi.type.TypeUtils.writeNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * The partial aggregates of one branch of a view over rows of its base table: rows that
 * pass the branch's filter are grouped by the view's keys in a hash table, and the groups
 * become rows of the view's state table. Memory is bounded by the number of groups, which
 * {@link #groups()} reports so a caller can flush early (reads merge duplicate keys).
 */
final class ViewDeltaAggregator
{
    // Trino's approx_distinct: maximum standard error 0.023, hence 2048 buckets
    static final int APPROX_DISTINCT_BUCKETS = 2048;
    private static final SqlParser PARSER = new SqlParser();

    private final ViewStateLayout layout;
    private final List<RowExpression> keys;
    private final List<Optional<RowExpression>> arguments;
    private final Optional<RowPredicate> filter;
    private final List<DimensionJoin> joins;
    private final Map<GroupKey, State[]> groups = new HashMap<>();
    // rows of keys whose decimal sums could take no more: a key's sums go on in a row of its own
    private final List<Map.Entry<GroupKey, State[]>> fullGroups = new ArrayList<>();
    private final boolean hasDecimalSums;
    private final List<Type> keyTypes;

    private record DimensionJoin(DimensionIndex index, List<RowExpression> probes, boolean left) {}

    /**
     * @param baseColumns the base table's top-level columns, in the channel order of the pages to aggregate
     */
    ViewDeltaAggregator(SynchronousViewDefinition definition, int branch, ViewStateLayout layout, List<String> baseColumns, List<Type> baseTypes, List<DimensionIndex> dimensions, TypeManager typeManager)
    {
        this.layout = requireNonNull(layout, "layout is null");
        RowExpressions expressions = new RowExpressions(typeManager);
        SynchronousViewDefinition.Branch branchDefinition = definition.branches().get(branch);

        // the columns of the base, then of each dimension in join order: the channels of a joined page
        Map<String, Integer> channels = new HashMap<>();
        Map<String, Integer> unqualifiedUses = new HashMap<>();
        List<Type> types = new ArrayList<>(baseTypes);
        addColumns(channels, unqualifiedUses, branchDefinition.baseAlias(), baseColumns, 0);
        ImmutableList.Builder<DimensionJoin> joins = ImmutableList.builder();
        for (int index = 0; index < dimensions.size(); index++) {
            SynchronousViewDefinition.Dimension dimension = branchDefinition.dimensions().get(index);
            RowExpressions.Scope probeScope = new RowExpressions.Scope(unique(channels, unqualifiedUses), types, Map.of());
            List<RowExpression> probes = dimension.keys().stream().map(key -> expressions.compile(parse(key.probeExpression()), probeScope)).toList();
            checkJoinKeys(dimension, probes, dimensions.get(index));
            joins.add(new DimensionJoin(dimensions.get(index), probes, dimension.leftJoin()));
            addColumns(channels, unqualifiedUses, dimension.alias(), dimensions.get(index).columns(), types.size());
            types.addAll(dimensions.get(index).types());
        }
        this.joins = joins.build();

        ImmutableMap.Builder<String, Expression> projections = ImmutableMap.builder();
        for (int column = 0; column < definition.branchColumns().size(); column++) {
            projections.put(definition.branchColumns().get(column), parse(branchDefinition.projections().get(column)));
        }
        RowExpressions.Scope scope = new RowExpressions.Scope(unique(channels, unqualifiedUses), types, projections.buildOrThrow());
        RowExpressions.Scope baseOnly = new RowExpressions.Scope(scope.channels(), scope.types(), Map.of());

        this.keys = definition.keys().stream().map(key -> expressions.compile(parse(key.expression()), scope)).toList();
        this.keyTypes = layout.keyColumns().stream().map(ViewStateLayout.StateColumn::type).toList();
        for (int key = 0; key < keys.size(); key++) {
            if (RowExpressions.isNullLiteral(keys.get(key))) {
                throw unsupported("the key %1$s is NULL in a UNION ALL branch: each branch gives every key a value, a column or a literal of type %2$s (NULL stands only for a metric the branch does not have)"
                        .formatted(layout.keyColumns().get(key).name(), layout.keyColumns().get(key).type()));
            }
            checkAssignable(keys.get(key).type(), layout.keyColumns().get(key).type(), "the key " + layout.keyColumns().get(key).name());
        }
        ImmutableList.Builder<Optional<RowExpression>> arguments = ImmutableList.builder();
        for (AggregateLayout aggregate : layout.aggregates()) {
            Optional<RowExpression> argument = aggregate.aggregate().argument().map(text -> expressions.compile(parse(text), scope));
            // a stitched branch contributes NULL to the metrics of the other bases, whatever their type
            argument.filter(value -> !RowExpressions.isNullLiteral(value)).ifPresent(value -> checkArgument(aggregate, value.type()));
            arguments.add(argument);
        }
        this.arguments = arguments.build();
        this.hasDecimalSums = layout.aggregates().stream()
                .anyMatch(aggregate -> EnumSet.of(SynchronousViewDefinition.AggregateFunction.SUM, SynchronousViewDefinition.AggregateFunction.AVG).contains(aggregate.aggregate().function())
                        && aggregate.stateColumns().getFirst().type() instanceof DecimalType);
        this.filter = branchDefinition.filter().map(text -> expressions.compilePredicate(parse(text), baseOnly));
    }

    private static void addColumns(Map<String, Integer> channels, Map<String, Integer> unqualifiedUses, String alias, List<String> columns, int offset)
    {
        for (int column = 0; column < columns.size(); column++) {
            String name = columns.get(column).toLowerCase(Locale.ROOT);
            channels.put(alias + "." + name, offset + column);
            channels.putIfAbsent(name, offset + column);
            unqualifiedUses.merge(name, 1, Integer::sum);
        }
    }

    // a column name that two joined tables share is reachable only qualified
    private static Map<String, Integer> unique(Map<String, Integer> channels, Map<String, Integer> unqualifiedUses)
    {
        Map<String, Integer> unique = new HashMap<>(channels);
        unqualifiedUses.forEach((name, uses) -> {
            if (uses > 1) {
                unique.put(name, RowExpressions.Scope.AMBIGUOUS);
            }
        });
        return unique;
    }

    private static Expression parse(String expression)
    {
        return PARSER.createExpression(expression);
    }

    private static void checkAssignable(Type from, Type to, String what)
    {
        if (from.equals(to) || from instanceof VarcharType && to instanceof VarcharType
                || isInteger(from) && (to == BIGINT || to == INTEGER) || from == DATE && to == DATE) {
            return;
        }
        if (from.getClass().equals(to.getClass()) && !(from instanceof DecimalType)) {
            return;
        }
        throw unsupported("%s of type %s computed as %s".formatted(what, to, from));
    }

    private static void checkJoinKeys(SynchronousViewDefinition.Dimension dimension, List<RowExpression> probes, DimensionIndex index)
    {
        for (int key = 0; key < probes.size(); key++) {
            Type probe = probes.get(key).type();
            Type dimensionKey = index.keyTypes().get(key);
            if (!KeyValues.comparableJoinKeys(probe, dimensionKey)) {
                throw unsupported("the join key %s (%s) = %s.%s (%s) of different types, which Trino compares after a cast; cast the key to the dimension column's type in the ON clause, as in CAST(%s AS %s)".formatted(
                        dimension.keys().get(key).probeExpression(), probe, dimension.alias(), index.keyColumns().get(key), dimensionKey, dimension.keys().get(key).probeExpression(), dimensionKey));
            }
        }
    }

    private static void checkArgument(AggregateLayout aggregate, Type type)
    {
        switch (aggregate.aggregate().function()) {
            case SUM, AVG -> {
                if (!(isInteger(type) || type == DOUBLE || type instanceof DecimalType)) {
                    throw unsupported("%s of %s: sum and avg take integer, double or decimal values".formatted(aggregate.aggregate().function().name().toLowerCase(Locale.ROOT), type));
                }
            }
            case APPROX_DISTINCT -> {
                if (!(isInteger(type) || type == DATE || type instanceof VarcharType)) {
                    throw unsupported("approx_distinct of %s: count distinct integer, date or varchar values".formatted(type));
                }
            }
            case MIN, MAX -> {
                if (type == REAL || type == DOUBLE) {
                    // NaN ordering and -0.0 would need Trino's own comparison
                    throw unsupported("min/max of %s: use decimal or integer columns".formatted(type));
                }
            }
            default -> { }
        }
    }

    private static boolean isInteger(Type type)
    {
        return type == TINYINT || type == SMALLINT || type == INTEGER || type == BIGINT;
    }

    void add(Page basePage)
    {
        Page page = join(basePage);
        for (int position = 0; position < page.getPositionCount(); position++) {
            if (filter.isPresent() && !Boolean.TRUE.equals(filter.get().test(page, position))) {
                continue;
            }
            List<Object> key = new ArrayList<>(keys.size());
            for (int index = 0; index < keys.size(); index++) {
                RowExpression expression = keys.get(index);
                key.add(RowExpressions.coerce(expression.evaluate(page, position), expression.type(), keyTypes.get(index)));
            }
            GroupKey groupKey = new GroupKey(key, keyTypes);
            State[] states = groups.computeIfAbsent(groupKey, _ -> newStates());
            Object[] values = argumentValues(page, position);
            if (hasDecimalSums && !takes(states, values)) {
                fullGroups.add(Map.entry(groupKey, states));
                states = newStates();
                groups.put(groupKey, states);
            }
            for (int aggregate = 0; aggregate < states.length; aggregate++) {
                Optional<RowExpression> argument = arguments.get(aggregate);
                if (argument.isEmpty()) {
                    states[aggregate].add(Boolean.TRUE, BIGINT);
                }
                else if (values[aggregate] != null) {
                    states[aggregate].add(values[aggregate], argument.get().type());
                }
            }
        }
    }

    /**
     * Each aggregate's argument at the row, NULL for {@code count(*)}; evaluated once, as
     * {@link #takes} and the states both read them.
     */
    private Object[] argumentValues(Page page, int position)
    {
        Object[] values = new Object[arguments.size()];
        for (int aggregate = 0; aggregate < values.length; aggregate++) {
            Optional<RowExpression> argument = arguments.get(aggregate);
            if (argument.isPresent()) {
                values[aggregate] = argument.get().evaluate(page, position);
            }
        }
        return values;
    }

    /**
     * Whether the row's values keep every state of its key writable. A decimal sum past its
     * row's type is no error yet (Trino's {@code sum} and {@code avg} add past 38 digits on the
     * way, and reads add a key's rows the same way), so the key's sums go on in another row.
     */
    private boolean takes(State[] states, Object[] values)
    {
        for (int aggregate = 0; aggregate < states.length; aggregate++) {
            if (values[aggregate] != null && !states[aggregate].takes(values[aggregate], arguments.get(aggregate).orElseThrow().type())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The base rows with the columns of each dimension appended, looked up by join key; an inner
     * join drops rows without a match, a left join keeps them with NULLs.
     */
    private Page join(Page page)
    {
        Page current = page;
        for (DimensionJoin join : joins) {
            int count = current.getPositionCount();
            List<Type> dimensionTypes = join.index().types();
            BlockBuilder[] builders = dimensionTypes.stream().map(type -> type.createBlockBuilder(null, count)).toArray(BlockBuilder[]::new);
            int[] retained = new int[count];
            int kept = 0;
            for (int position = 0; position < count; position++) {
                List<Object> key = new ArrayList<>(join.probes().size());
                for (RowExpression probe : join.probes()) {
                    key.add(KeyValues.joinKey(probe.evaluate(current, position), probe.type()));
                }
                Optional<Object[]> row = key.contains(null) ? Optional.empty() : join.index().lookup(key);
                if (row.isEmpty() && !join.left()) {
                    continue;
                }
                retained[kept++] = position;
                for (int column = 0; column < builders.length; column++) {
                    writeNativeValue(dimensionTypes.get(column), builders[column], row.isPresent() ? row.get()[column] : null);
                }
            }
            Block[] blocks = new Block[current.getChannelCount() + builders.length];
            for (int channel = 0; channel < current.getChannelCount(); channel++) {
                blocks[channel] = current.getBlock(channel).getPositions(retained, 0, kept);
            }
            for (int column = 0; column < builders.length; column++) {
                blocks[current.getChannelCount() + column] = builders[column].build();
            }
            current = new Page(kept, blocks);
        }
        return current;
    }

    /**
     * What the branch computes from its tables' columns, with the type it computes: each key
     * and each aggregate's argument.
     */
    Map<String, Type> computedTypes()
    {
        Map<String, Type> types = new LinkedHashMap<>();
        for (int key = 0; key < keys.size(); key++) {
            types.put("the key " + layout.keyColumns().get(key).name(), keys.get(key).type());
        }
        for (int aggregate = 0; aggregate < arguments.size(); aggregate++) {
            String name = layout.aggregates().get(aggregate).aggregate().name();
            arguments.get(aggregate).ifPresent(argument -> types.put("the argument of " + name, argument.type()));
        }
        return types;
    }

    int groups()
    {
        return groups.size() + fullGroups.size();
    }

    /**
     * The groups as rows of the state table (key columns, then each aggregate's state columns), emptied afterwards.
     */
    Page toStatePage()
    {
        List<Type> types = layout.columns().stream().map(ViewStateLayout.StateColumn::type).toList();
        PageBuilder page = new PageBuilder(groups(), types);
        for (Map.Entry<GroupKey, State[]> group : Iterables.concat(fullGroups, groups.entrySet())) {
            page.declarePosition();
            int channel = 0;
            for (Object keyValue : group.getKey().values()) {
                writeNativeValue(types.get(channel), page.getBlockBuilder(channel), keyValue);
                channel++;
            }
            for (State state : group.getValue()) {
                channel = state.write(page, channel);
            }
        }
        groups.clear();
        fullGroups.clear();
        return page.build();
    }

    private State[] newStates()
    {
        State[] states = new State[layout.aggregates().size()];
        for (int index = 0; index < states.length; index++) {
            AggregateLayout aggregate = layout.aggregates().get(index);
            states[index] = switch (aggregate.aggregate().function()) {
                case COUNT_ALL, COUNT -> new CountState();
                case SUM -> new SumState(aggregate.outputType(), true);
                case MIN -> new ExtremeState(aggregate.outputType(), false);
                case MAX -> new ExtremeState(aggregate.outputType(), true);
                case AVG -> new AverageState(aggregate.stateColumns().getFirst().type());
                case APPROX_DISTINCT -> new SketchState();
            };
        }
        return states;
    }

    private interface State
    {
        void add(Object value, Type type);

        /**
         * Whether the state can still be written after adding the value.
         */
        default boolean takes(Object value, Type type)
        {
            return true;
        }

        // writes its state columns from channel on; returns the next channel
        int write(PageBuilder page, int channel);
    }

    private static final class CountState
            implements State
    {
        private long count;

        @Override
        public void add(Object value, Type type)
        {
            count++;
        }

        @Override
        public int write(PageBuilder page, int channel)
        {
            BIGINT.writeLong(page.getBlockBuilder(channel), count);
            return channel + 1;
        }
    }

    /**
     * A sum in the type Trino's {@code sum} returns: bigint (overflow fails, as in Trino), double or decimal(38, s).
     */
    private static final class SumState
            implements State
    {
        private final Type type;
        private final boolean decimalOverflowFails;
        private long longSum;
        private double doubleSum;
        private BigInteger decimalSum = BigInteger.ZERO;
        private boolean empty = true;

        /**
         * @param decimalOverflowFails whether a decimal sum past 38 digits fails, as a {@code sum} does;
         * the sum an {@code avg} keeps may pass them, as Trino's {@code avg} may
         */
        SumState(Type type, boolean decimalOverflowFails)
        {
            this.type = type;
            this.decimalOverflowFails = decimalOverflowFails;
        }

        @Override
        public void add(Object value, Type valueType)
        {
            empty = false;
            if (type == BIGINT) {
                long addend = (long) RowExpressions.coerce(value, valueType, BIGINT);
                try {
                    longSum = Math.addExact(longSum, addend);
                }
                catch (ArithmeticException e) {
                    throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "bigint addition overflow: rows of this INSERT with the same key of a materialized view over the table sum past the bigint range on the way (%s + %s); INSERT them in separate statements"
                            .formatted(longSum, addend), e);
                }
            }
            else if (type == DOUBLE) {
                doubleSum += RowExpressions.toDouble(value, valueType);
            }
            else {
                decimalSum = decimalSum.add(RowExpressions.unscaled(RowExpressions.coerce(value, valueType, type)));
            }
        }

        @Override
        public boolean takes(Object value, Type valueType)
        {
            if (!(type instanceof DecimalType)) {
                return true;
            }
            return fits(decimalSum.add(RowExpressions.unscaled(RowExpressions.coerce(value, valueType, type))));
        }

        // a 128-bit decimal holds the wider sum of an avg; a sum must fit its 38 digits
        private boolean fits(BigInteger sum)
        {
            return PartialValues.fitsLongDecimal(sum) && (!decimalOverflowFails || PartialValues.fitsDecimal(sum));
        }

        @Override
        public int write(PageBuilder page, int channel)
        {
            BlockBuilder block = page.getBlockBuilder(channel);
            if (empty) {
                block.appendNull();
            }
            else if (type == BIGINT) {
                BIGINT.writeLong(block, longSum);
            }
            else if (type == DOUBLE) {
                DOUBLE.writeDouble(block, doubleSum);
            }
            else {
                // takes() moved the key to a new row before a sum grew past what its row holds
                verify(fits(decimalSum), "decimal sum %s does not fit %s", decimalSum, type);
                writeNativeValue(type, block, RowExpressions.decimalOf(decimalSum, (DecimalType) type));
            }
            return channel + 1;
        }
    }

    private static final class AverageState
            implements State
    {
        private final SumState sum;
        private long count;

        AverageState(Type sumType)
        {
            this.sum = new SumState(sumType, false);
        }

        @Override
        public void add(Object value, Type type)
        {
            sum.add(value, type);
            count++;
        }

        @Override
        public boolean takes(Object value, Type type)
        {
            return sum.takes(value, type);
        }

        @Override
        public int write(PageBuilder page, int channel)
        {
            int next = sum.write(page, channel);
            BIGINT.writeLong(page.getBlockBuilder(next), count);
            return next + 1;
        }
    }

    private static final class ExtremeState
            implements State
    {
        private final Type type;
        private final boolean maximum;
        private Object value;

        ExtremeState(Type type, boolean maximum)
        {
            this.type = type;
            this.maximum = maximum;
        }

        @Override
        public void add(Object candidate, Type candidateType)
        {
            Object coerced = RowExpressions.coerce(candidate, candidateType, type);
            if (value == null) {
                value = coerced;
                return;
            }
            int order = RowExpressions.compare(coerced, type, value, type);
            if (maximum ? order > 0 : order < 0) {
                value = coerced;
            }
        }

        @Override
        public int write(PageBuilder page, int channel)
        {
            writeNativeValue(type, page.getBlockBuilder(channel), value);
            return channel + 1;
        }
    }

    /**
     * {@code approx_distinct}'s own sketch: values hashed with the type's XxHash64 operator into a HyperLogLog of 2048 buckets.
     */
    private static final class SketchState
            implements State
    {
        private final HyperLogLog sketch = HyperLogLog.newInstance(APPROX_DISTINCT_BUCKETS);

        @Override
        public void add(Object value, Type type)
        {
            sketch.addHash(value instanceof Slice slice ? XxHash64.hash(slice) : XxHash64.hash((long) value));
        }

        @Override
        public int write(PageBuilder page, int channel)
        {
            writeNativeValue(io.trino.spi.type.VarbinaryType.VARBINARY, page.getBlockBuilder(channel), sketch.serialize());
            return channel + 1;
        }
    }
}
