package io.hybridlakehouse.plugin.statistics;

import io.trino.plugin.iceberg.aggregation.DataSketchState;
import io.trino.plugin.iceberg.aggregation.IcebergThetaSketchForStats;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.block.ValueBlock;
import io.trino.spi.function.AggregationFunction;
import io.trino.spi.function.AggregationState;
import io.trino.spi.function.BlockIndex;
import io.trino.spi.function.BlockPosition;
import io.trino.spi.function.CombineFunction;
import io.trino.spi.function.InputFunction;
import io.trino.spi.function.OutputFunction;
import io.trino.spi.function.SqlType;
import io.trino.spi.function.TypeParameter;
import io.trino.spi.type.StandardTypes;
import io.trino.spi.type.Type;

/**
 * The theta sketch Iceberg's Puffin statistics hold, computed by the engine while a write
 * runs. Iceberg's own function ({@code $iceberg_theta_stat}) belongs to the stock Iceberg
 * plugin, which registers it globally: registering it again from this plugin fails when
 * both are installed, and without the stock plugin the name does not resolve. This one
 * has its own name and Iceberg's implementation, so its sketches are Iceberg's.
 */
@AggregationFunction(value = HybridThetaSketchForStats.NAME, hidden = true)
public final class HybridThetaSketchForStats
{
    public static final String NAME = "$hybrid_theta_stat";

    private HybridThetaSketchForStats() {}

    @InputFunction
    @TypeParameter("T")
    public static void input(@TypeParameter("T") Type type, @AggregationState DataSketchState state, @BlockPosition @SqlType("T") ValueBlock block, @BlockIndex int index)
    {
        IcebergThetaSketchForStats.input(type, state, block, index);
    }

    @CombineFunction
    public static void combine(@AggregationState DataSketchState state, @AggregationState DataSketchState otherState)
    {
        IcebergThetaSketchForStats.combine(state, otherState);
    }

    @OutputFunction(StandardTypes.VARBINARY)
    public static void output(@AggregationState DataSketchState state, BlockBuilder out)
    {
        IcebergThetaSketchForStats.output(state, out);
    }
}
