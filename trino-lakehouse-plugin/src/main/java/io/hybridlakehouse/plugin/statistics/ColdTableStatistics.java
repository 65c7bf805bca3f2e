package io.hybridlakehouse.plugin.statistics;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.statistics.ColumnStatistics;
import io.trino.spi.statistics.TableStatistics;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static io.trino.plugin.iceberg.IcebergSessionProperties.isExtendedStatisticsEnabled;
import static io.trino.plugin.iceberg.IcebergSessionProperties.isStatisticsEnabled;
import static io.trino.plugin.iceberg.TableStatisticsReader.getLatestStatisticsFile;
import static java.util.Objects.requireNonNull;

/**
 * Iceberg's statistics of a snapshot, kept across queries. Iceberg computes them from the
 * snapshot's manifests (and its Puffin file) in every query that plans a scan, and keeps them
 * only for the transaction; a snapshot never changes, so within one catalog the same scan of
 * the same snapshot always gets the same figures. The key holds everything Iceberg's
 * computation reads: the table location and snapshot, the schema, the scan's predicates, the
 * statistics file of the snapshot (an {@code ANALYZE} replaces it without a new snapshot) and
 * the session's extended-statistics switch. Like Iceberg's own per-transaction cache, an entry
 * holds the columns asked for so far and is extended when a scan projects others.
 */
public class ColdTableStatistics
{
    // one entry per distinct scan (table, snapshot, predicates): enough for a BI working set
    private static final long MAX_ENTRIES = 2_000;

    // Guava's cache rather than Trino's EvictableCache, which refuses put: an entry is replaced when extended
    private final Cache<Key, TableStatistics> statistics = CacheBuilder.newBuilder()
            .maximumSize(MAX_ENTRIES)
            .build();

    /**
     * The statistics of the scan {@code handle} of {@code table}, computed by {@code iceberg} (Iceberg's
     * {@code getTableStatistics} for the handle) unless an earlier query already did for its columns.
     */
    public TableStatistics get(ConnectorSession session, IcebergTableHandle handle, Table table, Supplier<TableStatistics> iceberg)
    {
        if (!isStatisticsEnabled(session) || handle.getSnapshotId().isEmpty() || handle.isRecordScannedFiles() || handle.getMaxScannedFileSize().isPresent()) {
            return iceberg.get();
        }
        long snapshotId = handle.getSnapshotId().get();
        Key key = new Key(
                handle.getTableLocation(),
                snapshotId,
                handle.getTableSchemaJson(),
                handle.getEnforcedPredicate(),
                handle.getUnenforcedPredicate(),
                getLatestStatisticsFile(table, snapshotId).map(StatisticsFile::path),
                isExtendedStatisticsEnabled(session));
        TableStatistics known = statistics.getIfPresent(key);
        if (known != null && known.getColumnStatistics().keySet().containsAll(handle.getProjectedColumns())) {
            return known;
        }
        TableStatistics computed = iceberg.get();
        statistics.put(key, known == null ? computed : merged(known, computed));
        return computed;
    }

    private static TableStatistics merged(TableStatistics known, TableStatistics computed)
    {
        Map<ColumnHandle, ColumnStatistics> columns = new HashMap<>(known.getColumnStatistics());
        columns.putAll(computed.getColumnStatistics());
        return new TableStatistics(computed.getRowCount(), columns);
    }

    private record Key(
            String tableLocation,
            long snapshotId,
            String schemaJson,
            TupleDomain<IcebergColumnHandle> enforced,
            TupleDomain<IcebergColumnHandle> unenforced,
            Optional<String> statisticsFile,
            boolean extendedStatistics)
    {
        private Key
        {
            requireNonNull(tableLocation, "tableLocation is null");
            requireNonNull(schemaJson, "schemaJson is null");
            requireNonNull(enforced, "enforced is null");
            requireNonNull(unenforced, "unenforced is null");
            requireNonNull(statisticsFile, "statisticsFile is null");
        }
    }
}
