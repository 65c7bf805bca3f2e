package io.hybridlakehouse.plugin.mv;

import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Type;
import io.trino.spi.type.VarcharType;

import java.math.BigDecimal;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.RealType.REAL;
import static io.trino.spi.type.SmallintType.SMALLINT;
import static io.trino.spi.type.TinyintType.TINYINT;
import static java.lang.Float.floatToIntBits;
import static java.lang.Float.intBitsToFloat;

/**
 * Values as Java hash keys that are equal exactly when Trino finds them equal. Java's
 * {@code Double.equals} tells {@code -0.0} from {@code 0.0}, and a {@code real} is held as the
 * raw bits of its float, so every NaN pattern would be a key of its own; Trino puts
 * {@code -0.0} and {@code 0.0} in one group and all NaNs in one group, and its joins match
 * {@code -0.0} with {@code 0.0} and NaN with nothing.
 */
public final class KeyValues
{
    private static final long NEGATIVE_ZERO_BITS = Double.doubleToRawLongBits(-0.0);
    private static final Long REAL_ZERO = (long) floatToIntBits(0.0f);
    private static final Long REAL_NAN = (long) floatToIntBits(Float.NaN);

    private KeyValues() {}

    /**
     * A grouping key's value (native representation of {@code type}) as Trino's GROUP BY tells
     * groups apart.
     */
    static Object groupKey(Object value, Type type)
    {
        if (value == null) {
            return null;
        }
        if (type == DOUBLE) {
            // Double.equals already takes every NaN as one
            return Double.doubleToRawLongBits((double) value) == NEGATIVE_ZERO_BITS ? (Object) 0.0 : value;
        }
        if (type == REAL) {
            float number = intBitsToFloat(Math.toIntExact((long) value));
            if (number == 0) {
                return REAL_ZERO;
            }
            return Float.isNaN(number) ? REAL_NAN : value;
        }
        return value;
    }

    /**
     * A join key's value as a hash key that equals the same value of another exact numeric type
     * (join keys of integer and bigint or decimal columns, say), or {@code null} where it matches
     * nothing: SQL NULL, and NaN, which no equality holds for.
     */
    static Object joinKey(Object value, Type type)
    {
        if (value == null) {
            return null;
        }
        if (type instanceof DecimalType) {
            BigDecimal decimal = RowExpressions.toBigDecimal(value, type).stripTrailingZeros();
            return decimal.scale() <= 0 && decimal.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 && decimal.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0 ? (Object) decimal.longValueExact() : decimal;
        }
        if (type == DOUBLE && Double.isNaN((double) value) || type == REAL && Float.isNaN(intBitsToFloat(Math.toIntExact((long) value)))) {
            return null;
        }
        return groupKey(value, type);
    }

    /**
     * Whether {@link #joinKey} gives equal keys exactly where Trino's equality of a probe value
     * and a dimension value holds: values of one type, of exact numeric types (Trino compares
     * them as decimals, which is by value), or of varchar types. Trino compares a bigint with a
     * double, or a date with a timestamp, in a common type the keys would have to be cast to.
     */
    static boolean comparableJoinKeys(Type probe, Type dimension)
    {
        return probe.equals(dimension)
                || isExactNumeric(probe) && isExactNumeric(dimension)
                || probe instanceof VarcharType && dimension instanceof VarcharType;
    }

    private static boolean isExactNumeric(Type type)
    {
        return type == TINYINT || type == SMALLINT || type == INTEGER || type == BIGINT || type instanceof DecimalType;
    }
}
