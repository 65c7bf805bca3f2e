package io.hybridlakehouse.plugin.rewrite;

import io.airlift.slice.Slice;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.spi.connector.Assignment;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ProjectionApplicationResult;
import io.trino.spi.expression.Call;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.expression.Constant;
import io.trino.spi.expression.FunctionName;
import io.trino.spi.expression.Variable;
import io.trino.spi.type.TimestampType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.trino.spi.expression.StandardFunctions.CAST_FUNCTION_NAME;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.SmallintType.SMALLINT;
import static io.trino.spi.type.TinyintType.TINYINT;

/**
 * Grouping keys such as {@code date_trunc('day', ts)}, {@code date_trunc('day', CAST(ts AS TIMESTAMP))} and {@code year(ts)},
 * and aggregate arguments such as {@code CAST(score AS bigint)}, are computed in a projection below the aggregation. Trino offers that projection to the
 * connector before the aggregation: taking the keys into the scan as {@link DerivedColumnHandle}s
 * puts the aggregation directly over the scan, where {@code applyAggregation} can answer it from a view.
 */
public final class ProjectedKeys
{
    private static final FunctionName DATE_TRUNC = new FunctionName("date_trunc");

    private ProjectedKeys() {}

    /**
     * The projection with every derivable key taken into the scan, or empty if it has none.
     */
    public static Optional<ProjectionApplicationResult<ConnectorTableHandle>> apply(ConnectorTableHandle handle, List<ConnectorExpression> projections, Map<String, ColumnHandle> assignments, Set<String> viewColumns)
    {
        Map<String, Assignment> scanColumns = new LinkedHashMap<>();
        List<ConnectorExpression> remaining = new ArrayList<>();
        boolean derivedAny = false;
        for (ConnectorExpression projection : projections) {
            Optional<DerivedColumnHandle> derived = derivedKey(projection, assignments).filter(key -> viewColumns.contains(key.source().getName()));
            if (derived.isPresent()) {
                String name = "derived_key_" + scanColumns.size();
                scanColumns.put(name, new Assignment(name, derived.get(), derived.get().type()));
                remaining.add(new Variable(name, derived.get().type()));
                derivedAny = true;
                continue;
            }
            remaining.add(projection);
            for (Variable variable : variables(projection)) {
                scanColumns.putIfAbsent(variable.getName(), new Assignment(variable.getName(), assignments.get(variable.getName()), variable.getType()));
            }
        }
        if (!derivedAny) {
            return Optional.empty();
        }
        return Optional.of(new ProjectionApplicationResult<>(handle, remaining, List.copyOf(scanColumns.values()), false));
    }

    static Optional<DerivedColumnHandle> derivedKey(ConnectorExpression expression, Map<String, ColumnHandle> assignments)
    {
        if (!(expression instanceof Call call)) {
            return Optional.empty();
        }
        if (call.getFunctionName().equals(DATE_TRUNC) && call.getArguments().size() == 2 && call.getArguments().get(0) instanceof Constant unitConstant && unitConstant.getValue() instanceof Slice unitSlice) {
            String unit = unitSlice.toStringUtf8().toLowerCase(Locale.ROOT);
            if (!TimeKeys.isUnit(unit)) {
                return Optional.empty();
            }
            ConnectorExpression value = call.getArguments().get(1);
            boolean cast = false;
            if (isCastToMillis(value)) {
                cast = true;
                value = ((Call) value).getArguments().getFirst();
            }
            Optional<IcebergColumnHandle> column = temporalColumn(value, assignments);
            if (column.isEmpty() || (column.get().getType() == DATE && !cast && List.of("second", "minute", "hour").contains(unit))) {
                return Optional.empty();
            }
            return Optional.of(new DerivedColumnHandle(column.get(), cast, Optional.of(unit), call.getType()));
        }
        if (isCastToMillis(call)) {
            return temporalColumn(call.getArguments().getFirst(), assignments)
                    .map(column -> new DerivedColumnHandle(column, true, Optional.empty(), call.getType()));
        }
        // CAST(ts AS date), BI's day grouping of a timestamp: date_trunc('day', ts) as a date
        if (call.getFunctionName().equals(CAST_FUNCTION_NAME) && call.getType() == DATE && call.getArguments().size() == 1) {
            return temporalColumn(call.getArguments().getFirst(), assignments)
                    .filter(column -> column.getType() instanceof TimestampType)
                    .map(column -> new DerivedColumnHandle(column, false, Optional.of("day"), DATE));
        }
        // year(ts), month(d), day_of_week(ts), ...: BI's calendar groupings, read from any key at the field's unit or finer
        Optional<String> fieldUnit = TimeKeys.unitOfField(call.getFunctionName().getName());
        if (call.getFunctionName().getCatalogSchema().isEmpty() && fieldUnit.isPresent() && call.getType() == BIGINT && call.getArguments().size() == 1) {
            return temporalColumn(call.getArguments().getFirst(), assignments)
                    .filter(column -> column.getType() instanceof TimestampType || List.of("day", "week", "month", "quarter", "year").contains(fieldUnit.get()))
                    .map(column -> new DerivedColumnHandle(column, false, fieldUnit, Optional.of(call.getFunctionName().getName()), BIGINT));
        }
        // avg and sum of an integer column arrive as aggregates of CAST(column AS bigint)
        if (call.getFunctionName().equals(CAST_FUNCTION_NAME) && call.getType() == BIGINT && call.getArguments().size() == 1
                && call.getArguments().getFirst() instanceof Variable variable && assignments.get(variable.getName()) instanceof IcebergColumnHandle column
                && column.isBaseColumn() && (column.getType() == INTEGER || column.getType() == SMALLINT || column.getType() == TINYINT)) {
            return Optional.of(new DerivedColumnHandle(column, false, Optional.empty(), BIGINT));
        }
        return Optional.empty();
    }

    private static boolean isCastToMillis(ConnectorExpression expression)
    {
        return expression instanceof Call call && call.getFunctionName().equals(CAST_FUNCTION_NAME) && call.getArguments().size() == 1
                && call.getType() instanceof TimestampType timestamp && timestamp.getPrecision() == 3;
    }

    private static Optional<IcebergColumnHandle> temporalColumn(ConnectorExpression expression, Map<String, ColumnHandle> assignments)
    {
        if (expression instanceof Variable variable && assignments.get(variable.getName()) instanceof IcebergColumnHandle column
                && column.isBaseColumn() && TimeKeys.isTemporal(column.getType())) {
            return Optional.of(column);
        }
        return Optional.empty();
    }

    private static List<Variable> variables(ConnectorExpression expression)
    {
        if (expression instanceof Variable variable) {
            return List.of(variable);
        }
        List<Variable> variables = new ArrayList<>();
        for (ConnectorExpression child : expression.getChildren()) {
            variables.addAll(variables(child));
        }
        return variables;
    }
}
