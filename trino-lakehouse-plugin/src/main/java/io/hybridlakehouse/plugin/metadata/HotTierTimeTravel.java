package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.plugin.segment.PurgedHistory;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableVersion;
import io.trino.spi.type.LongTimestamp;
import io.trino.spi.type.LongTimestampWithTimeZone;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.TimestampWithTimeZoneType;
import io.trino.spi.type.Type;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadata.MetadataLogEntry;
import org.apache.iceberg.TableMetadataParser;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_HISTORY_NOT_KEPT;
import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static io.trino.spi.connector.PointerType.TEMPORAL;
import static io.trino.spi.type.DateTimeEncoding.unpackMillisUtc;
import static io.trino.spi.type.Timestamps.MICROSECONDS_PER_SECOND;
import static io.trino.spi.type.Timestamps.NANOSECONDS_PER_MICROSECOND;
import static java.lang.Math.floorDiv;
import static java.lang.Math.floorMod;

/**
 * Reads of a hybrid table as of a past point: the Iceberg snapshot Iceberg picks for it, plus
 * the hot segments that were visible then above that snapshot's hand-off mark.
 * <ul>
 * <li>{@code FOR TIMESTAMP AS OF t}: the table as it was at {@code t}.</li>
 * <li>{@code FOR VERSION AS OF snapshotId}: the table as it was when that Iceberg snapshot was
 * committed (its timestamp), hot rows committed up to then included.</li>
 * </ul>
 * The point travels to the split manager in the handle's storage properties, so a query that
 * reads the table now and as of a time in one statement keeps the two apart.
 */
public final class HotTierTimeTravel
{
    static final String READ_AS_OF_PROPERTY = "hybrid.read-as-of-millis";

    private HotTierTimeTravel() {}

    public static Instant pointInTime(ConnectorSession session, ConnectorTableVersion version, Table table, IcebergTableHandle handle)
    {
        if (version.getPointerType() == TEMPORAL) {
            return Instant.ofEpochMilli(epochMillis(session, version.getVersionType(), version.getVersion()));
        }
        // a snapshot id: the moment that snapshot was committed
        Snapshot snapshot = handle.getSnapshotId().map(table::snapshot).orElse(null);
        if (snapshot == null) {
            throw new TrinoException(NOT_SUPPORTED, "Table %s has no snapshot %s".formatted(handle.getSchemaTableName(), version.getVersion()));
        }
        return Instant.ofEpochMilli(snapshot.timestampMillis());
    }

    /**
     * The hand-off mark as of the handle's snapshot: tiering records it in the summary of the
     * snapshot it commits, so it is the newest mark on the snapshot's line of ancestors.
     */
    public static long tieredThroughAsOf(Table table, IcebergTableHandle handle, Instant pointInTime)
    {
        Long snapshotId = handle.getSnapshotId().orElse(null);
        while (snapshotId != null) {
            Snapshot snapshot = table.snapshot(snapshotId);
            if (snapshot == null) {
                throw new TrinoException(HYBRID_HISTORY_NOT_KEPT, ("Cannot read %s as of %s: snapshot %s of its history has expired (expire_snapshots), " +
                        "so which hot rows it held is no longer known. Query a later point in time").formatted(handle.getSchemaTableName(), pointInTime, snapshotId));
            }
            String mark = snapshot.summary().get(HotTierPin.TIERED_THROUGH_PROPERTY);
            if (mark != null) {
                return Long.parseLong(mark);
            }
            snapshotId = snapshot.parentId();
        }
        return 0;
    }

    /**
     * The table's schema at an instant: that of the table metadata current then. Iceberg reads a
     * snapshot with the schema it was committed with; hot rows committed after the snapshot were
     * written with the schema of their time, which columns added, dropped, renamed or widened
     * since the snapshot have changed. Empty where the metadata log no longer reaches back.
     */
    public static Optional<Schema> schemaAt(Table table, Instant instant)
    {
        if (!(table instanceof HasTableOperations operations)) {
            return Optional.empty();
        }
        TableMetadata current = operations.operations().current();
        long millis = instant.toEpochMilli();
        if (current.lastUpdatedMillis() <= millis) {
            return Optional.of(current.schema());
        }
        List<MetadataLogEntry> log = current.previousFiles();
        for (MetadataLogEntry entry : log.reversed()) {
            if (entry.timestampMillis() <= millis) {
                TableMetadata then = TableMetadataParser.read(table.io(), entry.file());
                // every schema the table had is kept in its current metadata
                return Optional.ofNullable(current.schemasById().get(then.currentSchemaId()));
            }
        }
        return Optional.empty();
    }

    public static IcebergTableHandle withPointInTime(IcebergTableHandle handle, Instant pointInTime)
    {
        Map<String, String> storageProperties = ImmutableMap.<String, String>builder()
                .putAll(handle.getStorageProperties())
                .put(READ_AS_OF_PROPERTY, String.valueOf(pointInTime.toEpochMilli()))
                .buildKeepingLast();
        return IcebergHandles.withStorageProperties(handle, storageProperties);
    }

    public static Optional<Instant> pointInTime(IcebergTableHandle handle)
    {
        return Optional.ofNullable(handle.getStorageProperties().get(READ_AS_OF_PROPERTY))
                .map(Long::parseLong)
                .map(Instant::ofEpochMilli);
    }

    /**
     * Fails where segments the point in time needs may have been purged: dropped longer than the
     * grace period ago and above the hand-off mark of the snapshot read then. Those at or below
     * it are in that snapshot, so a snapshot that tiered them can be read as of its own commit.
     */
    public static void checkHistoryKept(IcebergTableHandle handle, Instant pointInTime, long tieredThrough, Optional<PurgedHistory> purged)
    {
        if (purged.isPresent() && purged.get().mayHaveLost(pointInTime, tieredThrough)) {
            throw new TrinoException(HYBRID_HISTORY_NOT_KEPT, ("Cannot read %s as of %s: its hot tier is kept as of %s or later only " +
                    "(segments dropped longer than hybrid.segments.grace-period ago are purged). Query a later point in time")
                    .formatted(handle.getSchemaTableName(), pointInTime, purged.get().droppedBefore()));
        }
    }

    // as Trino's Iceberg connector reads the point: with time zone as is, without in the session's zone
    private static long epochMillis(ConnectorSession session, Type type, Object value)
    {
        if (type instanceof TimestampWithTimeZoneType timestampWithZone) {
            return timestampWithZone.isShort() ? unpackMillisUtc((long) value) : ((LongTimestampWithTimeZone) value).getEpochMillis();
        }
        if (type instanceof TimestampType timestamp) {
            long epochMicros = timestamp.isShort() ? (long) value : ((LongTimestamp) value).getEpochMicros();
            LocalDateTime local = LocalDateTime.ofEpochSecond(
                    floorDiv(epochMicros, MICROSECONDS_PER_SECOND),
                    (int) (floorMod(epochMicros, MICROSECONDS_PER_SECOND) * NANOSECONDS_PER_MICROSECOND),
                    ZoneOffset.UTC);
            return local.atZone(session.getTimeZoneKey().getZoneId()).toInstant().toEpochMilli();
        }
        throw new TrinoException(NOT_SUPPORTED, "Unsupported type for a point in time: " + type);
    }
}
