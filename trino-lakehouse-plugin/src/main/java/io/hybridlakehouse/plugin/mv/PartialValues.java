package io.hybridlakehouse.plugin.mv;

import io.trino.spi.TrinoException;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Type;

import java.math.BigInteger;

import static io.trino.spi.StandardErrorCode.NUMERIC_VALUE_OUT_OF_RANGE;
import static io.trino.spi.type.DoubleType.DOUBLE;

/**
 * How two partial aggregates of a view merge, on Trino's native values: what compaction
 * folds into one row per key and what a rewritten query merges into one row per group.
 */
public final class PartialValues
{
    private PartialValues() {}

    private static final BigInteger DECIMAL_LIMIT = BigInteger.TEN.pow(38);

    /**
     * The sum of two partial sums or counts of the type; NULL (no value yet) takes the other. A
     * bigint sum fails on overflow, as Trino's {@code sum} does; a decimal sum may run past 38
     * digits on the way, as Trino's does, and {@link #checkDecimalSum} checks the final one.
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
        return addBigint((long) left, (long) right);
    }

    /**
     * Adds as Trino's {@code sum(bigint)} does, failing with Trino's error on overflow.
     */
    public static long addBigint(long left, long right)
    {
        try {
            return Math.addExact(left, right);
        }
        catch (ArithmeticException e) {
            throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "bigint addition overflow: %s + %s".formatted(left, right), e);
        }
    }

    /**
     * A decimal sum as Trino's {@code sum} returns it: past 38 digits it fails with Trino's error.
     */
    public static Object checkDecimalSum(Object sum, DecimalType type)
    {
        if (sum != null && !fitsDecimal(RowExpressions.unscaled(sum))) {
            throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "Decimal overflow");
        }
        return sum;
    }

    /**
     * Whether an unscaled value has at most the 38 digits of a decimal.
     */
    static boolean fitsDecimal(BigInteger unscaled)
    {
        return unscaled.abs().compareTo(DECIMAL_LIMIT) < 0;
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
