package io.hybridlakehouse.plugin.cache;

import io.trino.spi.TrinoException;
import io.trino.sql.parser.ParsingException;
import io.trino.sql.parser.SqlParser;
import io.trino.sql.tree.BetweenPredicate;
import io.trino.sql.tree.BooleanLiteral;
import io.trino.sql.tree.ComparisonExpression;
import io.trino.sql.tree.DecimalLiteral;
import io.trino.sql.tree.DoubleLiteral;
import io.trino.sql.tree.GenericLiteral;
import io.trino.sql.tree.Identifier;
import io.trino.sql.tree.InListExpression;
import io.trino.sql.tree.InPredicate;
import io.trino.sql.tree.IsNotNullPredicate;
import io.trino.sql.tree.IsNullPredicate;
import io.trino.sql.tree.LogicalExpression;
import io.trino.sql.tree.LongLiteral;
import io.trino.sql.tree.NotExpression;
import io.trino.sql.tree.StringLiteral;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.trino.spi.StandardErrorCode.INVALID_PROCEDURE_ARGUMENT;

/**
 * The filter of {@code warm_cache}: a SQL predicate over the table's columns (comparisons,
 * {@code BETWEEN}, {@code IN}, {@code IS [NOT] NULL}, {@code AND}, {@code OR}, {@code NOT},
 * literals), parsed with Trino's own SQL parser and turned into an Iceberg expression, which
 * Iceberg projects onto partitions and file statistics to select the files to warm.
 */
final class WarmCacheFilter
{
    private static final SqlParser PARSER = new SqlParser();
    private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

    private WarmCacheFilter() {}

    static Expression parse(String filter, Schema schema)
    {
        io.trino.sql.tree.Expression expression;
        try {
            expression = PARSER.createExpression(filter);
        }
        catch (ParsingException e) {
            throw invalid(filter, e.getMessage());
        }
        return convert(expression, schema, filter);
    }

    private static Expression convert(io.trino.sql.tree.Expression expression, Schema schema, String filter)
    {
        return switch (expression) {
            case LogicalExpression logical -> {
                List<Expression> terms = logical.getTerms().stream().map(term -> convert(term, schema, filter)).toList();
                Expression result = terms.getFirst();
                for (Expression term : terms.subList(1, terms.size())) {
                    result = logical.getOperator() == LogicalExpression.Operator.AND ? Expressions.and(result, term) : Expressions.or(result, term);
                }
                yield result;
            }
            case NotExpression not -> Expressions.not(convert(not.getValue(), schema, filter));
            case IsNullPredicate isNull -> Expressions.isNull(column(isNull.getValue(), schema, filter).name());
            case IsNotNullPredicate isNotNull -> Expressions.notNull(column(isNotNull.getValue(), schema, filter).name());
            case BetweenPredicate between -> {
                Types.NestedField column = column(between.getValue(), schema, filter);
                yield Expressions.and(
                        Expressions.greaterThanOrEqual(column.name(), value(between.getMin(), column, filter)),
                        Expressions.lessThanOrEqual(column.name(), value(between.getMax(), column, filter)));
            }
            case InPredicate in when in.getValueList() instanceof InListExpression list -> {
                Types.NestedField column = column(in.getValue(), schema, filter);
                yield Expressions.in(column.name(), list.getValues().stream().map(value -> value(value, column, filter)).toArray());
            }
            case ComparisonExpression comparison -> comparison(comparison, schema, filter);
            default -> throw invalid(filter, "unsupported expression: " + expression);
        };
    }

    private static Expression comparison(ComparisonExpression comparison, Schema schema, String filter)
    {
        ComparisonExpression.Operator operator = comparison.getOperator();
        io.trino.sql.tree.Expression columnSide = comparison.getLeft();
        io.trino.sql.tree.Expression valueSide = comparison.getRight();
        if (!(columnSide instanceof Identifier) && valueSide instanceof Identifier) {
            columnSide = comparison.getRight();
            valueSide = comparison.getLeft();
            operator = operator.flip();
        }
        Types.NestedField column = column(columnSide, schema, filter);
        Object value = value(valueSide, column, filter);
        String name = column.name();
        return switch (operator) {
            case EQUAL -> Expressions.equal(name, value);
            case NOT_EQUAL -> Expressions.notEqual(name, value);
            case LESS_THAN -> Expressions.lessThan(name, value);
            case LESS_THAN_OR_EQUAL -> Expressions.lessThanOrEqual(name, value);
            case GREATER_THAN -> Expressions.greaterThan(name, value);
            case GREATER_THAN_OR_EQUAL -> Expressions.greaterThanOrEqual(name, value);
            case IS_DISTINCT_FROM -> throw invalid(filter, "IS DISTINCT FROM is not supported");
        };
    }

    private static Types.NestedField column(io.trino.sql.tree.Expression expression, Schema schema, String filter)
    {
        if (!(expression instanceof Identifier identifier)) {
            throw invalid(filter, "expected a column name, got: " + expression);
        }
        Types.NestedField column = schema.caseInsensitiveFindField(identifier.getValue());
        if (column == null || !column.type().isPrimitiveType()) {
            throw invalid(filter, "the table has no column " + identifier.getValue() + " of a primitive type");
        }
        return column;
    }

    private static Object value(io.trino.sql.tree.Expression literal, Types.NestedField column, String filter)
    {
        String text = switch (literal) {
            case LongLiteral value -> value.getValue();
            case DecimalLiteral value -> value.getValue();
            case DoubleLiteral value -> String.valueOf(value.getValue());
            case StringLiteral value -> value.getValue();
            case GenericLiteral value -> value.getValue();
            case BooleanLiteral value -> String.valueOf(value.getValue());
            default -> throw invalid(filter, "expected a literal, got: " + literal);
        };
        Type type = column.type();
        try {
            return switch (type.typeId()) {
                case INTEGER -> Integer.parseInt(text);
                case LONG -> Long.parseLong(text);
                case FLOAT -> Float.parseFloat(text);
                case DOUBLE -> Double.parseDouble(text);
                case DECIMAL -> new BigDecimal(text).setScale(((Types.DecimalType) type).scale());
                case STRING -> text;
                case BOOLEAN -> Boolean.parseBoolean(text);
                case DATE -> Math.toIntExact(LocalDate.parse(text).toEpochDay());
                // Trino writes timestamp literals with a space; timestamps with time zone are compared in UTC
                case TIMESTAMP -> ChronoUnit.MICROS.between(EPOCH, LocalDateTime.parse(text.strip().replace(' ', 'T')));
                default -> throw invalid(filter, "columns of type %s cannot be filtered on".formatted(type));
            };
        }
        catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw invalid(filter, "'%s' is not a value of column %s (%s)".formatted(text, column.name(), type));
        }
    }

    private static TrinoException invalid(String filter, String reason)
    {
        return new TrinoException(INVALID_PROCEDURE_ARGUMENT, ("Invalid warm_cache filter '%s': %s. Use a predicate over the table's columns, " +
                "e.g. 'event_time >= TIMESTAMP ''2026-11-20 00:00:00'' AND region IN (''beijing'', ''shanghai'')'").formatted(filter, reason));
    }
}
