package io.hybridlakehouse.plugin.metadata;

import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.statistics.ColumnStatistics;
import io.trino.spi.statistics.DoubleRange;
import io.trino.spi.statistics.Estimate;
import io.trino.spi.statistics.TableStatistics;
import io.trino.spi.type.FixedWidthType;
import io.trino.spi.type.Type;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.MetricsModes;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.Supplier;

import static io.trino.plugin.iceberg.IcebergTypes.convertIcebergValueToTrino;
import static io.trino.spi.type.VarbinaryType.VARBINARY;
import static io.trino.spi.type.VarcharType.VARCHAR;

/**
 * Statistics of both tiers: the cold side's from Iceberg, the hot side's from the metrics
 * each segment's writer recorded (row and null counts, sizes and bounds per column), without
 * opening files, read the way Iceberg reads its manifests; distinct values from the sketches
 * of both tiers.
 */
final class HybridTableStatistics
{
    private HybridTableStatistics() {}

    /**
     * @param coldEmpty whether the Iceberg snapshot holds no rows (then {@code cold} has no columns)
     * @param distinctValues distinct values of a field over both tiers, where the sketches of both are known
     */
    static TableStatistics combine(
            TableStatistics cold,
            boolean coldEmpty,
            Collection<IcebergColumnHandle> columns,
            Schema schema,
            MetricsConfig metricsConfig,
            List<CommitTaskData> hotSegments,
            Function<Integer, OptionalDouble> distinctValues)
    {
        if (hotSegments.isEmpty()) {
            return cold;
        }
        double coldRows;
        if (coldEmpty) {
            coldRows = 0;
        }
        else if (cold.getRowCount().isUnknown()) {
            return cold;
        }
        else {
            coldRows = cold.getRowCount().getValue();
        }
        long hotRows = hotSegments.stream().mapToLong(segment -> segment.metrics().recordCount()).sum();
        double totalRows = coldRows + hotRows;

        TableStatistics.Builder combined = TableStatistics.builder().setRowCount(Estimate.of(totalRows));
        for (IcebergColumnHandle handle : columns) {
            Types.NestedField field = schema.findField(handle.getId());
            if (field == null) {
                continue;
            }
            ColumnStatistics coldColumn = cold.getColumnStatistics().getOrDefault(handle, ColumnStatistics.empty());
            ColumnStatistics.Builder column = ColumnStatistics.builder();

            Optional<Long> hotNulls = hotNulls(hotSegments, field, metricsConfig);
            if (hotNulls.isPresent() && totalRows > 0 && (coldEmpty || !coldColumn.getNullsFraction().isUnknown())) {
                double coldNulls = coldEmpty ? 0 : coldColumn.getNullsFraction().getValue() * coldRows;
                column.setNullsFraction(Estimate.of((coldNulls + hotNulls.get()) / totalRows));
            }

            hotDataSize(handle.getBaseType(), sum(hotSegments, metrics -> metrics.columnSizes(), field.fieldId()))
                    .filter(_ -> coldEmpty || !coldColumn.getDataSize().isUnknown())
                    .ifPresent(hotSize -> column.setDataSize(Estimate.of((coldEmpty ? 0 : coldColumn.getDataSize().getValue()) + hotSize)));

            combinedRange(coldColumn, coldEmpty, hotRange(handle.getType(), field, hotSegments)).ifPresent(column::setRange);

            OptionalDouble distinct = distinctValues.apply(field.fieldId());
            if (distinct.isPresent()) {
                column.setDistinctValuesCount(Estimate.of(distinct.getAsDouble()));
            }
            else if (!coldEmpty) {
                // hot rows can only add values: the cold count stays a valid lower bound the planner can use
                column.setDistinctValuesCount(coldColumn.getDistinctValuesCount());
            }
            combined.setColumnStatistics(handle, column.build());
        }
        return combined.build();
    }

    /**
     * The columns Iceberg gave statistics for, or all of them where the snapshot holds no rows.
     */
    static Collection<IcebergColumnHandle> columnsOf(TableStatistics cold, Supplier<Collection<ColumnHandle>> allColumns)
    {
        Collection<ColumnHandle> columns = cold.getColumnStatistics().isEmpty() ? allColumns.get() : cold.getColumnStatistics().keySet();
        return columns.stream().map(IcebergColumnHandle.class::cast).toList();
    }

    /**
     * The NULLs of a column in the hot rows. A segment the writer recorded metrics of this column
     * for (its metrics mode is not {@code none}) but that has none for it was written before the
     * column was added: all its rows read NULL there, as Iceberg's statistics count such files.
     */
    private static Optional<Long> hotNulls(List<CommitTaskData> segments, Types.NestedField field, MetricsConfig metricsConfig)
    {
        boolean recorded = !(metricsConfig.columnMode(field.name()) instanceof MetricsModes.None);
        long total = 0;
        for (CommitTaskData segment : segments) {
            org.apache.iceberg.Metrics metrics = segment.metrics().metrics();
            Long nulls = metrics.nullValueCounts() == null ? null : metrics.nullValueCounts().get(field.fieldId());
            if (nulls == null && recorded && field.type().isPrimitiveType()
                    && metrics.valueCounts() != null && !metrics.valueCounts().isEmpty() && !metrics.valueCounts().containsKey(field.fieldId())) {
                nulls = metrics.recordCount();
            }
            if (nulls == null) {
                return Optional.empty();
            }
            total += nulls;
        }
        return Optional.of(total);
    }

    private static Optional<Long> sum(List<CommitTaskData> segments, Function<org.apache.iceberg.Metrics, Map<Integer, Long>> metric, int fieldId)
    {
        long total = 0;
        for (CommitTaskData segment : segments) {
            Map<Integer, Long> values = metric.apply(segment.metrics().metrics());
            Long value = values == null ? null : values.get(fieldId);
            if (value == null) {
                return Optional.empty();
            }
            total += value;
        }
        return Optional.of(total);
    }

    /**
     * The in-memory size Iceberg's statistics derive from the size on disk (see Trino's
     * {@code TableStatisticsReader}): none for fixed-width types, which the planner sizes by type.
     */
    private static Optional<Double> hotDataSize(Type type, Optional<Long> sizeOnDisk)
    {
        if (type instanceof FixedWidthType) {
            return Optional.empty();
        }
        double factor = type == VARCHAR ? 2.7 : type == VARBINARY ? 1.4 : 1;
        return sizeOnDisk.map(size -> size * factor);
    }

    /**
     * The range over both tiers where each tier's is known: a tier holding only nulls in the
     * column has no range and leaves the other's as it is.
     */
    private static Optional<DoubleRange> combinedRange(ColumnStatistics cold, boolean coldEmpty, HotRange hot)
    {
        if (!hot.known()) {
            return Optional.empty();
        }
        boolean coldOnlyNulls = coldEmpty || (!cold.getNullsFraction().isUnknown() && cold.getNullsFraction().getValue() == 1.0);
        if (coldOnlyNulls) {
            return hot.range();
        }
        if (cold.getRange().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(hot.range().map(range -> DoubleRange.union(cold.getRange().get(), range)).orElse(cold.getRange().get()));
    }

    /**
     * The range of the hot rows' values of a column, if {@code known}; an empty range where they are all null.
     */
    private record HotRange(boolean known, Optional<DoubleRange> range)
    {
        static final HotRange UNKNOWN = new HotRange(false, Optional.empty());
    }

    private static HotRange hotRange(Type type, Types.NestedField field, List<CommitTaskData> segments)
    {
        if (!field.type().isPrimitiveType()) {
            return HotRange.UNKNOWN;
        }
        Optional<DoubleRange> range = Optional.empty();
        for (CommitTaskData segment : segments) {
            org.apache.iceberg.Metrics metrics = segment.metrics().metrics();
            Long nulls = metrics.nullValueCounts() == null ? null : metrics.nullValueCounts().get(field.fieldId());
            if (nulls != null && nulls.longValue() == metrics.recordCount()) {
                // only nulls: no bounds, nothing to widen
                continue;
            }
            ByteBuffer lower = metrics.lowerBounds() == null ? null : metrics.lowerBounds().get(field.fieldId());
            ByteBuffer upper = metrics.upperBounds() == null ? null : metrics.upperBounds().get(field.fieldId());
            if (lower == null || upper == null) {
                return HotRange.UNKNOWN;
            }
            Optional<DoubleRange> segmentRange = DoubleRange.from(type,
                    convertIcebergValueToTrino(field.type(), Conversions.fromByteBuffer(field.type(), lower)),
                    convertIcebergValueToTrino(field.type(), Conversions.fromByteBuffer(field.type(), upper)));
            if (segmentRange.isEmpty()) {
                return HotRange.UNKNOWN;
            }
            range = Optional.of(range.map(value -> DoubleRange.union(value, segmentRange.get())).orElse(segmentRange.get()));
        }
        return new HotRange(true, range);
    }
}
