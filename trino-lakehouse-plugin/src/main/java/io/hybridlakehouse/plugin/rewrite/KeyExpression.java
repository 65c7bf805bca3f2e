package io.hybridlakehouse.plugin.rewrite;

import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.Cast;
import io.trino.sql.tree.DereferenceExpression;
import io.trino.sql.tree.Expression;
import io.trino.sql.tree.FunctionCall;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.StringLiteral;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * A grouping key in the forms the rewrite derives from one another: a base column, optionally
 * cast to {@code timestamp(3)} (Superset's {@code CAST(ts AS TIMESTAMP)}), optionally truncated
 * by {@code date_trunc}; or {@code CAST(ts AS date)} of a timestamp column, which is its
 * truncation to the day as a {@code date} ({@code toDate}, with the unit {@code day}); or a
 * date/time field of a column, such as {@code year(ts)} ({@code field}, with the field's unit),
 * which only queries ask for.
 */
public record KeyExpression(String column, boolean castToMillis, Optional<String> unit, boolean toDate, Optional<String> field)
{
    private static final SqlParser PARSER = new SqlParser();
    private static final Set<String> MILLIS_TIMESTAMP = Set.of("timestamp", "timestamp(3)");

    public KeyExpression
    {
        requireNonNull(column, "column is null");
        requireNonNull(unit, "unit is null");
        checkArgument(!toDate || (!castToMillis && unit.equals(Optional.of("day"))), "a date cast is the day of the column's own value");
        requireNonNull(field, "field is null");
        checkArgument(field.isEmpty() || (!castToMillis && !toDate && unit.equals(field.flatMap(TimeKeys::unitOfField))), "a field is read from the column's value at the field's unit");
    }

    public KeyExpression(String column, boolean castToMillis, Optional<String> unit, boolean toDate)
    {
        this(column, castToMillis, unit, toDate, Optional.empty());
    }

    public KeyExpression(String column, boolean castToMillis, Optional<String> unit)
    {
        this(column, castToMillis, unit, false);
    }

    /**
     * A date/time field of the column, such as {@code year(ts)}: the key truncated to the
     * field's unit, then the field read from it.
     */
    public static KeyExpression fieldOf(String column, String field)
    {
        return new KeyExpression(column, false, TimeKeys.unitOfField(field), false, Optional.of(field));
    }

    /**
     * The key a view's SQL expression computes from its base (columns qualified with {@code baseAlias} or not), if it has one of the forms above.
     */
    public static Optional<KeyExpression> parse(String sql, String baseAlias)
    {
        Expression expression;
        try {
            expression = PARSER.createExpression(sql);
        }
        catch (ParsingException e) {
            return Optional.empty();
        }
        Optional<String> unit = Optional.empty();
        if (expression instanceof FunctionCall call && call.getName().toString().equalsIgnoreCase("date_trunc") && call.getArguments().size() == 2
                && call.getArguments().get(0) instanceof StringLiteral literal) {
            unit = Optional.of(literal.getValue().toLowerCase(Locale.ROOT));
            expression = call.getArguments().get(1);
        }
        if (unit.isEmpty() && expression instanceof Cast dateCast && dateCast.getType().toString().equalsIgnoreCase("date")) {
            return column(dateCast.getExpression(), baseAlias).map(column -> new KeyExpression(column, false, Optional.of("day"), true));
        }
        boolean cast = false;
        if (expression instanceof Cast castExpression && MILLIS_TIMESTAMP.contains(castExpression.getType().toString().toLowerCase(Locale.ROOT))) {
            cast = true;
            expression = castExpression.getExpression();
        }
        boolean castFinal = cast;
        Optional<String> unitFinal = unit;
        return column(expression, baseAlias).map(column -> new KeyExpression(column, castFinal, unitFinal));
    }

    /**
     * The base column an expression names, if it is a column reference.
     */
    public static Optional<String> column(Expression expression, String baseAlias)
    {
        if (expression instanceof Identifier identifier) {
            return Optional.of(identifier.getValue().toLowerCase(Locale.ROOT));
        }
        if (expression instanceof DereferenceExpression dereference && dereference.getBase() instanceof Identifier qualifier
                && qualifier.getValue().equalsIgnoreCase(baseAlias) && dereference.getField().isPresent()) {
            return Optional.of(dereference.getField().get().getValue().toLowerCase(Locale.ROOT));
        }
        return Optional.empty();
    }

    public static Optional<String> column(String sql, String baseAlias)
    {
        try {
            return column(PARSER.createExpression(sql), baseAlias);
        }
        catch (ParsingException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString()
    {
        if (field.isPresent()) {
            return "%s(%s)".formatted(field.get(), column);
        }
        if (toDate) {
            return "CAST(%s AS date)".formatted(column);
        }
        String value = castToMillis ? "CAST(%s AS timestamp(3))".formatted(column) : column;
        return unit.map(truncation -> "date_trunc('%s', %s)".formatted(truncation, value)).orElse(value);
    }
}
