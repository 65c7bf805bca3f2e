package io.hybridlakehouse.plugin.rewrite;

import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.Branch;
import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.Cast;
import io.trino.sql.tree.Expression;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.Literal;
import io.trino.sql.tree.LongLiteral;
import io.trino.sql.tree.NullLiteral;

import java.util.Locale;
import java.util.Optional;

/**
 * A view's keys and aggregate arguments as expressions over one of its bases: the view's own
 * expressions for a single base, the branch's projections of the {@code UNION ALL} columns
 * for a view stitched from several.
 */
public final class ViewShape
{
    private static final SqlParser PARSER = new SqlParser();

    private ViewShape() {}

    public static Optional<KeyExpression> keyOverBase(SynchronousViewDefinition definition, int branch, SynchronousViewDefinition.Key key)
    {
        return overBase(definition, branch, key.expression())
                .flatMap(sql -> KeyExpression.parse(sql, definition.branches().get(branch).baseAlias()));
    }

    /**
     * The SQL of a view expression over the branch's base: itself, or the branch's projection of the stitched column it names.
     */
    public static Optional<String> overBase(SynchronousViewDefinition definition, int branch, String expression)
    {
        if (definition.branchColumns().isEmpty()) {
            return Optional.of(expression);
        }
        return stitchedColumn(definition, expression).map(column -> definition.branches().get(branch).projections().get(column));
    }

    /**
     * The position of the {@code UNION ALL} column a view expression names, if it names one.
     */
    public static Optional<Integer> stitchedColumn(SynchronousViewDefinition definition, String expression)
    {
        Optional<Expression> parsed = parse(expression);
        if (parsed.isEmpty() || !(parsed.get() instanceof Identifier identifier)) {
            return Optional.empty();
        }
        int index = definition.branchColumns().indexOf(identifier.getValue().toLowerCase(Locale.ROOT));
        return index < 0 ? Optional.empty() : Optional.of(index);
    }

    /**
     * The base column an aggregate's argument reads in the branch, if it reads one column and,
     * in a stitched view, every other branch contributes only NULL to it.
     */
    public static Optional<String> argumentColumn(SynchronousViewDefinition definition, int branch, String argument)
    {
        Branch own = definition.branches().get(branch);
        if (definition.branchColumns().isEmpty()) {
            return KeyExpression.column(argument, own.baseAlias());
        }
        Optional<Integer> column = stitchedColumn(definition, argument);
        if (column.isEmpty()) {
            return Optional.empty();
        }
        for (int other = 0; other < definition.branches().size(); other++) {
            if (other != branch && !isNull(definition.branches().get(other).projections().get(column.get()))) {
                return Optional.empty();
            }
        }
        return KeyExpression.column(own.projections().get(column.get()), own.baseAlias());
    }

    /**
     * True if the stitched column is 1 in the branch and 0 or NULL in every other one, so its sum counts the branch's rows.
     */
    public static boolean countsBranchRows(SynchronousViewDefinition definition, int branch, String argument, boolean summed)
    {
        Optional<Integer> column = stitchedColumn(definition, argument);
        if (column.isEmpty()) {
            return false;
        }
        for (int other = 0; other < definition.branches().size(); other++) {
            String projection = definition.branches().get(other).projections().get(column.get());
            boolean counts = summed ? isLong(projection, 1) : parse(projection).filter(expression -> expression instanceof Literal && !(expression instanceof NullLiteral)).isPresent();
            boolean silent = isNull(projection) || (summed && isLong(projection, 0));
            if (other == branch ? !counts : !silent) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNull(String sql)
    {
        Optional<Expression> expression = parse(sql);
        return expression.isPresent() && (expression.get() instanceof NullLiteral || (expression.get() instanceof Cast cast && cast.getExpression() instanceof NullLiteral));
    }

    private static boolean isLong(String sql, long value)
    {
        return parse(sql).filter(expression -> expression instanceof LongLiteral literal && literal.getParsedValue() == value).isPresent();
    }

    private static Optional<Expression> parse(String sql)
    {
        try {
            return Optional.of(PARSER.createExpression(sql));
        }
        catch (ParsingException e) {
            return Optional.empty();
        }
    }
}
