package io.hybridlakehouse.plugin.system;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.segment.HotTierStats;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.tiering.TieringService;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DateTimeEncoding.packDateTimeWithZone;
import static io.trino.spi.type.TimeZoneKey.UTC_KEY;
import static io.trino.spi.type.TimestampWithTimeZoneType.TIMESTAMP_TZ_MILLIS;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * {@code system.tiering_status}: per table, what is hot and how the latest tiering went.
 */
public class TieringStatusTable
        implements SystemTable
{
    private static final ConnectorTableMetadata METADATA = new ConnectorTableMetadata(
            new SchemaTableName("system", "tiering_status"),
            ImmutableList.of(
                    new ColumnMetadata("table_schema", VARCHAR),
                    new ColumnMetadata("table_name", VARCHAR),
                    new ColumnMetadata("mode", VARCHAR),
                    new ColumnMetadata("hot_segments", BIGINT),
                    new ColumnMetadata("hot_rows", BIGINT),
                    new ColumnMetadata("hot_bytes", BIGINT),
                    new ColumnMetadata("oldest_hot_segment_age_seconds", BIGINT),
                    new ColumnMetadata("last_tiering_time", TIMESTAMP_TZ_MILLIS),
                    new ColumnMetadata("last_tiering_result", VARCHAR),
                    new ColumnMetadata("last_tiering_duration_millis", BIGINT),
                    new ColumnMetadata("last_error", VARCHAR)));

    private final SegmentStore segmentStore;
    private final TieringService tieringService;

    @Inject
    public TieringStatusTable(SegmentStore segmentStore, TieringService tieringService)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.tieringService = requireNonNull(tieringService, "tieringService is null");
    }

    @Override
    public Distribution getDistribution()
    {
        return Distribution.SINGLE_COORDINATOR;
    }

    @Override
    public ConnectorTableMetadata getTableMetadata()
    {
        return METADATA;
    }

    @Override
    public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint, Set<Integer> requiredColumns, ConnectorSplit split, ConnectorAccessControl accessControl)
    {
        InMemoryRecordSet.Builder rows = InMemoryRecordSet.builder(METADATA);
        Instant now = Instant.now();
        List<HybridTableState> tables = segmentStore.listTables();
        Map<String, HotTierStats> hotTier = segmentStore.hotTierStats();
        // the engine checks access to this table, not to the tables its rows name: a user sees the rows of the tables they may see
        Set<SchemaTableName> visible = accessControl.filterTables(null, tables.stream().map(HybridTableState::name).collect(toImmutableSet()));
        for (HybridTableState table : tables) {
            if (!visible.contains(table.name())) {
                continue;
            }
            HotTierStats stats = hotTier.getOrDefault(table.tableUuid(), HotTierStats.NONE);
            Optional<TieringService.TieringStatus> status = tieringService.status(table.tableUuid());
            rows.addRow(
                    table.name().getSchemaName(),
                    table.name().getTableName(),
                    table.mode().sqlName(),
                    stats.segments(),
                    stats.rows(),
                    stats.bytes(),
                    stats.oldestSegmentCreated().map(oldest -> Math.max(0, now.getEpochSecond() - oldest.getEpochSecond())).orElse(null),
                    status.map(value -> packDateTimeWithZone(value.time().toEpochMilli(), UTC_KEY)).orElse(null),
                    status.map(TieringService.TieringStatus::result).orElse(null),
                    status.map(value -> value.duration().toMillis()).orElse(null),
                    status.flatMap(TieringService.TieringStatus::error).orElse(null));
        }
        return rows.build().cursor();
    }
}
