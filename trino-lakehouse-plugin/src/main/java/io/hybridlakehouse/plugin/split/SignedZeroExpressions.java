package io.hybridlakehouse.plugin.split;

import org.apache.iceberg.expressions.BoundPredicate;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.ExpressionVisitors;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Literal;
import org.apache.iceberg.expressions.UnboundPredicate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * In SQL {@code 0.0 = -0.0}, but Iceberg compares {@code real} and {@code double} values as
 * {@link Double#compare} does, {@code -0.0} below {@code 0.0}: {@code d = 0} does not match the
 * bounds of a file holding only {@code -0.0} ({@code [-0.0, -0.0]}, as ORC writes them), nor the
 * partition {@code -0.0}, and pruning by them skips rows the filter matches. The filters files
 * and segments are pruned with take the other zero wherever they take one: {@code = 0} and
 * {@code IN} lists both zeros, {@code >= 0} starts at {@code -0.0} and {@code <= -0.0} ends at
 * {@code 0.0}. Pruning only widens; the engine still checks each row against the filter.
 */
public final class SignedZeroExpressions
{
    private SignedZeroExpressions() {}

    public static Expression withBothZeros(Expression expression)
    {
        return ExpressionVisitors.visit(expression, new ExpressionVisitors.ExpressionVisitor<>()
        {
            @Override
            public Expression alwaysTrue()
            {
                return Expressions.alwaysTrue();
            }

            @Override
            public Expression alwaysFalse()
            {
                return Expressions.alwaysFalse();
            }

            @Override
            public Expression not(Expression result)
            {
                return Expressions.not(result);
            }

            @Override
            public Expression and(Expression leftResult, Expression rightResult)
            {
                return Expressions.and(leftResult, rightResult);
            }

            @Override
            public Expression or(Expression leftResult, Expression rightResult)
            {
                return Expressions.or(leftResult, rightResult);
            }

            @Override
            public <T> Expression predicate(BoundPredicate<T> predicate)
            {
                return predicate;
            }

            @Override
            public <T> Expression predicate(UnboundPredicate<T> predicate)
            {
                return withBothZeros(predicate);
            }
        });
    }

    @SuppressWarnings("unchecked") // the other zero of a literal's value is of its type
    private static <T> Expression withBothZeros(UnboundPredicate<T> predicate)
    {
        return switch (predicate.op()) {
            case EQ, IN -> {
                List<T> values = new ArrayList<>();
                for (Literal<T> literal : predicate.op() == Expression.Operation.EQ ? List.of(predicate.literal()) : predicate.literals()) {
                    values.add(literal.value());
                }
                List<T> others = values.stream()
                        .flatMap(value -> otherZero(value).stream())
                        .map(other -> (T) other)
                        .filter(other -> !values.contains(other))
                        .toList();
                if (others.isEmpty()) {
                    yield predicate;
                }
                values.addAll(others);
                yield Expressions.in(predicate.term(), values);
            }
            // -0.0 is below the bound 0.0 and 0.0 above the bound -0.0
            case GT_EQ -> isZero(predicate.literal().value(), false) ? Expressions.greaterThanOrEqual(predicate.term(), (T) otherZero(predicate.literal().value()).orElseThrow()) : predicate;
            case LT_EQ -> isZero(predicate.literal().value(), true) ? Expressions.lessThanOrEqual(predicate.term(), (T) otherZero(predicate.literal().value()).orElseThrow()) : predicate;
            default -> predicate;
        };
    }

    private static boolean isZero(Object value, boolean negative)
    {
        return otherZero(value).isPresent() && (value instanceof Double doubleValue
                ? (Double.doubleToRawLongBits(doubleValue) < 0) == negative
                : (Float.floatToRawIntBits((Float) value) < 0) == negative);
    }

    /**
     * {@code -0.0} for {@code 0.0} and the reverse, of the value's type; empty for any other value.
     */
    private static Optional<Object> otherZero(Object value)
    {
        if (value instanceof Double doubleValue && doubleValue == 0.0) {
            return Optional.of(Double.doubleToRawLongBits(doubleValue) < 0 ? 0.0 : -0.0);
        }
        if (value instanceof Float floatValue && floatValue == 0.0f) {
            return Optional.of(Float.floatToRawIntBits(floatValue) < 0 ? 0.0f : -0.0f);
        }
        return Optional.empty();
    }
}
