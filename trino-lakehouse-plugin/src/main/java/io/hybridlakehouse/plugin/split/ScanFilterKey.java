package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import org.apache.iceberg.expressions.And;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Literal;
import org.apache.iceberg.expressions.NamedReference;
import org.apache.iceberg.expressions.Not;
import org.apache.iceberg.expressions.Or;
import org.apache.iceberg.expressions.UnboundPredicate;

import java.util.List;
import java.util.Optional;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static java.util.Objects.requireNonNull;

/**
 * An Iceberg scan filter as a value. Two keys are equal only when their filters are the same
 * tree of the same operations on the same column names with equal literal values (by the
 * values' own {@code equals}: {@code 5} and {@code 5L}, {@code 1.0} and {@code 1.00}, {@code 0.0}
 * and {@code -0.0} differ), so the files Iceberg plans for one are the files of the other.
 * Iceberg's expressions have no equality of their own, and their printed or JSON forms drop
 * what tells some literals apart.
 */
sealed interface ScanFilterKey
{
    /**
     * The key of an unbound filter as Trino's {@code ExpressionConverter} builds them (constants,
     * {@code and}, {@code or}, {@code not}, predicates on column names); empty for any other
     * expression, which is then planned every time.
     */
    static Optional<ScanFilterKey> of(Expression expression)
    {
        return switch (expression.op()) {
            case TRUE -> Optional.of(new Constant(true));
            case FALSE -> Optional.of(new Constant(false));
            case NOT -> of(((Not) expression).child()).map(Negation::new);
            case AND -> {
                And and = (And) expression;
                yield of(and.left()).flatMap(left -> of(and.right()).map(right -> new Conjunction(left, right)));
            }
            case OR -> {
                Or or = (Or) expression;
                yield of(or.left()).flatMap(left -> of(or.right()).map(right -> new Disjunction(left, right)));
            }
            default -> expression instanceof UnboundPredicate<?> predicate ? ColumnPredicate.of(predicate) : Optional.empty();
        };
    }

    record Constant(boolean value)
            implements ScanFilterKey {}

    record Negation(ScanFilterKey child)
            implements ScanFilterKey
    {
        public Negation
        {
            requireNonNull(child, "child is null");
        }
    }

    record Conjunction(ScanFilterKey left, ScanFilterKey right)
            implements ScanFilterKey
    {
        public Conjunction
        {
            requireNonNull(left, "left is null");
            requireNonNull(right, "right is null");
        }
    }

    record Disjunction(ScanFilterKey left, ScanFilterKey right)
            implements ScanFilterKey
    {
        public Disjunction
        {
            requireNonNull(left, "left is null");
            requireNonNull(right, "right is null");
        }
    }

    record ColumnPredicate(Expression.Operation operation, String column, List<Object> values)
            implements ScanFilterKey
    {
        public ColumnPredicate
        {
            requireNonNull(operation, "operation is null");
            requireNonNull(column, "column is null");
            values = ImmutableList.copyOf(values);
        }

        static Optional<ScanFilterKey> of(UnboundPredicate<?> predicate)
        {
            if (!(predicate.term() instanceof NamedReference<?> reference)) {
                return Optional.empty();
            }
            // values keep their own equality: one that compares by identity only ever misses
            List<Object> values = predicate.literals() == null
                    ? ImmutableList.of()
                    : predicate.literals().stream().<Object>map(Literal::value).collect(toImmutableList());
            return Optional.of(new ColumnPredicate(predicate.op(), reference.name(), values));
        }
    }
}
