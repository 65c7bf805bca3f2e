package io.hybridlakehouse.plugin.rewrite;

import com.google.common.collect.ImmutableMap;
import io.airlift.slice.Slice;
import io.airlift.stats.cardinality.HyperLogLog;
import io.hybridlakehouse.plugin.mv.GroupKey;
import io.hybridlakehouse.plugin.mv.PartialValues;
import io.hybridlakehouse.plugin.mv.RowExpressions;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle.Aggregate;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle.Filter;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle.Key;
import io.trino.plugin.base.metrics.LongCount;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.spi.Page;
import io.trino.spi.PageBuilder;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.SourcePage;
import io.trino.spi.metrics.Metrics;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.TypeUtils.readNativeValue;
import static io.trino.spi.type.TypeUtils.writeNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * Reads every state row of a view (one page source per state-table split), keeps the rows
 * the query's filter admits, merges them by the query's grouping keys, and returns one row
 * per group with the final value of each aggregate: the aggregation the query asked of its
 * base, computed from the view's partial aggregates.
 */
public class RollupPageSource
        implements ConnectorPageSource
{
    private final RollupTableHandle rollup;
    private final List<RollupColumnHandle> outputs;
    private final Iterator<Supplier<ConnectorPageSource>> stateSources;
    private final List<Type> stateTypes;
    private final List<Type> keyTypes;
    private final Map<GroupKey, Object[]> groups = new LinkedHashMap<>();
    private long completedBytes;
    private long stateFilesRead;
    private long stateRowsRead;
    private long readTimeNanos;
    private boolean finished;

    public RollupPageSource(RollupTableHandle rollup, List<RollupColumnHandle> outputs, List<Supplier<ConnectorPageSource>> stateSources)
    {
        this.rollup = requireNonNull(rollup, "rollup is null");
        this.outputs = List.copyOf(outputs);
        this.stateSources = List.copyOf(stateSources).iterator();
        this.stateTypes = rollup.stateColumns().stream().map(IcebergColumnHandle::getType).toList();
        this.keyTypes = rollup.keys().stream().map(Key::outputType).toList();
    }

    @Override
    public SourcePage getNextSourcePage()
    {
        if (finished) {
            return null;
        }
        // the whole state is merged before the first row is returned: a group's final value needs all its rows
        while (stateSources.hasNext()) {
            try (ConnectorPageSource source = stateSources.next().get()) {
                while (!source.isFinished()) {
                    SourcePage page = source.getNextSourcePage();
                    if (page != null) {
                        stateRowsRead += page.getPositionCount();
                        add(page.getPage());
                    }
                }
                stateFilesRead++;
                completedBytes += source.getCompletedBytes();
                readTimeNanos += source.getReadTimeNanos();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        finished = true;
        return SourcePage.create(result());
    }

    private void add(Page page)
    {
        rows:
        for (int position = 0; position < page.getPositionCount(); position++) {
            for (Filter filter : rollup.filters()) {
                Object value = readNativeValue(stateTypes.get(filter.channel()), page.getBlock(filter.channel()), position);
                if (!filter.domain().includesNullableValue(value)) {
                    continue rows;
                }
            }
            List<Object> key = new ArrayList<>(rollup.keys().size());
            for (Key keyColumn : rollup.keys()) {
                Type stateType = stateTypes.get(keyColumn.channel());
                Object value = readNativeValue(stateType, page.getBlock(keyColumn.channel()), position);
                if (keyColumn.field().isPresent()) {
                    value = TimeKeys.field(value, stateType, keyColumn.field().get());
                }
                else if (keyColumn.castToMillis()) {
                    value = TimeKeys.castToMillis(value, stateType);
                }
                else if (keyColumn.outputType() == DATE && stateType instanceof TimestampType) {
                    // CAST(ts AS date) from a key on the timestamp: the day, then truncated further in days if asked
                    value = TimeKeys.dateOf(value);
                }
                else if (keyColumn.outputType() instanceof TimestampType && stateType == DATE) {
                    // date_trunc of the timestamp from a CAST(ts AS date) key: the day's midnight, then truncated further if asked
                    value = TimeKeys.midnightOf(value);
                }
                if (keyColumn.unit().isPresent()) {
                    value = TimeKeys.truncate(value, keyColumn.outputType(), keyColumn.unit().get());
                }
                key.add(value);
            }
            Object[] state = groups.computeIfAbsent(new GroupKey(key, keyTypes), _ -> new Object[rollup.aggregates().size() + 1]);
            for (int index = 0; index < rollup.aggregates().size(); index++) {
                state[index] = merge(rollup.aggregates().get(index), state[index], page, position);
            }
            if (rollup.baseRowsChannel().isPresent()) {
                Object rows = readNativeValue(stateTypes.get(rollup.baseRowsChannel().getAsInt()), page.getBlock(rollup.baseRowsChannel().getAsInt()), position);
                state[rollup.aggregates().size()] = PartialValues.sum(state[rollup.aggregates().size()], rows, BIGINT);
            }
        }
    }

    private Object merge(Aggregate aggregate, Object current, Page page, int position)
    {
        List<Integer> channels = aggregate.channels();
        Object value = readNativeValue(stateTypes.get(channels.getFirst()), page.getBlock(channels.getFirst()), position);
        Type type = stateTypes.get(channels.getFirst());
        return switch (aggregate.merge()) {
            // decimal sums unbounded until the end, as Trino's sum may pass 38 digits on the way
            case SUM, COUNT -> type instanceof DecimalType ? PartialValues.addUnscaled((BigInteger) current, value) : PartialValues.sum(current, value, type);
            case COUNT_WHERE_KEY_NOT_NULL -> page.getBlock(channels.get(1)).isNull(position) ? current : PartialValues.sum(current, value, type);
            case MIN, MAX -> PartialValues.extreme(current, value, type, aggregate.merge() == RollupTableHandle.Merge.MAX);
            case AVG -> {
                Object[] pair = current == null ? new Object[2] : (Object[]) current;
                if (type instanceof DecimalType) {
                    pair[0] = PartialValues.addUnscaled((BigInteger) pair[0], value);
                }
                else if (value != null) {
                    // Trino's avg of integers and doubles sums in double: no overflow, the same rounding
                    pair[0] = (pair[0] == null ? 0.0 : (double) pair[0]) + RowExpressions.toDouble(value, type);
                }
                pair[1] = PartialValues.sum(pair[1], readNativeValue(BIGINT, page.getBlock(channels.get(1)), position), BIGINT);
                yield pair;
            }
            case APPROX_DISTINCT -> {
                if (value == null) {
                    yield current;
                }
                HyperLogLog sketch = HyperLogLog.newInstance((Slice) value);
                if (current == null) {
                    yield sketch;
                }
                // the row's small sketch into the group's: the cost of a merge is the size of the sketch merged in
                ((HyperLogLog) current).mergeWith(sketch);
                yield current;
            }
        };
    }

    private Page result()
    {
        boolean global = rollup.keys().isEmpty();
        if (global && groups.isEmpty()) {
            // an aggregation without GROUP BY returns one row even over no rows
            groups.put(new GroupKey(List.of(), List.of()), new Object[rollup.aggregates().size() + 1]);
        }
        List<Type> types = outputs.stream().map(RollupColumnHandle::type).toList();
        PageBuilder page = new PageBuilder(Math.max(1, groups.size()), types);
        int keyCount = rollup.keys().size();
        for (Map.Entry<GroupKey, Object[]> group : groups.entrySet()) {
            Object[] state = group.getValue();
            if (rollup.baseRowsChannel().isPresent() && !global && (state[rollup.aggregates().size()] == null || (long) state[rollup.aggregates().size()] == 0)) {
                // a key only the other bases of a stitched view have: the queried base has no group there
                continue;
            }
            page.declarePosition();
            for (int channel = 0; channel < outputs.size(); channel++) {
                RollupColumnHandle output = outputs.get(channel);
                Object value = output.index() < keyCount
                        ? group.getKey().values().get(output.index())
                        : finalValue(rollup.aggregates().get(output.index() - keyCount), state[output.index() - keyCount]);
                writeNativeValue(output.type(), page.getBlockBuilder(channel), value);
            }
        }
        groups.clear();
        return page.build();
    }

    private Object finalValue(Aggregate aggregate, Object state)
    {
        Type stateType = stateTypes.get(aggregate.channels().getFirst());
        Type output = aggregate.outputType();
        return switch (aggregate.merge()) {
            case COUNT, COUNT_WHERE_KEY_NOT_NULL -> state == null ? 0L : state;
            case SUM -> RowExpressions.coerce(stateType instanceof DecimalType decimal ? PartialValues.decimalSum((BigInteger) state, decimal) : state, stateType, output);
            case MIN, MAX -> RowExpressions.coerce(state, stateType, output);
            case AVG -> {
                Object[] pair = (Object[]) state;
                if (pair == null || pair[0] == null || pair[1] == null || (long) pair[1] == 0) {
                    yield null;
                }
                long count = (long) pair[1];
                if (output instanceof DecimalType decimal) {
                    BigDecimal sum = new BigDecimal((BigInteger) pair[0], ((DecimalType) stateType).getScale());
                    BigDecimal average = sum.divide(BigDecimal.valueOf(count), decimal.getScale(), RoundingMode.HALF_UP);
                    yield RowExpressions.decimalOf(average.unscaledValue(), decimal);
                }
                yield (double) pair[0] / count;
            }
            case APPROX_DISTINCT -> state == null ? 0L : ((HyperLogLog) state).cardinality();
        };
    }

    @Override
    public long getCompletedBytes()
    {
        return completedBytes;
    }

    /**
     * What the view's state cost the query, as {@code EXPLAIN ANALYZE VERBOSE} shows it: the state
     * files read (those the filter did not prune) and their partial rows.
     */
    @Override
    public Metrics getMetrics()
    {
        return new Metrics(ImmutableMap.of(
                "stateFilesRead", new LongCount(stateFilesRead),
                "stateRowsRead", new LongCount(stateRowsRead)));
    }

    @Override
    public long getReadTimeNanos()
    {
        return readTimeNanos;
    }

    @Override
    public boolean isFinished()
    {
        return finished;
    }

    @Override
    public long getMemoryUsage()
    {
        return 0;
    }

    @Override
    public void close() {}
}
