package io.hybridlakehouse.plugin.metadata;

import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.statistics.ColumnStatistics;
import io.trino.spi.statistics.Estimate;
import io.trino.spi.statistics.TableStatistics;

import java.util.List;
import java.util.Map;

/**
 * Statistics of both tiers: the cold side's from Iceberg, the hot side's from the metrics
 * each segment's writer recorded (row and null counts per column), without opening files.
 */
final class HybridTableStatistics
{
    private HybridTableStatistics() {}

    static TableStatistics combine(IcebergTableHandle table, TableStatistics cold, List<CommitTaskData> hotSegments)
    {
        long hotRows = hotSegments.stream().mapToLong(segment -> segment.metrics().recordCount()).sum();
        if (hotSegments.isEmpty()) {
            return cold;
        }
        double coldRows;
        if (table.getSnapshotId().isEmpty()) {
            coldRows = 0;
        }
        else if (cold.getRowCount().isUnknown()) {
            return cold;
        }
        else {
            coldRows = cold.getRowCount().getValue();
        }
        double totalRows = coldRows + hotRows;

        TableStatistics.Builder combined = TableStatistics.builder().setRowCount(Estimate.of(totalRows));
        for (Map.Entry<ColumnHandle, ColumnStatistics> entry : cold.getColumnStatistics().entrySet()) {
            int fieldId = ((IcebergColumnHandle) entry.getKey()).getId();
            ColumnStatistics coldColumn = entry.getValue();
            ColumnStatistics.Builder column = ColumnStatistics.builder();
            Long hotNulls = hotNullCount(hotSegments, fieldId);
            if (hotNulls != null && !coldColumn.getNullsFraction().isUnknown() && totalRows > 0) {
                column.setNullsFraction(Estimate.of((coldColumn.getNullsFraction().getValue() * coldRows + hotNulls) / totalRows));
            }
            // hot rows can only add values: the cold count stays a valid lower bound the planner can use
            column.setDistinctValuesCount(coldColumn.getDistinctValuesCount());
            combined.setColumnStatistics(entry.getKey(), column.build());
        }
        return combined.build();
    }

    private static Long hotNullCount(List<CommitTaskData> segments, int fieldId)
    {
        long nulls = 0;
        for (CommitTaskData segment : segments) {
            Map<Integer, Long> counts = segment.metrics().nullValueCounts();
            if (counts == null || !counts.containsKey(fieldId)) {
                return null;
            }
            nulls += counts.get(fieldId);
        }
        return nulls;
    }
}
