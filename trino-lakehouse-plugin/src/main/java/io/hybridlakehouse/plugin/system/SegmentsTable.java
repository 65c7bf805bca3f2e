package io.hybridlakehouse.plugin.system;

import com.google.common.collect.ImmutableList;
import io.hybridlakehouse.plugin.segment.Segment;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;

import java.util.List;
import java.util.function.Supplier;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.DateTimeEncoding.packDateTimeWithZone;
import static io.trino.spi.type.TimeZoneKey.UTC_KEY;
import static io.trino.spi.type.TimestampWithTimeZoneType.TIMESTAMP_TZ_MILLIS;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * Hidden table {@code t$segments}: every hot segment the metastore records for {@code t},
 * with its state: {@code ACTIVE}, {@code COMPACTED} (replaced, kept for running queries) or
 * {@code TIERED} (now in the Iceberg snapshot).
 */
public class SegmentsTable
        implements SystemTable
{
    public static final String SUFFIX = "$segments";

    private final ConnectorTableMetadata metadata;
    private final Supplier<List<Segment>> segments;

    public SegmentsTable(SchemaTableName name, Supplier<List<Segment>> segments)
    {
        this.segments = requireNonNull(segments, "segments is null");
        this.metadata = new ConnectorTableMetadata(name, ImmutableList.of(
                new ColumnMetadata("segment_id", BIGINT),
                new ColumnMetadata("partition", VARCHAR),
                new ColumnMetadata("record_count", BIGINT),
                new ColumnMetadata("file_size_in_bytes", BIGINT),
                new ColumnMetadata("created", TIMESTAMP_TZ_MILLIS),
                new ColumnMetadata("state", VARCHAR),
                new ColumnMetadata("created_version", BIGINT),
                new ColumnMetadata("dropped_version", BIGINT),
                new ColumnMetadata("path", VARCHAR)));
    }

    @Override
    public Distribution getDistribution()
    {
        return Distribution.SINGLE_COORDINATOR;
    }

    @Override
    public ConnectorTableMetadata getTableMetadata()
    {
        return metadata;
    }

    @Override
    public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint)
    {
        InMemoryRecordSet.Builder rows = InMemoryRecordSet.builder(metadata);
        for (Segment segment : segments.get()) {
            rows.addRow(
                    segment.id(),
                    segment.partitionKey(),
                    segment.recordCount(),
                    segment.fileSize(),
                    packDateTimeWithZone(segment.createdAt().toEpochMilli(), UTC_KEY),
                    segment.state(),
                    segment.createdVersion(),
                    segment.droppedVersion().orElse(null),
                    segment.path());
        }
        return rows.build().cursor();
    }
}
