package io.hybridlakehouse.plugin.statistics;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.trino.plugin.iceberg.aggregation.DataSketchStateSerializer;
import io.trino.spi.block.Block;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.expression.FunctionName;
import io.trino.spi.statistics.ColumnStatisticMetadata;
import io.trino.spi.statistics.ComputedStatistics;
import io.trino.spi.statistics.TableStatisticsMetadata;
import org.apache.datasketches.theta.CompactSketch;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static io.trino.plugin.iceberg.IcebergMetadata.NUMBER_OF_DISTINCT_VALUES_NAME;
import static java.util.Locale.ENGLISH;

/**
 * What the engine computes for a write or an {@code ANALYZE} of our tables: a theta sketch
 * per scalar column, as the stock Iceberg connector collects, through our own aggregation
 * (see {@link HybridThetaSketchForStats}). Iceberg's metadata reads the result by its
 * statistic id, so the same {@link ComputedStatistics} feed its Puffin writer unchanged.
 */
public final class DistinctValueCollection
{
    private static final FunctionName SKETCH_FUNCTION = new FunctionName(HybridThetaSketchForStats.NAME);

    private DistinctValueCollection() {}

    public static TableStatisticsMetadata forColumns(List<ColumnMetadata> columns)
    {
        Set<ColumnStatisticMetadata> statistics = columns.stream()
                .filter(column -> !column.isHidden())
                .filter(column -> column.getType().getTypeParameters().isEmpty())
                .map(column -> new ColumnStatisticMetadata(column.getName(), NUMBER_OF_DISTINCT_VALUES_NAME, SKETCH_FUNCTION))
                .collect(ImmutableSet.toImmutableSet());
        return new TableStatisticsMetadata(statistics, ImmutableSet.of(), ImmutableList.of());
    }

    /**
     * Iceberg's collection with our aggregation in place of the stock plugin's, which may not be installed.
     */
    public static TableStatisticsMetadata withOurSketchFunction(TableStatisticsMetadata metadata)
    {
        Set<ColumnStatisticMetadata> statistics = metadata.getColumnStatistics().stream()
                .map(statistic -> statistic.getConnectorAggregationId().equals(NUMBER_OF_DISTINCT_VALUES_NAME)
                        ? new ColumnStatisticMetadata(statistic.getColumnName(), NUMBER_OF_DISTINCT_VALUES_NAME, SKETCH_FUNCTION)
                        : statistic)
                .collect(ImmutableSet.toImmutableSet());
        return new TableStatisticsMetadata(statistics, metadata.getTableStatistics(), metadata.getGroupingColumns());
    }

    /**
     * The sketches the engine computed for a write, by the field ids of the table's schema.
     */
    public static ColumnSketches sketches(Schema schema, Collection<ComputedStatistics> computedStatistics)
    {
        Map<String, Integer> fieldIds = schema.columns().stream()
                .collect(toImmutableMap(field -> field.name().toLowerCase(ENGLISH), Types.NestedField::fieldId));
        Map<Integer, CompactSketch> sketches = new HashMap<>();
        for (ComputedStatistics computed : computedStatistics) {
            for (Map.Entry<ColumnStatisticMetadata, Block> entry : computed.getColumnStatistics().entrySet()) {
                Integer fieldId = fieldIds.get(entry.getKey().getColumnName());
                if (fieldId == null || !entry.getKey().getConnectorAggregationId().equals(NUMBER_OF_DISTINCT_VALUES_NAME) || entry.getValue().isNull(0)) {
                    continue;
                }
                sketches.merge(fieldId, DataSketchStateSerializer.deserialize(entry.getValue(), 0), ColumnSketches::union);
            }
        }
        return new ColumnSketches(sketches);
    }
}
