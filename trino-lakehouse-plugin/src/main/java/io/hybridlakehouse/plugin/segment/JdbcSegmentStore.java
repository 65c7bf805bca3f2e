package io.hybridlakehouse.plugin.segment;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Ordering;
import com.google.common.collect.Sets;
import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.hybridlakehouse.plugin.metastore.MetastoreAvailability;
import io.hybridlakehouse.plugin.metastore.MetastoreConnectionPool;
import io.hybridlakehouse.plugin.mv.AbandonedViewBuild;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.ViewBuildClaim;
import io.hybridlakehouse.plugin.mv.ViewRows;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;
import org.apache.datasketches.theta.CompactSketch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_ERROR;
import static java.util.Objects.requireNonNull;

/**
 * {@link SegmentStore} on the catalog's metadata database (embedded SQLite or PostgreSQL).
 * Transactions are short and start with a write to the table's row, which serializes
 * writers of one table on both databases; SQLite's busy timeout makes them wait, not fail.
 */
public class JdbcSegmentStore
        implements SegmentStore
{
    private static final Logger log = Logger.get(JdbcSegmentStore.class);
    private static final String TABLE_COLUMNS = "table_uuid, schema_name, table_name, mode, version, next_segment_id, tiering_claim, tier_after_millis, retention_millis, cache_policy, table_location, retired_at";
    private static final String SEGMENT_COLUMNS = "segment_id, created_version, dropped_version, drop_reason, path, file_size, record_count, partition_key, commit_task, created_at";
    // the segments of a table visible at a version above the tiered-through id; parameters: table, version, version, tiered-through id
    private static final String VISIBLE_AT_VERSION = "WHERE table_uuid = ? AND created_version <= ? AND (dropped_version IS NULL OR dropped_version > ?) AND segment_id > ?";
    private static final int MAX_ATTEMPTS = 5;

    private final MetastoreConnectionPool connections;
    private final AtomicLong tableChanges = new AtomicLong();

    @Inject
    public JdbcSegmentStore(MetastoreConnectionPool connections)
    {
        this.connections = requireNonNull(connections, "connections is null");
    }

    @Override
    public Optional<HybridTableState> getTable(String tableUuid)
    {
        return inTransaction(connection -> readTable(connection, tableUuid));
    }

    @Override
    public Optional<HybridTableState> getTable(SchemaTableName name)
    {
        return inTransaction(connection -> readTable(connection, name));
    }

    private static Optional<HybridTableState> readTable(Connection connection, SchemaTableName name)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM hybrid_tables WHERE schema_name = ? AND table_name = ?")) {
            statement.setString(1, name.getSchemaName());
            statement.setString(2, name.getTableName());
            try (ResultSet resultSet = statement.executeQuery()) {
                return resultSet.next() ? Optional.of(tableState(resultSet)) : Optional.empty();
            }
        }
    }

    @Override
    public List<HybridTableState> listTables()
    {
        return inTransaction(JdbcSegmentStore::readTables);
    }

    private static List<HybridTableState> readTables(Connection connection)
            throws SQLException
    {
        ImmutableList.Builder<HybridTableState> tables = ImmutableList.builder();
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM hybrid_tables ORDER BY schema_name, table_name");
                ResultSet resultSet = statement.executeQuery()) {
            while (resultSet.next()) {
                tables.add(tableState(resultSet));
            }
        }
        return tables.build();
    }

    @Override
    public MetastoreSnapshot snapshotAround(SchemaTableName name)
    {
        return inTransaction(connection -> {
            boolean repeatableRead = !connection.getMetaData().getDatabaseProductName().equalsIgnoreCase("SQLite");
            // SQLite reads one snapshot per transaction anyway; PostgreSQL needs REPEATABLE READ for all reads to see the same commits
            if (repeatableRead) {
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            try {
                return snapshotAround(connection, name);
            }
            finally {
                if (repeatableRead) {
                    connection.commit();
                    connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                }
            }
        });
    }

    /**
     * Grows the set from the name until no view connects it to more: a view joins when its name,
     * its state table or one of its bases is in the set, and brings those in; a table joins by
     * name (a state table, the name asked for) or by id (a base). Of the tables and views only
     * the set's rows are read, however many the catalog has: the views by name and by base as
     * the set grows, all of them only when the set meets a state table whose view it has not
     * met, as only the view's definition names its state table.
     */
    private static MetastoreSnapshot snapshotAround(Connection connection, SchemaTableName name)
            throws SQLException
    {
        Map<SchemaTableName, HybridTableState> tables = new HashMap<>();
        Set<SchemaTableName> names = new HashSet<>(Set.of(name));
        Set<String> uuids = new HashSet<>();
        Set<SchemaTableName> namesRead = new HashSet<>();
        Set<String> uuidsRead = new HashSet<>();
        // the views read so far, the set's and others met on the way
        Map<SchemaTableName, RegisteredView> candidates = new LinkedHashMap<>();
        Set<SchemaTableName> namesAskedForViews = new HashSet<>();
        Set<String> uuidsAskedForViews = new HashSet<>();
        boolean allViewsRead = false;
        List<RegisteredView> views = new ArrayList<>();
        boolean grew = true;
        while (grew) {
            List<HybridTableState> found = new ArrayList<>();
            for (SchemaTableName table : ImmutableList.copyOf(Sets.difference(names, namesRead))) {
                namesRead.add(table);
                readTable(connection, table).ifPresent(found::add);
            }
            for (String uuid : ImmutableList.copyOf(Sets.difference(uuids, uuidsRead))) {
                uuidsRead.add(uuid);
                readTable(connection, uuid).ifPresent(found::add);
            }
            for (HybridTableState table : found) {
                tables.put(table.name(), table);
                names.add(table.name());
                namesRead.add(table.name());
                uuids.add(table.tableUuid());
                uuidsRead.add(table.tableUuid());
            }
            if (!allViewsRead) {
                Set<SchemaTableName> newNames = ImmutableSet.copyOf(Sets.difference(names, namesAskedForViews));
                Set<String> newUuids = ImmutableSet.copyOf(Sets.difference(uuids, uuidsAskedForViews));
                namesAskedForViews.addAll(newNames);
                uuidsAskedForViews.addAll(newUuids);
                Set<SchemaTableName> knownStateTables = views.stream().map(view -> view.view().stateTable()).collect(toImmutableSet());
                allViewsRead = newNames.stream().anyMatch(newName -> SynchronousView.isStateTable(newName) && !knownStateTables.contains(newName));
                List<RegisteredView> read = allViewsRead
                        ? ViewRows.registered(connection)
                        : ViewRows.registeredConnectedTo(connection, newNames, newUuids);
                read.forEach(view -> candidates.putIfAbsent(view.view().name(), view));
            }
            grew = false;
            for (RegisteredView view : candidates.values()) {
                if (!views.contains(view) && (names.contains(view.view().name()) || names.contains(view.view().stateTable()) || !Collections.disjoint(uuids, view.baseUuids()))) {
                    views.add(view);
                    names.add(view.view().name());
                    names.add(view.view().stateTable());
                    uuids.addAll(view.baseUuids());
                    grew = true;
                }
            }
        }
        return new MetastoreSnapshot(tables, views, names);
    }

    @Override
    public void markViewRowsRemoved(SchemaTableName view, Instant before, Optional<String> key)
    {
        inTransaction(connection -> {
            ViewRows.markRowsRemoved(connection, view, before, key);
            return null;
        });
    }

    @Override
    public long tableChanges()
    {
        return tableChanges.get();
    }

    @Override
    public void registerTable(String tableUuid, SchemaTableName name, String location, TableSettings settings)
    {
        inTransaction(connection -> {
            update(connection,
                    "INSERT INTO hybrid_tables (table_uuid, schema_name, table_name, table_location, mode, tier_after_millis, retention_millis, cache_policy, next_segment_id, version, tiering_claim) " +
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, 0)",
                    tableUuid, name.getSchemaName(), name.getTableName(), location, settings.mode().name(), millis(settings.tierAfter()), millis(settings.retention()),
                    settings.cache().map(CachePolicy::name).orElse(null));
            return null;
        });
        tableChanges.incrementAndGet();
    }

    @Override
    public void updateTable(String tableUuid, SchemaTableName name, TableSettings settings)
    {
        inTransaction(connection -> {
            update(connection,
                    "UPDATE hybrid_tables SET schema_name = ?, table_name = ?, mode = ?, tier_after_millis = ?, retention_millis = ?, cache_policy = ? WHERE table_uuid = ?",
                    name.getSchemaName(), name.getTableName(), settings.mode().name(), millis(settings.tierAfter()), millis(settings.retention()),
                    settings.cache().map(CachePolicy::name).orElse(null), tableUuid);
            return null;
        });
        tableChanges.incrementAndGet();
    }

    @Override
    public Map<String, HotTierStats> hotTierStats()
    {
        return inTransaction(connection -> {
            ImmutableMap.Builder<String, HotTierStats> stats = ImmutableMap.builder();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT table_uuid, count(*), sum(record_count), sum(file_size), min(created_at) FROM hybrid_segments WHERE dropped_version IS NULL GROUP BY table_uuid");
                    ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    stats.put(resultSet.getString(1), new HotTierStats(resultSet.getLong(2), resultSet.getLong(3), resultSet.getLong(4),
                            Optional.of(Instant.ofEpochMilli(resultSet.getLong(5)))));
                }
            }
            return stats.buildOrThrow();
        });
    }

    @Override
    public Map<String, SegmentActivity> segmentActivity()
    {
        return inTransaction(connection -> {
            ImmutableMap.Builder<String, SegmentActivity> activity = ImmutableMap.builder();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT table_uuid, min(CASE WHEN dropped_version IS NULL THEN created_at END), min(CASE WHEN dropped_version IS NOT NULL THEN dropped_at END) " +
                            "FROM hybrid_segments GROUP BY table_uuid");
                    ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    activity.put(resultSet.getString(1), new SegmentActivity(
                            nullableLong(resultSet, 2).map(Instant::ofEpochMilli),
                            nullableLong(resultSet, 3).map(Instant::ofEpochMilli)));
                }
            }
            return activity.buildOrThrow();
        });
    }

    @Override
    public List<Segment> dropTable(String tableUuid)
    {
        List<Segment> dropped = inTransaction(connection -> {
            List<Segment> segments = readSegments(connection, "WHERE table_uuid = ?", tableUuid);
            update(connection, "DELETE FROM hybrid_segments WHERE table_uuid = ?", tableUuid);
            update(connection, "DELETE FROM hybrid_column_sketches WHERE table_uuid = ?", tableUuid);
            update(connection, "DELETE FROM hybrid_tables WHERE table_uuid = ?", tableUuid);
            return segments;
        });
        tableChanges.incrementAndGet();
        return dropped;
    }

    @Override
    public List<Segment> commitInsert(String tableUuid, List<NewSegment> segments, ColumnSketches sketches)
    {
        if (segments.isEmpty()) {
            return ImmutableList.of();
        }
        return inTransaction(connection -> insertSegments(connection, tableUuid, segments, sketches));
    }

    @Override
    public ColumnSketches hotColumnSketches(String tableUuid, long afterSegmentId, long throughSegmentId)
    {
        return inTransaction(connection -> {
            Map<Integer, CompactSketch> sketches = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT field_id, sketch FROM hybrid_column_sketches WHERE table_uuid = ? AND through_segment_id > ? AND through_segment_id <= ?")) {
                statement.setString(1, tableUuid);
                statement.setLong(2, afterSegmentId);
                statement.setLong(3, throughSegmentId);
                try (ResultSet resultSet = statement.executeQuery()) {
                    while (resultSet.next()) {
                        sketches.merge(resultSet.getInt(1), ColumnSketches.deserialize(resultSet.getString(2)), ColumnSketches::union);
                    }
                }
            }
            return new ColumnSketches(sketches);
        });
    }

    @Override
    public List<Segment> visibleSegments(String tableUuid, long version, long tieredThrough)
    {
        return inTransaction(connection -> readSegments(connection,
                VISIBLE_AT_VERSION + " ORDER BY segment_id",
                tableUuid, version, version, tieredThrough));
    }

    @Override
    public boolean hasSegmentGroupPast(String tableUuid, long version, long tieredThrough, List<Long> classStarts, int threshold)
    {
        checkArgument(Ordering.natural().isStrictlyOrdered(classStarts), "classStarts must ascend: %s", classStarts);
        StringBuilder sizeClass = new StringBuilder("CASE");
        for (int i = 0; i < classStarts.size(); i++) {
            // numbers the connector computes from its threshold, never user input: written into the statement
            sizeClass.append(" WHEN record_count < ").append(classStarts.get(i)).append(" THEN ").append(i);
        }
        sizeClass.append(" ELSE ").append(classStarts.size()).append(" END");
        return inTransaction(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM hybrid_segments " + VISIBLE_AT_VERSION +
                    " GROUP BY partition_key, " + sizeClass + " HAVING count(*) > ?")) {
                bind(statement, tableUuid, version, version, tieredThrough, threshold);
                statement.setMaxRows(1);
                try (ResultSet resultSet = statement.executeQuery()) {
                    return resultSet.next();
                }
            }
        });
    }

    @Override
    public List<Segment> visibleSegmentsAt(String tableUuid, Instant asOf, long tieredThrough)
    {
        return inTransaction(connection -> readSegments(connection,
                "WHERE table_uuid = ? AND committed_at <= ? AND (dropped_at IS NULL OR dropped_at > ?) AND segment_id > ? ORDER BY segment_id",
                tableUuid, asOf.toEpochMilli(), asOf.toEpochMilli(), tieredThrough));
    }

    @Override
    public Optional<PurgedHistory> purgedHistory(String tableUuid)
    {
        return inTransaction(connection -> purgedHistory(connection, tableUuid));
    }

    private static Optional<PurgedHistory> purgedHistory(Connection connection, String tableUuid)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement("SELECT history_purged_before, history_purged_segment_id FROM hybrid_tables WHERE table_uuid = ?")) {
            statement.setString(1, tableUuid);
            try (ResultSet resultSet = statement.executeQuery()) {
                if (!resultSet.next()) {
                    return Optional.empty();
                }
                Optional<Instant> droppedBefore = nullableLong(resultSet, 1).map(Instant::ofEpochMilli);
                Optional<Long> maxSegmentId = nullableLong(resultSet, 2);
                return droppedBefore.map(before -> new PurgedHistory(before, maxSegmentId.map(OptionalLong::of).orElse(OptionalLong.empty())));
            }
        }
    }

    @Override
    public List<Segment> dropReplaced(String tableUuid, long through, Instant droppedAt)
    {
        return inTransaction(connection -> {
            HybridTableState table = bumpVersion(connection, tableUuid, 0);
            List<Segment> replaced = readSegments(connection, "WHERE table_uuid = ? AND dropped_version IS NULL AND segment_id <= ?", tableUuid, through);
            update(connection,
                    "UPDATE hybrid_segments SET dropped_version = ?, drop_reason = ?, dropped_at = ? WHERE table_uuid = ? AND dropped_version IS NULL AND segment_id <= ?",
                    table.version(), Segment.REPLACED, droppedAt.toEpochMilli(), tableUuid, through);
            deleteColumnSketches(connection, tableUuid, through);
            return replaced;
        });
    }

    @Override
    public List<Segment> allSegments(String tableUuid)
    {
        return inTransaction(connection -> readSegments(connection, "WHERE table_uuid = ? ORDER BY segment_id, created_version", tableUuid));
    }

    @Override
    public List<Segment> claimForTiering(String tableUuid, Instant createdBefore)
    {
        return inTransaction(connection -> {
            // a write first: it takes the table's lock, serializing with compaction commits
            update(connection, "UPDATE hybrid_tables SET tiering_claim = tiering_claim WHERE table_uuid = ?", tableUuid);
            if (ViewRows.hasBuildingView(connection, tableUuid)) {
                // a view is being built from the rows visible at its registration: segments created later must stay hot until it is done
                return ImmutableList.<Segment>of();
            }
            long through;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT coalesce(max(segment_id), 0) FROM hybrid_segments WHERE table_uuid = ? AND dropped_version IS NULL AND created_at <= ?")) {
                statement.setString(1, tableUuid);
                statement.setLong(2, createdBefore.toEpochMilli());
                try (ResultSet resultSet = statement.executeQuery()) {
                    resultSet.next();
                    through = resultSet.getLong(1);
                }
            }
            // runs overlap (a CALL beside the background service, or one with an older cut-off):
            // the claim never drops below another run's, so compaction never merges segments a
            // run is appending to Iceberg, which would tier their rows twice
            update(connection, "UPDATE hybrid_tables SET tiering_claim = CASE WHEN tiering_claim > ? THEN tiering_claim ELSE ? END WHERE table_uuid = ?", through, through, tableUuid);
            return readSegments(connection, "WHERE table_uuid = ? AND dropped_version IS NULL AND segment_id <= ? ORDER BY segment_id", tableUuid, through);
        });
    }

    @Override
    public int finishTiering(String tableUuid, long tieredThrough)
    {
        return inTransaction(connection -> {
            HybridTableState table = bumpVersion(connection, tableUuid, 0);
            int tiered = update(connection,
                    "UPDATE hybrid_segments SET dropped_version = ?, drop_reason = ?, dropped_at = ? WHERE table_uuid = ? AND dropped_version IS NULL AND segment_id <= ?",
                    table.version(), Segment.TIERED, System.currentTimeMillis(), tableUuid, tieredThrough);
            // the tiering commit carried these into the Iceberg table's statistics
            deleteColumnSketches(connection, tableUuid, tieredThrough);
            // a claim up to here is done: every segment it covers is tiered now; a higher one is another run's, still at work
            // (the claim of a run that died stays until a run reaching past it finishes: until then compaction leaves those segments to tiering)
            update(connection, "UPDATE hybrid_tables SET tiering_claim = 0 WHERE table_uuid = ? AND tiering_claim <= ?", tableUuid, tieredThrough);
            return tiered;
        });
    }

    @Override
    public Optional<Segment> replaceSegments(String tableUuid, List<Segment> inputs, NewSegment output)
    {
        long outputId = inputs.stream().mapToLong(Segment::id).max().orElseThrow();
        return inTransaction(connection -> {
            HybridTableState table = bumpVersion(connection, tableUuid, 0);
            if (table.tieringClaim() >= inputs.stream().mapToLong(Segment::id).min().orElseThrow()) {
                connection.rollback();
                return Optional.empty();
            }
            // inputs stop and the output starts being visible at the same instant, for queries as of a time
            long now = System.currentTimeMillis();
            for (Segment input : inputs) {
                int dropped = update(connection,
                        "UPDATE hybrid_segments SET dropped_version = ?, drop_reason = ?, dropped_at = ? WHERE table_uuid = ? AND segment_id = ? AND created_version = ? AND dropped_version IS NULL",
                        table.version(), Segment.COMPACTED, now, tableUuid, input.id(), input.createdVersion());
                if (dropped != 1) {
                    connection.rollback();
                    return Optional.empty();
                }
            }
            // the output holds rows as old as its newest input: tiering by age treats it so
            long createdAt = inputs.stream().mapToLong(input -> input.createdAt().toEpochMilli()).max().orElseThrow();
            return Optional.of(insertSegment(connection, tableUuid, outputId, table.version(), output, createdAt, now));
        });
    }

    @Override
    public int dropSegments(String tableUuid, List<Segment> segments, String reason)
    {
        if (segments.isEmpty()) {
            return 0;
        }
        return inTransaction(connection -> {
            HybridTableState table = bumpVersion(connection, tableUuid, 0);
            int dropped = 0;
            for (Segment segment : segments) {
                dropped += update(connection,
                        "UPDATE hybrid_segments SET dropped_version = ?, drop_reason = ?, dropped_at = ? WHERE table_uuid = ? AND segment_id = ? AND created_version = ? AND dropped_version IS NULL",
                        table.version(), reason, System.currentTimeMillis(), tableUuid, segment.id(), segment.createdVersion());
            }
            return dropped;
        });
    }

    @Override
    public List<Segment> droppedBefore(String tableUuid, Instant droppedBefore)
    {
        return inTransaction(connection -> readSegments(connection,
                "WHERE table_uuid = ? AND dropped_version IS NOT NULL AND dropped_at < ? ORDER BY segment_id", tableUuid, droppedBefore.toEpochMilli()));
    }

    @Override
    public void purge(String tableUuid, List<Segment> segments)
    {
        inTransaction(connection -> {
            // the hot tier as of a time before the newest purged drop cannot be read any more
            long purgedBefore = 0;
            for (Segment segment : segments) {
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT dropped_at FROM hybrid_segments WHERE table_uuid = ? AND segment_id = ? AND created_version = ? AND dropped_version IS NOT NULL")) {
                    bind(statement, tableUuid, segment.id(), segment.createdVersion());
                    try (ResultSet resultSet = statement.executeQuery()) {
                        if (resultSet.next()) {
                            purgedBefore = Math.max(purgedBefore, nullableLong(resultSet, 1).orElse(0L));
                        }
                    }
                }
            }
            Optional<PurgedHistory> previous = purgedHistory(connection, tableUuid);
            long previousBefore = previous.map(history -> history.droppedBefore().toEpochMilli()).orElse(0L);
            if (purgedBefore > previousBefore) {
                update(connection, "UPDATE hybrid_tables SET history_purged_before = ? WHERE table_uuid = ?", purgedBefore, tableUuid);
            }
            // an unknown highest id (purged before it was recorded) stays unknown
            if (previous.isEmpty() || previous.get().maxSegmentId().isPresent()) {
                long maxSegmentId = segments.stream().mapToLong(Segment::id).max().orElse(0);
                long previousMax = previous.map(history -> history.maxSegmentId().getAsLong()).orElse(0L);
                if (maxSegmentId > previousMax) {
                    update(connection, "UPDATE hybrid_tables SET history_purged_segment_id = ? WHERE table_uuid = ?", maxSegmentId, tableUuid);
                }
            }
            for (Segment segment : segments) {
                update(connection, "DELETE FROM hybrid_segments WHERE table_uuid = ? AND segment_id = ? AND created_version = ? AND dropped_version IS NOT NULL",
                        tableUuid, segment.id(), segment.createdVersion());
            }
            return null;
        });
    }

    @Override
    public List<SynchronousView> views()
    {
        return inTransaction(ViewRows::all);
    }

    @Override
    public Optional<SynchronousView> view(SchemaTableName name)
    {
        return inTransaction(connection -> ViewRows.get(connection, name));
    }

    @Override
    public List<SynchronousView> viewsOfBase(String baseUuid)
    {
        return inTransaction(connection -> ViewRows.ofBase(connection, baseUuid));
    }

    @Override
    public List<SynchronousView> viewsJoiningAsDimension(SchemaTableName table)
    {
        return inTransaction(connection -> ViewRows.joiningAsDimension(connection, table));
    }

    @Override
    public Map<String, Long> registerView(SynchronousView view, List<String> baseUuids, ViewBuildClaim claim)
    {
        return inTransaction(connection -> {
            ImmutableMap.Builder<String, Long> versions = ImmutableMap.builder();
            for (String baseUuid : baseUuids.stream().distinct().sorted().toList()) {
                versions.put(baseUuid, bumpVersion(connection, baseUuid, 0).version());
            }
            // read after the bases' rows are locked: a registration of the view over the same bases committed meanwhile is seen
            Optional<SchemaTableName> previousState = ViewRows.get(connection, view.name())
                    .map(SynchronousView::stateTable)
                    .filter(state -> !state.equals(view.stateTable()));
            ViewRows.put(connection, view, baseUuids);
            ViewRows.claimBuild(connection, view.name(), claim.owner(), Optional.of(claim.creates()));
            if (previousState.isPresent()) {
                update(connection, "UPDATE hybrid_tables SET retired_at = ? WHERE schema_name = ? AND table_name = ?",
                        System.currentTimeMillis(), previousState.get().getSchemaName(), previousState.get().getTableName());
            }
            return versions.buildOrThrow();
        });
    }

    @Override
    public void renewViewBuilds(Collection<SchemaTableName> views, String owner)
    {
        if (views.isEmpty()) {
            return;
        }
        inTransaction(connection -> {
            for (SchemaTableName view : views) {
                ViewRows.renewBuild(connection, view, owner);
            }
            return null;
        });
    }

    @Override
    public List<AbandonedViewBuild> abandonedViewBuilds(Instant renewedBefore)
    {
        return inTransaction(connection -> ViewRows.abandonedBuilds(connection, renewedBefore));
    }

    @Override
    public boolean takeOverViewBuild(AbandonedViewBuild build, String owner, Instant renewedBefore)
    {
        return inTransaction(connection -> {
            lockViewRow(connection, build.view().name());
            Optional<AbandonedViewBuild> current = ViewRows.abandonedBuilds(connection, renewedBefore).stream()
                    .filter(abandoned -> abandoned.view().name().equals(build.view().name()))
                    .findFirst();
            // still the registration found, and still abandoned: not refreshed, dropped or claimed by anyone since
            if (current.isEmpty() || !current.get().view().stateTable().equals(build.view().stateTable()) || !current.get().renewedAt().equals(build.renewedAt())) {
                return false;
            }
            ViewRows.claimBuild(connection, build.view().name(), owner, Optional.empty());
            return true;
        });
    }

    @Override
    public void finishViewBuild(SynchronousView view, String stateTableUuid, List<NewSegment> segments)
    {
        inTransaction(connection -> {
            checkStillRegistered(connection, view);
            insertSegments(connection, stateTableUuid, segments, ColumnSketches.empty());
            ViewRows.setBuilding(connection, view, false);
            return null;
        });
    }

    private static void checkStillRegistered(Connection connection, SynchronousView view)
            throws SQLException
    {
        lockViewRow(connection, view.name());
        Optional<SynchronousView> registered = ViewRows.get(connection, view.name());
        if (registered.isEmpty() || !registered.get().stateTable().equals(view.stateTable())) {
            throw new ViewSupersededException("materialized view %s was %s by another statement while this one built it".formatted(
                    view.name(), registered.isEmpty() ? "dropped" : "refreshed or replaced"));
        }
    }

    /**
     * Writes the view's row before reading it, so that of two statements changing one view
     * the second waits for the first and reads what it committed.
     */
    private static void lockViewRow(Connection connection, SchemaTableName view)
            throws SQLException
    {
        update(connection, "UPDATE hybrid_materialized_views SET building = building WHERE schema_name = ? AND view_name = ?",
                view.getSchemaName(), view.getTableName());
    }

    @Override
    public Optional<SynchronousView> dropView(SchemaTableName name, Optional<SchemaTableName> stateTable)
    {
        return inTransaction(connection -> {
            lockViewRow(connection, name);
            Optional<SynchronousView> registered = ViewRows.get(connection, name)
                    .filter(view -> stateTable.map(view.stateTable()::equals).orElse(true));
            if (registered.isPresent()) {
                ViewRows.delete(connection, name);
            }
            return registered;
        });
    }

    @Override
    public List<Segment> commitInsert(String tableUuid, List<NewSegment> segments, ColumnSketches sketches, Map<String, List<NewSegment>> viewDeltas, Map<SchemaTableName, SchemaTableName> expectedViews)
    {
        return inTransaction(connection -> {
            // the table's row first: it serializes this commit with a view's registration
            List<Segment> committed = insertSegments(connection, tableUuid, segments, sketches);
            Map<SchemaTableName, SchemaTableName> views = ViewRows.ofBase(connection, tableUuid).stream().collect(toImmutableMap(SynchronousView::name, SynchronousView::stateTable));
            if (!views.equals(expectedViews)) {
                connection.rollback();
                throw new ViewsChangedException("Materialized views of table %s changed during the INSERT (%s, now %s)".formatted(tableUuid, expectedViews, views));
            }
            for (Map.Entry<String, List<NewSegment>> delta : viewDeltas.entrySet()) {
                insertSegments(connection, delta.getKey(), delta.getValue(), ColumnSketches.empty());
            }
            return committed;
        });
    }

    private static List<Segment> insertSegments(Connection connection, String tableUuid, List<NewSegment> segments, ColumnSketches sketches)
            throws SQLException
    {
        HybridTableState table = bumpVersion(connection, tableUuid, segments.size());
        long firstId = table.nextSegmentId() - segments.size();
        ImmutableList.Builder<Segment> committed = ImmutableList.builder();
        long now = System.currentTimeMillis();
        for (int i = 0; i < segments.size(); i++) {
            committed.add(insertSegment(connection, tableUuid, firstId + i, table.version(), segments.get(i), now, now));
        }
        if (!segments.isEmpty() && !sketches.isEmpty()) {
            insertColumnSketches(connection, tableUuid, table.nextSegmentId() - 1, sketches);
        }
        return committed.build();
    }

    /**
     * The sketches of one INSERT's rows, keyed by its highest segment id: tiering through that id
     * moves them into Iceberg's statistics (compaction outputs keep their highest input's id).
     */
    private static void insertColumnSketches(Connection connection, String tableUuid, long throughSegmentId, ColumnSketches sketches)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO hybrid_column_sketches (table_uuid, through_segment_id, field_id, sketch) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<Integer, CompactSketch> sketch : sketches.sketches().entrySet()) {
                statement.setString(1, tableUuid);
                statement.setLong(2, throughSegmentId);
                statement.setInt(3, sketch.getKey());
                statement.setString(4, ColumnSketches.serialize(sketch.getValue()));
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void deleteColumnSketches(Connection connection, String tableUuid, long throughSegmentId)
            throws SQLException
    {
        update(connection, "DELETE FROM hybrid_column_sketches WHERE table_uuid = ? AND through_segment_id <= ?", tableUuid, throughSegmentId);
    }

    private static Long millis(Optional<Duration> duration)
    {
        return duration.map(Duration::toMillis).orElse(null);
    }

    private static HybridTableState bumpVersion(Connection connection, String tableUuid, int newSegments)
            throws SQLException
    {
        int updated = update(connection, "UPDATE hybrid_tables SET version = version + 1, next_segment_id = next_segment_id + ? WHERE table_uuid = ?", newSegments, tableUuid);
        if (updated != 1) {
            throw new TrinoException(HYBRID_METASTORE_ERROR, "Table %s is not registered in the segment metastore; it may have been dropped concurrently".formatted(tableUuid));
        }
        return readTable(connection, tableUuid).orElseThrow();
    }

    private static Segment insertSegment(Connection connection, String tableUuid, long id, long version, NewSegment segment, long createdAt, long committedAt)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO hybrid_segments (table_uuid, segment_id, created_version, path, file_size, record_count, partition_key, commit_task, created_at, committed_at) " +
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            statement.setString(1, tableUuid);
            statement.setLong(2, id);
            statement.setLong(3, version);
            statement.setString(4, segment.path());
            statement.setLong(5, segment.fileSize());
            statement.setLong(6, segment.recordCount());
            statement.setString(7, segment.partitionKey());
            statement.setString(8, segment.commitTask());
            statement.setLong(9, createdAt);
            statement.setLong(10, committedAt);
            statement.executeUpdate();
        }
        return new Segment(id, version, Optional.empty(), Optional.empty(), segment.path(), segment.fileSize(), segment.recordCount(),
                segment.partitionKey(), segment.commitTask(), Instant.ofEpochMilli(createdAt));
    }

    private static Optional<HybridTableState> readTable(Connection connection, String tableUuid)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + TABLE_COLUMNS + " FROM hybrid_tables WHERE table_uuid = ?")) {
            statement.setString(1, tableUuid);
            try (ResultSet resultSet = statement.executeQuery()) {
                if (!resultSet.next()) {
                    return Optional.empty();
                }
                return Optional.of(tableState(resultSet));
            }
        }
    }

    private static HybridTableState tableState(ResultSet resultSet)
            throws SQLException
    {
        return new HybridTableState(
                resultSet.getString(1),
                new SchemaTableName(resultSet.getString(2), resultSet.getString(3)),
                new TableSettings(
                        TableMode.valueOf(resultSet.getString(4)),
                        duration(resultSet, 8),
                        duration(resultSet, 9),
                        Optional.ofNullable(resultSet.getString(10)).map(CachePolicy::valueOf)),
                Optional.ofNullable(resultSet.getString(11)),
                resultSet.getLong(5),
                resultSet.getLong(6),
                resultSet.getLong(7),
                nullableLong(resultSet, 12).map(Instant::ofEpochMilli));
    }

    private static Optional<Duration> duration(ResultSet resultSet, int column)
            throws SQLException
    {
        return nullableLong(resultSet, column).map(Duration::ofMillis);
    }

    // getObject, not getLong + wasNull: the SQLite driver does not report a NULL aggregate through wasNull
    private static Optional<Long> nullableLong(ResultSet resultSet, int column)
            throws SQLException
    {
        Object value = resultSet.getObject(column);
        return value == null ? Optional.empty() : Optional.of(((Number) value).longValue());
    }

    private static List<Segment> readSegments(Connection connection, String where, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement("SELECT " + SEGMENT_COLUMNS + " FROM hybrid_segments " + where)) {
            bind(statement, parameters);
            ImmutableList.Builder<Segment> segments = ImmutableList.builder();
            try (ResultSet resultSet = statement.executeQuery()) {
                while (resultSet.next()) {
                    segments.add(new Segment(
                            resultSet.getLong(1),
                            resultSet.getLong(2),
                            nullableLong(resultSet, 3),
                            Optional.ofNullable(resultSet.getString(4)),
                            resultSet.getString(5),
                            resultSet.getLong(6),
                            resultSet.getLong(7),
                            resultSet.getString(8),
                            resultSet.getString(9),
                            Instant.ofEpochMilli(resultSet.getLong(10))));
                }
            }
            return segments.build();
        }
    }

    private static int update(Connection connection, String sql, Object... parameters)
            throws SQLException
    {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters)
            throws SQLException
    {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    private interface TransactionBody<T>
    {
        T run(Connection connection)
                throws SQLException;
    }

    private <T> T inTransaction(TransactionBody<T> body)
    {
        SQLException lastFailure = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                return connections.run(connection -> {
                    connection.setAutoCommit(false);
                    try {
                        T result = body.run(connection);
                        if (!connection.getAutoCommit()) {
                            connection.commit();
                        }
                        return result;
                    }
                    catch (SQLException | RuntimeException e) {
                        connection.rollback();
                        throw e;
                    }
                });
            }
            catch (SQLException e) {
                if (MetastoreAvailability.isConnectionFailure(e)) {
                    throw connections.unavailable(e);
                }
                if (MetastoreAvailability.damaged(e).isPresent()) {
                    throw connections.unreadable(e);
                }
                lastFailure = e;
                if (!isTransient(e)) {
                    break;
                }
                log.debug("Retrying metastore transaction after transient failure (attempt %s): %s", attempt, e.getMessage());
                sleep(50L * attempt);
            }
        }
        throw new TrinoException(HYBRID_METASTORE_ERROR, "Segment metastore operation failed: " + lastFailure.getMessage(), lastFailure);
    }

    private static boolean isTransient(SQLException e)
    {
        String message = String.valueOf(e.getMessage());
        // SQLite: SQLITE_BUSY / SQLITE_LOCKED past the busy timeout; PostgreSQL: serialization failure or deadlock
        return message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED") || "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
