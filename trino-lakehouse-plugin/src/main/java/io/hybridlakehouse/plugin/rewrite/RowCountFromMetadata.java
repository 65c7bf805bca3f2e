package io.hybridlakehouse.plugin.rewrite;

import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.AggregateFunction;
import io.trino.spi.connector.ColumnHandle;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static io.trino.spi.type.BigintType.BIGINT;

/**
 * {@code count(*)} of a whole table from the row counts its metadata records: the Iceberg
 * snapshot's {@code total-records} and the visible hot segments' row counts, the same segments
 * and snapshot a scan of the table reads. Only where these are exactly the rows a scan returns:
 * no filter, no limit, no row-level deletes in the snapshot (a delete file's rows would be
 * counted), and a snapshot whose summary carries its totals (Iceberg leaves them out when an
 * earlier writer did not record them).
 */
public final class RowCountFromMetadata
{
    private RowCountFromMetadata() {}

    /**
     * Whether the aggregation is one {@code count(*)} over all rows, grouped by nothing.
     */
    public static boolean isCountOfAllRows(List<AggregateFunction> aggregates, List<List<ColumnHandle>> groupingSets)
    {
        if (aggregates.size() != 1 || !groupingSets.equals(List.of(List.of()))) {
            return false;
        }
        AggregateFunction count = aggregates.getFirst();
        return count.getFunctionName().equals("count")
                && count.getArguments().isEmpty()
                && !count.isDistinct()
                && count.getFilter().isEmpty()
                && count.getSortItems().isEmpty()
                && count.getOutputType().equals(BIGINT);
    }

    /**
     * Whether a scan of the handle returns every row of its snapshot: nothing filters or limits it.
     */
    public static boolean readsAllRows(IcebergTableHandle handle)
    {
        return handle.getEnforcedPredicate().isAll()
                && handle.getUnenforcedPredicate().isAll()
                && handle.getLimit().isEmpty()
                && !handle.isRecordScannedFiles()
                && handle.getMaxScannedFileSize().isEmpty();
    }

    /**
     * The rows of the handle's snapshot, if its summary tells them exactly.
     */
    public static OptionalLong snapshotRows(Table table, IcebergTableHandle handle)
    {
        if (handle.getSnapshotId().isEmpty()) {
            // a table without a snapshot holds no rows
            return OptionalLong.of(0);
        }
        Snapshot snapshot = table.snapshot(handle.getSnapshotId().get());
        if (snapshot == null || snapshot.summary() == null) {
            return OptionalLong.empty();
        }
        Map<String, String> summary = snapshot.summary();
        if (!"0".equals(summary.get(SnapshotSummary.TOTAL_POS_DELETES_PROP)) || !"0".equals(summary.get(SnapshotSummary.TOTAL_EQ_DELETES_PROP))) {
            return OptionalLong.empty();
        }
        String records = summary.get(SnapshotSummary.TOTAL_RECORDS_PROP);
        if (records == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(records));
        }
        catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
