package io.hybridlakehouse.plugin.mv;

import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Type;

import static io.trino.spi.type.DoubleType.DOUBLE;

/**
 * How two partial aggregates of a view merge, on Trino's native values: what compaction
 * folds into one row per key and what a rewritten query merges into one row per group.
 */
public final class PartialValues
{
    private PartialValues() {}

    /**
     * The sum of two partial sums or counts of the type; NULL (no value yet) takes the other.
     */
    public static Object sum(Object left, Object right, Type type)
    {
        if (left == null || right == null) {
            return left == null ? right : left;
        }
        if (type == DOUBLE) {
            return (double) left + (double) right;
        }
        if (type instanceof DecimalType decimal) {
            return RowExpressions.decimalOf(RowExpressions.unscaled(left).add(RowExpressions.unscaled(right)), decimal);
        }
        return Math.addExact((long) left, (long) right);
    }

    /**
     * The larger ({@code maximum}) or smaller of two partial extremes; NULL takes the other.
     */
    public static Object extreme(Object left, Object right, Type type, boolean maximum)
    {
        if (left == null || right == null) {
            return left == null ? right : left;
        }
        int order = RowExpressions.compare(right, type, left, type);
        return (maximum ? order > 0 : order < 0) ? right : left;
    }
}
