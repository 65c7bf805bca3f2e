package io.hybridlakehouse.plugin.segment;

import io.hybridlakehouse.plugin.HybridConfig;
import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.hybridlakehouse.plugin.metastore.MetastoreConnection;
import io.hybridlakehouse.plugin.metastore.MetastoreConnectionPool;
import io.hybridlakehouse.plugin.metastore.MetastoreMigrator;
import io.hybridlakehouse.plugin.mv.AbandonedViewBuild;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.ViewBuildClaim;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.trino.spi.connector.SchemaTableName;
import org.apache.datasketches.theta.UpdateSketch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

public class TestJdbcSegmentStore
{
    private static final String TABLE = "00000000-0000-0000-0000-000000000001";
    private static final ViewBuildClaim CLAIM = new ViewBuildClaim("this-process", false);
    private static final SchemaTableName BASE = new SchemaTableName("s", "t");
    private static final SchemaTableName ITEMS = new SchemaTableName("s", "items");
    private static final SchemaTableName ENRICHED = new SchemaTableName("s", "enriched");
    private static final SchemaTableName PLAIN = new SchemaTableName("s", "plain");
    private static final String ENRICHED_SQL = "SELECT d.category, count(*) AS c FROM t e JOIN items d ON e.item_id = d.item_id GROUP BY d.category";

    @Test
    public void testVersionsHandOffAndCompactionGuard()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store");

        // no segments: no entry
        assertThat(store.hotTierStats()).isEmpty();

        List<Segment> first = store.commitInsert(TABLE, List.of(segment("a"), segment("b")), ColumnSketches.empty());
        List<Segment> second = store.commitInsert(TABLE, List.of(segment("c")), ColumnSketches.empty());
        assertThat(first).extracting(Segment::id).containsExactly(1L, 2L);
        assertThat(second).extracting(Segment::id).containsExactly(3L);
        long pinned = first.getFirst().createdVersion();
        // a reader pinned at the first commit sees exactly its two segments
        assertThat(store.visibleSegments(TABLE, pinned, 0)).extracting(Segment::path).containsExactly("a", "b");
        assertThat(store.hotTierStats().get(TABLE).segments()).isEqualTo(3);
        assertThat(store.hotTierStats().get(TABLE).oldestSegmentCreated()).isPresent();

        // compaction of 1 and 3 takes id 3; the pinned reader still sees 1 and 2
        Segment compacted = store.replaceSegments(TABLE, List.of(first.getFirst(), second.getFirst()), segment("a+c")).orElseThrow();
        assertThat(compacted.id()).isEqualTo(3);
        assertThat(store.visibleSegments(TABLE, pinned, 0)).extracting(Segment::path).containsExactly("a", "b");
        long current = store.getTable(TABLE).orElseThrow().version();
        assertThat(store.visibleSegments(TABLE, current, 0)).extracting(Segment::path).containsExactly("b", "a+c");
        // an input that is no longer active cannot be compacted again
        assertThat(store.replaceSegments(TABLE, List.of(first.getFirst(), first.get(1)), segment("x"))).isEmpty();

        // tiering claims everything up to the newest old-enough id; compaction then leaves the claimed ids alone
        List<Segment> claimed = store.claimForTiering(TABLE, Instant.now().plusSeconds(1));
        assertThat(claimed).extracting(Segment::id).containsExactly(2L, 3L);
        assertThat(store.replaceSegments(TABLE, claimed, segment("y"))).isEmpty();
        assertThat(store.finishTiering(TABLE, 3)).isEqualTo(2);
        assertThat(store.visibleSegments(TABLE, store.getTable(TABLE).orElseThrow().version(), 0)).isEmpty();
        assertThat(store.hotTierStats()).doesNotContainKey(TABLE);
        assertThat(store.allSegments(TABLE)).extracting(Segment::state).containsOnly("COMPACTED", "TIERED");
    }

    @Test
    public void testOverlappingTieringRunsKeepTheirClaims()
            throws Exception
    {
        SegmentStore store = storeWithTable("overlapping-tiering");
        List<Segment> old = store.commitInsert(TABLE, List.of(segment("a"), segment("b")), ColumnSketches.empty());
        Instant between = Instant.now().plusMillis(5);
        Thread.sleep(20);
        List<Segment> young = store.commitInsert(TABLE, List.of(segment("c"), segment("d")), ColumnSketches.empty());

        // a run over everything claims through 4; a run with an older cut-off claims through 2 meanwhile
        assertThat(store.claimForTiering(TABLE, Instant.now().plusSeconds(1))).extracting(Segment::id).containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.claimForTiering(TABLE, between)).extracting(Segment::id).containsExactly(1L, 2L);
        assertThat(store.getTable(TABLE).orElseThrow().tieringClaim()).isEqualTo(4);
        // the smaller run finishing leaves the larger one's segments claimed: compaction keeps off them
        assertThat(store.finishTiering(TABLE, 2)).isEqualTo(2);
        assertThat(store.getTable(TABLE).orElseThrow().tieringClaim()).isEqualTo(4);
        assertThat(store.replaceSegments(TABLE, young, segment("c+d"))).isEmpty();
        // the larger run finishing releases the claim
        assertThat(store.finishTiering(TABLE, 4)).isEqualTo(2);
        assertThat(store.getTable(TABLE).orElseThrow().tieringClaim()).isZero();
        assertThat(store.allSegments(TABLE)).extracting(Segment::state).containsOnly("TIERED");
        assertThat(old).hasSize(2);
    }

    @Test
    public void testSegmentGroupsCountedByPartitionAndSizeClass()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-groups");
        String day1 = "{\"partitionValues\":[1]}";
        String day2 = "{\"partitionValues\":[2]}";
        // classes: below 10 rows, 10 to 99, 100 and up
        List<Long> classStarts = List.of(10L, 100L);
        // day 1: three segments of 5 rows, one of 50; day 2: two of 5 rows
        List<Segment> first = store.commitInsert(TABLE, List.of(
                new NewSegment("a", 100, 5, day1, "{}"),
                new NewSegment("b", 100, 5, day1, "{}"),
                new NewSegment("c", 100, 50, day1, "{}"),
                new NewSegment("d", 100, 5, day2, "{}"),
                new NewSegment("e", 100, 5, day2, "{}")), ColumnSketches.empty());
        long pinned = first.getFirst().createdVersion();
        store.commitInsert(TABLE, List.of(new NewSegment("f", 100, 9, day1, "{}")), ColumnSketches.empty());
        long current = store.getTable(TABLE).orElseThrow().version();

        // day 1 has three segments below 10 rows at the current version, two at the pinned one
        assertThat(store.hasSegmentGroupPast(TABLE, current, 0, classStarts, 2)).isTrue();
        assertThat(store.hasSegmentGroupPast(TABLE, current, 0, classStarts, 3)).isFalse();
        assertThat(store.hasSegmentGroupPast(TABLE, pinned, 0, classStarts, 2)).isFalse();
        // the 50-row segment is in a class of its own: with one class for all, day 1 has four
        assertThat(store.hasSegmentGroupPast(TABLE, current, 0, List.of(1000L), 3)).isTrue();
        // segments tiered through id 1 no longer count
        assertThat(store.hasSegmentGroupPast(TABLE, current, 1, classStarts, 2)).isFalse();
        // compacted segments no longer count
        store.replaceSegments(TABLE, List.of(first.get(0), first.get(1)), new NewSegment("a+b", 100, 10, day1, "{}")).orElseThrow();
        assertThat(store.hasSegmentGroupPast(TABLE, store.getTable(TABLE).orElseThrow().version(), 0, classStarts, 1)).isTrue();
        assertThat(store.hasSegmentGroupPast(TABLE, store.getTable(TABLE).orElseThrow().version(), 0, classStarts, 2)).isFalse();
    }

    @Test
    public void testSegmentActivityOfEveryTableInOneRead()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-activity");
        String idle = "00000000-0000-0000-0000-000000000002";
        store.registerTable(idle, new SchemaTableName("s", "idle"), "local:///idle", TableSettings.ofMode(TableMode.HYBRID));
        // tables without segment rows have nothing to tier or delete
        assertThat(store.segmentActivity()).isEmpty();

        Instant beforeInsert = Instant.ofEpochMilli(System.currentTimeMillis());
        List<Segment> inserted = store.commitInsert(TABLE, List.of(segment("a"), segment("b")), ColumnSketches.empty());
        SegmentActivity active = store.segmentActivity().get(TABLE);
        assertThat(active.oldestActiveSegmentCreated()).hasValueSatisfying(created -> assertThat(created).isAfterOrEqualTo(beforeInsert));
        assertThat(active.earliestUnpurgedDrop()).isEmpty();

        // compaction drops its inputs: the output is active, the inputs wait for their files to be deleted
        Instant beforeCompaction = Instant.ofEpochMilli(System.currentTimeMillis());
        store.replaceSegments(TABLE, inserted, segment("a+b")).orElseThrow();
        SegmentActivity compacted = store.segmentActivity().get(TABLE);
        assertThat(compacted.oldestActiveSegmentCreated()).isPresent();
        assertThat(compacted.earliestUnpurgedDrop()).hasValueSatisfying(dropped -> assertThat(dropped).isAfterOrEqualTo(beforeCompaction));

        // tiered: nothing active is left; once the dropped rows are purged the table has no activity at all
        store.claimForTiering(TABLE, Instant.now().plusSeconds(1));
        store.finishTiering(TABLE, 2);
        assertThat(store.segmentActivity().get(TABLE).oldestActiveSegmentCreated()).isEmpty();
        store.purge(TABLE, store.droppedBefore(TABLE, Instant.now().plusSeconds(1)));
        assertThat(store.segmentActivity()).doesNotContainKey(TABLE).doesNotContainKey(idle);
    }

    @Test
    public void testHotTierStatsOfEveryTableInOneRead()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-stats");
        String other = "00000000-0000-0000-0000-000000000002";
        String idle = "00000000-0000-0000-0000-000000000003";
        store.registerTable(other, new SchemaTableName("s", "other"), "local:///other", TableSettings.ofMode(TableMode.HYBRID));
        store.registerTable(idle, new SchemaTableName("s", "idle"), "local:///idle", TableSettings.ofMode(TableMode.HYBRID));

        Instant beforeFirst = Instant.ofEpochMilli(System.currentTimeMillis());
        List<Segment> first = store.commitInsert(TABLE, List.of(new NewSegment("a", 100, 10, "", "{}"), new NewSegment("b", 200, 30, "", "{}")), ColumnSketches.empty());
        store.commitInsert(other, List.of(new NewSegment("c", 50, 7, "", "{}")), ColumnSketches.empty());
        Map<String, HotTierStats> stats = store.hotTierStats();
        assertThat(stats).containsOnlyKeys(TABLE, other);
        assertThat(stats.get(TABLE)).extracting(HotTierStats::segments, HotTierStats::rows, HotTierStats::bytes).containsExactly(2L, 40L, 300L);
        assertThat(stats.get(TABLE).oldestSegmentCreated()).hasValueSatisfying(created -> assertThat(created).isAfterOrEqualTo(beforeFirst));
        assertThat(stats.get(other)).extracting(HotTierStats::segments, HotTierStats::rows, HotTierStats::bytes).containsExactly(1L, 7L, 50L);

        // compaction replaces both of the first table's segments with one of their rows; the dropped inputs count no more
        store.replaceSegments(TABLE, first, new NewSegment("a+b", 280, 40, "", "{}")).orElseThrow();
        assertThat(store.hotTierStats().get(TABLE)).extracting(HotTierStats::segments, HotTierStats::rows, HotTierStats::bytes).containsExactly(1L, 40L, 280L);
        assertThat(store.hotTierStats().get(other).segments()).isEqualTo(1);
    }

    @Test
    public void testSketchesByInsertUntilTiered()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-sketches");

        // two INSERTs: ids 1-2 with values 0..99 in field 1, id 3 with values 50..149; the sketches are keyed by each INSERT's highest id
        store.commitInsert(TABLE, List.of(segment("a"), segment("b")), sketch(1, 0, 100));
        store.commitInsert(TABLE, List.of(segment("c")), sketch(1, 50, 150));
        assertThat(store.hotColumnSketches(TABLE, 0, 3).distinctValues(1)).hasValue(150);
        assertThat(store.hotColumnSketches(TABLE, 0, 2).distinctValues(1)).hasValue(100);
        assertThat(store.hotColumnSketches(TABLE, 2, 3).distinctValues(1)).hasValue(100);
        assertThat(store.hotColumnSketches(TABLE, 0, 3).distinctValues(2)).isEmpty();

        // tiering through 2 folds the first INSERT's sketches into Iceberg's statistics: they leave the metastore
        store.claimForTiering(TABLE, Instant.now().plusSeconds(1));
        store.finishTiering(TABLE, 2);
        assertThat(store.hotColumnSketches(TABLE, 0, 3).distinctValues(1)).hasValue(100);
        assertThat(store.dropTable(TABLE)).hasSize(3);
        assertThat(store.hotColumnSketches(TABLE, 0, Long.MAX_VALUE).isEmpty()).isTrue();
    }

    @Test
    public void testViewsJoiningAsDimension()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-dimensions");
        SchemaTableName unanalysable = new SchemaTableName("s", "unanalysable");
        registerEnrichedAndPlainViews(store);
        // a definition this process cannot analyse has no recorded dimensions: every check reads it
        store.registerView(view(unanalysable, "SELECT 1", List.of(BASE)), List.of(TABLE), CLAIM);

        assertThat(store.viewsJoiningAsDimension(ITEMS)).extracting(SynchronousView::name).containsExactly(ENRICHED, unanalysable);
        assertThat(store.viewsJoiningAsDimension(BASE)).extracting(SynchronousView::name).containsExactly(unanalysable);
        assertThat(store.viewsJoiningAsDimension(new SchemaTableName("other", "items"))).extracting(SynchronousView::name).containsExactly(unanalysable);

        // registered again (a REFRESH), the view keeps its dimension once; dropped, it is gone from the index
        store.registerView(view(ENRICHED, ENRICHED_SQL, List.of(BASE)), List.of(TABLE), CLAIM);
        assertThat(store.viewsJoiningAsDimension(ITEMS)).extracting(SynchronousView::name).containsExactly(ENRICHED, unanalysable);
        assertThat(store.dropView(ENRICHED, Optional.empty())).isPresent();
        assertThat(store.dropView(unanalysable, Optional.empty())).isPresent();
        assertThat(store.viewsJoiningAsDimension(ITEMS)).isEmpty();
        assertThat(store.views()).extracting(SynchronousView::name).containsExactly(PLAIN);
    }

    @Test
    public void testDimensionsOfViewsRegisteredBeforeTheyWereRecorded()
            throws Exception
    {
        MetastoreConnection metastore = migratedMetastore("segment-store-dimensions-migration");
        SegmentStore store = storeWithTable(metastore);
        registerEnrichedAndPlainViews(store);
        // as a metastore of a version before the dimensions were recorded holds them
        try (Connection connection = metastore.open(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM hybrid_view_dimensions");
            statement.executeUpdate("UPDATE hybrid_materialized_views SET dimensions_indexed = NULL");
        }
        assertThat(store.viewsJoiningAsDimension(BASE)).extracting(SynchronousView::name).containsExactly(ENRICHED, PLAIN);

        // the next start records them
        MetastoreMigrator.migrate(metastore);
        assertThat(store.viewsJoiningAsDimension(BASE)).isEmpty();
        assertThat(store.viewsJoiningAsDimension(ITEMS)).extracting(SynchronousView::name).containsExactly(ENRICHED);
        MetastoreMigrator.migrate(metastore);
        assertThat(store.viewsJoiningAsDimension(ITEMS)).extracting(SynchronousView::name).containsExactly(ENRICHED);
    }

    @Test
    public void testSnapshotAroundReadsWhatViewsConnect()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-snapshot");
        SchemaTableName base = new SchemaTableName("s", "t");
        SchemaTableName otherBase = new SchemaTableName("s", "u");
        SchemaTableName state = new SchemaTableName("s", "_mv_v_1");
        SchemaTableName viewOfState = new SchemaTableName("s", "on_state");
        SchemaTableName stateOfViewOfState = new SchemaTableName("s", "_mv_on_state_1");
        SchemaTableName unrelated = new SchemaTableName("s", "w");
        SchemaTableName view = new SchemaTableName("s", "v");
        String otherBaseUuid = "00000000-0000-0000-0000-000000000002";
        String stateUuid = "00000000-0000-0000-0000-000000000003";
        store.registerTable(otherBaseUuid, otherBase, "local:///u", TableSettings.ofMode(TableMode.HYBRID));
        store.registerTable(stateUuid, state, "local:///state", TableSettings.ofMode(TableMode.HYBRID));
        store.registerTable("00000000-0000-0000-0000-000000000004", stateOfViewOfState, "local:///state2", TableSettings.ofMode(TableMode.HYBRID));
        store.registerTable("00000000-0000-0000-0000-000000000005", unrelated, "local:///w", TableSettings.ofMode(TableMode.HYBRID));
        // a view stitching two bases, and a view over the first one's state table
        store.registerView(view(view, List.of(base, otherBase), state), List.of(TABLE, otherBaseUuid), CLAIM);
        store.registerView(view(viewOfState, List.of(state), stateOfViewOfState), List.of(stateUuid), CLAIM);
        // and a view of the unrelated table, which no read of the set may bring in
        SchemaTableName unrelatedView = new SchemaTableName("s", "on_w");
        SchemaTableName unrelatedState = new SchemaTableName("s", "_mv_on_w_1");
        store.registerTable("00000000-0000-0000-0000-000000000006", unrelatedState, "local:///state3", TableSettings.ofMode(TableMode.HYBRID));
        store.registerView(view(unrelatedView, List.of(unrelated), unrelatedState), List.of("00000000-0000-0000-0000-000000000005"), CLAIM);

        // from any member, the whole set: both views, their state tables, every base; never the unrelated table
        Set<SchemaTableName> connectedTables = Set.of(base, otherBase, state, stateOfViewOfState);
        for (SchemaTableName member : List.of(base, otherBase, view, state, viewOfState, stateOfViewOfState)) {
            MetastoreSnapshot around = store.snapshotAround(member);
            assertThat(around.tables().keySet()).as(member.toString()).isEqualTo(connectedTables);
            assertThat(around.views()).extracting(registered -> registered.view().name()).as(member.toString()).containsExactlyInAnyOrder(view, viewOfState);
            assertThat(around.names()).as(member.toString()).containsAll(connectedTables).contains(view, viewOfState).doesNotContain(unrelated);
            assertThat(around.views()).filteredOn(registered -> registered.view().name().equals(view)).singleElement()
                    .extracting(RegisteredView::baseUuids).isEqualTo(Set.of(TABLE, otherBaseUuid));
        }
        // the versions are those of one read: registering the view moved its bases to version 1
        assertThat(store.snapshotAround(view).tables().get(base).version()).isEqualTo(store.getTable(TABLE).orElseThrow().version());

        // the unrelated view's set, from each of its members, is its own: never the views above
        for (SchemaTableName member : List.of(unrelated, unrelatedView, unrelatedState)) {
            MetastoreSnapshot around = store.snapshotAround(member);
            assertThat(around.tables().keySet()).as(member.toString()).containsExactlyInAnyOrder(unrelated, unrelatedState);
            assertThat(around.views()).extracting(registered -> registered.view().name()).as(member.toString()).containsExactly(unrelatedView);
            assertThat(around.views().getFirst().baseUuids()).containsExactly("00000000-0000-0000-0000-000000000005");
        }

        // a table no view touches is read alone, and a name that is neither table nor view answers as such
        SchemaTableName alone = new SchemaTableName("s", "alone");
        store.registerTable("00000000-0000-0000-0000-000000000007", alone, "local:///alone", TableSettings.ofMode(TableMode.HYBRID));
        MetastoreSnapshot aloneRead = store.snapshotAround(alone);
        assertThat(aloneRead.tables().keySet()).containsExactly(alone);
        assertThat(aloneRead.views()).isEmpty();
        MetastoreSnapshot missing = store.snapshotAround(new SchemaTableName("s", "missing"));
        assertThat(missing.tables()).isEmpty();
        assertThat(missing.views()).isEmpty();
        assertThat(missing.names()).containsExactly(new SchemaTableName("s", "missing"));
    }

    @Test
    public void testViewBuildLeases()
            throws Exception
    {
        SegmentStore store = storeWithTable("segment-store-leases");
        SchemaTableName base = new SchemaTableName("s", "t");
        SchemaTableName refreshed = new SchemaTableName("s", "refreshed");
        SchemaTableName created = new SchemaTableName("s", "created");
        SchemaTableName refreshedState = new SchemaTableName("s", "_mv_refreshed_1");
        store.registerView(view(refreshed, List.of(base), refreshedState).withState(refreshedState, true), List.of(TABLE), new ViewBuildClaim("first", false));
        store.registerView(view(created, List.of(base), new SchemaTableName("s", "_mv_created_1")).withState(new SchemaTableName("s", "_mv_created_1"), true), List.of(TABLE), new ViewBuildClaim("first", true));

        // just claimed: nothing is abandoned yet; past the lease, both are, each with what it was
        Instant registered = Instant.now();
        assertThat(store.abandonedViewBuilds(registered.minusSeconds(60))).isEmpty();
        Thread.sleep(5);
        List<AbandonedViewBuild> abandoned = store.abandonedViewBuilds(Instant.now().plusSeconds(1));
        assertThat(abandoned).extracting(build -> build.view().name()).containsExactly(created, refreshed);
        assertThat(abandoned).extracting(AbandonedViewBuild::creates).containsExactly(true, false);
        assertThat(abandoned).allSatisfy(build -> assertThat(build.owner()).contains("first"));

        // a renewal by another process changes nothing; by its owner, it keeps the build alive
        Instant beforeRenewal = Instant.now();
        Thread.sleep(5);
        store.renewViewBuilds(List.of(refreshed, created), "someone-else");
        assertThat(store.abandonedViewBuilds(beforeRenewal.plusMillis(1))).hasSize(2);
        store.renewViewBuilds(List.of(refreshed), "first");
        assertThat(store.abandonedViewBuilds(beforeRenewal.plusMillis(1))).extracting(build -> build.view().name()).containsExactly(created);

        // of two processes taking over the same abandoned build, one does; the build stays a CREATE
        Instant expiredBefore = Instant.now().plusSeconds(1);
        AbandonedViewBuild createBuild = store.abandonedViewBuilds(expiredBefore).stream().filter(build -> build.view().name().equals(created)).findFirst().orElseThrow();
        Thread.sleep(5);
        assertThat(store.takeOverViewBuild(createBuild, "second", expiredBefore)).isTrue();
        assertThat(store.takeOverViewBuild(createBuild, "third", expiredBefore)).isFalse();
        assertThat(store.abandonedViewBuilds(Instant.now().plusSeconds(1)).stream().filter(build -> build.view().name().equals(created)).findFirst().orElseThrow())
                .satisfies(build -> {
                    assertThat(build.owner()).contains("second");
                    assertThat(build.creates()).isTrue();
                });
        // nor is a build taken over once refreshed by a statement (another state table), or once built
        AbandonedViewBuild refreshBuild = store.abandonedViewBuilds(Instant.now().plusSeconds(1)).stream().filter(build -> build.view().name().equals(refreshed)).findFirst().orElseThrow();
        SchemaTableName newState = new SchemaTableName("s", "_mv_refreshed_2");
        store.registerView(view(refreshed, List.of(base), newState).withState(newState, true), List.of(TABLE), new ViewBuildClaim("fourth", false));
        assertThat(store.takeOverViewBuild(refreshBuild, "second", Instant.now().plusSeconds(1))).isFalse();
        store.registerTable("00000000-0000-0000-0000-000000000009", newState, "local:///refreshed2", TableSettings.ofMode(TableMode.HYBRID));
        store.finishViewBuild(view(refreshed, List.of(base), newState), "00000000-0000-0000-0000-000000000009", List.of());
        assertThat(store.abandonedViewBuilds(Instant.now().plusSeconds(1))).extracting(build -> build.view().name()).containsExactly(created);
    }

    /**
     * A view joining {@link #ITEMS} as a dimension at write time, and one joining nothing, both over {@link #BASE}.
     */
    private static void registerEnrichedAndPlainViews(SegmentStore store)
    {
        store.registerView(view(ENRICHED, ENRICHED_SQL, List.of(BASE)), List.of(TABLE), CLAIM);
        store.registerView(view(PLAIN, "SELECT name, count(*) AS c FROM s.t GROUP BY name", List.of(BASE)), List.of(TABLE), CLAIM);
    }

    private static SynchronousView view(SchemaTableName name, String definitionSql, List<SchemaTableName> bases)
    {
        return new SynchronousView(name, definitionSql, Optional.empty(), Optional.empty(), List.of(new SynchronousView.ViewColumn("c", "bigint")), "s", bases,
                new SchemaTableName(name.getSchemaName(), "_mv_" + name.getTableName() + "_1"), false);
    }

    private static SynchronousView view(SchemaTableName name, List<SchemaTableName> bases, SchemaTableName stateTable)
    {
        return new SynchronousView(name, "SELECT 1", Optional.empty(), Optional.empty(), List.of(new SynchronousView.ViewColumn("c", "bigint")), "s", bases, stateTable, false);
    }

    private static ColumnSketches sketch(int fieldId, long from, long to)
    {
        UpdateSketch sketch = UpdateSketch.builder().build();
        for (long value = from; value < to; value++) {
            sketch.update(value);
        }
        return new ColumnSketches(Map.of(fieldId, sketch.compact()));
    }

    private static SegmentStore storeWithTable(String directoryPrefix)
            throws Exception
    {
        return storeWithTable(migratedMetastore(directoryPrefix));
    }

    private static MetastoreConnection migratedMetastore(String directoryPrefix)
            throws Exception
    {
        Path directory = Files.createTempDirectory(directoryPrefix);
        MetastoreConnection metastore = MetastoreConnection.fromConfig(new HybridConfig().setWarehouse(directory.toString()), Optional.of(directory));
        MetastoreMigrator.migrate(metastore);
        return metastore;
    }

    private static SegmentStore storeWithTable(MetastoreConnection metastore)
    {
        SegmentStore store = new JdbcSegmentStore(new MetastoreConnectionPool(metastore, "lakehouse"));
        store.registerTable(TABLE, new SchemaTableName("s", "t"), "local:///t", TableSettings.ofMode(TableMode.HYBRID));
        return store;
    }

    private static NewSegment segment(String path)
    {
        return new NewSegment(path, 100, 10, "", "{}");
    }
}
