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
     * bigint sum fails on overflow, as Trino's {@code sum} does; a decimal one must fit its type
     * (see {@link #sumFits} and {@link #addUnscaled} for sums that may run past it on the way).
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
     * A running decimal sum kept unscaled and unbounded, as Trino's {@code sum} and {@code avg}
     * may run past 38 digits on the way; NULL (no value yet) takes the other.
     */
    public static BigInteger addUnscaled(BigInteger sum, Object value)
    {
        if (value == null) {
            return sum;
        }
        BigInteger unscaled = RowExpressions.unscaled(value);
        return sum == null ? unscaled : sum.add(unscaled);
    }

    /**
     * A decimal sum as Trino's {@code sum} returns it: past 38 digits it fails with Trino's error.
     */
    public static Object decimalSum(BigInteger unscaled, DecimalType type)
    {
        if (unscaled == null) {
            return null;
        }
        if (!fitsDecimal(unscaled)) {
            throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "Decimal overflow");
        }
        return RowExpressions.decimalOf(unscaled, type);
    }

    /**
     * Whether two partial decimal sums (NULL for none) add up to a value a state row can hold:
     * 38 digits for a {@code sum}, the 128 bits of a long decimal for the sum an {@code avg} keeps.
     */
    public static boolean sumFits(Object left, Object right, boolean within38Digits)
    {
        if (left == null || right == null) {
            return true;
        }
        BigInteger sum = RowExpressions.unscaled(left).add(RowExpressions.unscaled(right));
        return within38Digits ? fitsDecimal(sum) : fitsLongDecimal(sum);
    }

    /**
     * Whether two partial bigint sums (NULL for none) add up without overflow.
     */
    public static boolean bigintSumFits(Object left, Object right)
    {
        if (left == null || right == null) {
            return true;
        }
        long sum = (long) left + (long) right;
        // overflow: both operands have the sign the sum lacks
        return (((long) left ^ sum) & ((long) right ^ sum)) >= 0;
    }

    /**
     * Whether an unscaled value has at most the 38 digits of a decimal.
     */
    static boolean fitsDecimal(BigInteger unscaled)
    {
        return unscaled.abs().compareTo(DECIMAL_LIMIT) < 0;
    }

    /**
     * Whether an unscaled value fits the 128 bits of a long decimal.
     */
    static boolean fitsLongDecimal(BigInteger unscaled)
    {
        return unscaled.bitLength() <= 127;
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
