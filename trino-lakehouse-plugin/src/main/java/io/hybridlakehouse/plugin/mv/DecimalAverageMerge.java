package io.hybridlakehouse.plugin.mv;

import io.trino.spi.TrinoException;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.function.AccumulatorState;
import io.trino.spi.function.AggregationFunction;
import io.trino.spi.function.AggregationState;
import io.trino.spi.function.CombineFunction;
import io.trino.spi.function.InputFunction;
import io.trino.spi.function.LiteralParameters;
import io.trino.spi.function.OutputFunction;
import io.trino.spi.function.SqlType;
import io.trino.spi.function.TypeParameter;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Decimals;
import io.trino.spi.type.Int128;
import io.trino.spi.type.Int128Math;
import io.trino.spi.type.StandardTypes;
import io.trino.spi.type.Type;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

import static io.trino.spi.StandardErrorCode.NUMERIC_VALUE_OUT_OF_RANGE;

/**
 * A view's {@code avg} of a decimal column, from the sums and counts its state keeps per key.
 * Trino's {@code avg} of a decimal sums past 38 digits on the way where it must (the average
 * itself lies between the values, so it fits), and a view's state sums may hold such sums; Trino's
 * {@code sum} of them fails. This adds them in 128 bits with a count of overflows, as Trino's
 * {@code avg} does, and divides as it does, rounding half up, so reading the view answers what
 * its defining query answers.
 */
@AggregationFunction(value = DecimalAverageMerge.NAME, hidden = true)
public final class DecimalAverageMerge
{
    public static final String NAME = "$hybrid_decimal_avg_merge";
    private static final BigInteger TWO_TO_THE_128 = BigInteger.ONE.shiftLeft(128);

    private DecimalAverageMerge() {}

    public interface SumAndCountState
            extends AccumulatorState
    {
        long getSumHigh();

        void setSumHigh(long value);

        long getSumLow();

        void setSumLow(long value);

        long getOverflows();

        void setOverflows(long value);

        long getCount();

        void setCount(long value);
    }

    @InputFunction
    @LiteralParameters({"p", "s"})
    public static void input(@AggregationState SumAndCountState state, @SqlType("decimal(p, s)") Int128 sum, @SqlType(StandardTypes.BIGINT) long count)
    {
        add(state, sum.getHigh(), sum.getLow(), 0, count);
    }

    @CombineFunction
    public static void combine(@AggregationState SumAndCountState state, @AggregationState SumAndCountState other)
    {
        add(state, other.getSumHigh(), other.getSumLow(), other.getOverflows(), other.getCount());
    }

    private static void add(SumAndCountState state, long high, long low, long overflows, long count)
    {
        long[] sum = new long[2];
        long overflow = Int128Math.addWithOverflow(state.getSumHigh(), state.getSumLow(), high, low, sum, 0);
        state.setSumHigh(sum[0]);
        state.setSumLow(sum[1]);
        state.setOverflows(state.getOverflows() + overflows + overflow);
        state.setCount(state.getCount() + count);
    }

    @OutputFunction("decimal(p, s)")
    public static void output(@TypeParameter("decimal(p, s)") Type type, @AggregationState SumAndCountState state, BlockBuilder out)
    {
        if (state.getCount() == 0) {
            out.appendNull();
            return;
        }
        DecimalType decimal = (DecimalType) type;
        BigInteger sum = Int128.valueOf(state.getSumHigh(), state.getSumLow()).toBigInteger()
                .add(BigInteger.valueOf(state.getOverflows()).multiply(TWO_TO_THE_128));
        BigInteger average = new BigDecimal(sum, decimal.getScale())
                .divide(BigDecimal.valueOf(state.getCount()), decimal.getScale(), RoundingMode.HALF_UP)
                .unscaledValue();
        if (Decimals.overflows(average, decimal.getPrecision())) {
            throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "Decimal overflow");
        }
        decimal.writeObject(out, Int128.valueOf(average));
    }
}
