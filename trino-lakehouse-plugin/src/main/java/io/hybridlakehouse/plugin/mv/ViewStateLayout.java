package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.ImmutableList;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.Aggregate;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.AggregateFunction;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeId;
import io.trino.spi.type.TypeManager;

import java.util.List;
import java.util.stream.Collectors;

import static io.hybridlakehouse.plugin.mv.RowExpressions.unsupported;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.VarbinaryType.VARBINARY;

/**
 * The columns of a view's state table and how reads merge them. Each INSERT adds rows of
 * partial aggregates per key (several rows per key are fine); a read groups them by key:
 * sums of counts and sums, minimum of minimums, maximum of maximums, a sum and a count per
 * average, and a HyperLogLog sketch per {@code approx_distinct} built with the parameters
 * of Trino's own {@code approx_distinct}, so the merged estimate is the one it returns.
 */
public final class ViewStateLayout
{
    public record StateColumn(String name, Type type) {}

    /**
     * An aggregate of the view: its output type and the state columns it keeps.
     */
    public record AggregateLayout(Aggregate aggregate, Type outputType, List<StateColumn> stateColumns) {}

    private final List<StateColumn> keyColumns;
    private final List<AggregateLayout> aggregates;

    public ViewStateLayout(SynchronousView view, TypeManager typeManager)
    {
        SynchronousViewDefinition definition = view.definition();
        List<Type> types = view.columns().stream().map(column -> typeManager.getType(TypeId.of(column.type()))).toList();
        List<String> names = view.columns().stream().map(SynchronousView.ViewColumn::name).toList();
        ImmutableList.Builder<StateColumn> keys = ImmutableList.builder();
        for (SynchronousViewDefinition.Key key : definition.keys()) {
            keys.add(new StateColumn(key.name(), storable(types.get(names.indexOf(key.name())))));
        }
        this.keyColumns = keys.build();
        ImmutableList.Builder<AggregateLayout> aggregates = ImmutableList.builder();
        for (Aggregate aggregate : definition.aggregates()) {
            Type output = types.get(names.indexOf(aggregate.name()));
            aggregates.add(new AggregateLayout(aggregate, output, stateColumns(aggregate, output)));
        }
        this.aggregates = aggregates.build();
    }

    private static List<StateColumn> stateColumns(Aggregate aggregate, Type output)
    {
        String name = aggregate.name();
        return switch (aggregate.function()) {
            case COUNT_ALL, COUNT -> List.of(new StateColumn(name, BIGINT));
            case SUM -> {
                if (!(output == BIGINT || output == DOUBLE || output instanceof DecimalType)) {
                    throw unsupported("sum of type %s: sum integer, double or decimal columns".formatted(output));
                }
                yield List.of(new StateColumn(name, output));
            }
            case MIN, MAX -> List.of(new StateColumn(name, storable(output)));
            case AVG -> {
                Type sum;
                if (output == DOUBLE) {
                    sum = DOUBLE;
                }
                else if (output instanceof DecimalType decimal) {
                    sum = DecimalType.createDecimalType(38, decimal.getScale());
                }
                else {
                    throw unsupported("avg of type %s: average integer, double or decimal columns".formatted(output));
                }
                yield List.of(new StateColumn(name + "__sum", sum), new StateColumn(name + "__count", BIGINT));
            }
            case APPROX_DISTINCT -> List.of(new StateColumn(name + "__sketch", VARBINARY));
        };
    }

    /**
     * Iceberg keeps timestamps in microseconds: a {@code timestamp(3)} key (Superset's
     * {@code CAST(ts AS TIMESTAMP)}) is stored as {@code timestamp(6)}, same values, and read back
     * as the view's type.
     */
    private static Type storable(Type type)
    {
        return type instanceof TimestampType timestamp && timestamp.getPrecision() < 6 ? TimestampType.TIMESTAMP_MICROS : type;
    }

    public List<StateColumn> keyColumns()
    {
        return keyColumns;
    }

    public List<AggregateLayout> aggregates()
    {
        return aggregates;
    }

    public List<StateColumn> columns()
    {
        ImmutableList.Builder<StateColumn> columns = ImmutableList.<StateColumn>builder().addAll(keyColumns);
        aggregates.forEach(aggregate -> columns.addAll(aggregate.stateColumns()));
        return columns.build();
    }

    /**
     * The query that reads the view: the state table's rows merged by key, cast to the view's column types.
     */
    public String mergeQuery(String catalog, String schema, String stateTable, List<SynchronousView.ViewColumn> viewColumns)
    {
        String keys = keyColumns.stream().map(column -> quote(column.name())).collect(Collectors.joining(", "));
        StringBuilder select = new StringBuilder();
        for (SynchronousView.ViewColumn column : viewColumns) {
            if (!select.isEmpty()) {
                select.append(",\n    ");
            }
            select.append("CAST(").append(mergedValue(column.name())).append(" AS ").append(column.type()).append(") AS ").append(quote(column.name()));
        }
        return "SELECT %s\nFROM %s.%s.%s\nGROUP BY %s".formatted(select, quote(catalog), quote(schema), quote(stateTable), keys.isEmpty() ? "()" : keys);
    }

    private String mergedValue(String column)
    {
        if (keyColumns.stream().anyMatch(key -> key.name().equals(column))) {
            return quote(column);
        }
        AggregateLayout layout = aggregates.stream().filter(aggregate -> aggregate.aggregate().name().equals(column)).findFirst().orElseThrow();
        AggregateFunction function = layout.aggregate().function();
        List<StateColumn> states = layout.stateColumns();
        return switch (function) {
            // a view without keys has its one row even over no rows, where counts are 0 and sums NULL
            case COUNT_ALL, COUNT -> "coalesce(sum(%s), 0)".formatted(quote(states.getFirst().name()));
            case SUM -> "sum(%s)".formatted(quote(states.getFirst().name()));
            case MIN -> "min(%s)".formatted(quote(states.getFirst().name()));
            case MAX -> "max(%s)".formatted(quote(states.getFirst().name()));
            // a decimal sum past 38 digits fails Trino's sum, not its avg
            case AVG -> states.get(0).type() instanceof DecimalType
                    ? "%s(%s, %s)".formatted(quote(DecimalAverageMerge.NAME), quote(states.get(0).name()), quote(states.get(1).name()))
                    : "sum(%s) / sum(%s)".formatted(quote(states.get(0).name()), quote(states.get(1).name()));
            case APPROX_DISTINCT -> "coalesce(cardinality(merge(CAST(%s AS HyperLogLog))), 0)".formatted(quote(states.getFirst().name()));
        };
    }

    private static String quote(String name)
    {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
