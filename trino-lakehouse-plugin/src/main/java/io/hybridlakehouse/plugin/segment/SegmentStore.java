package io.hybridlakehouse.plugin.segment;

import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.hybridlakehouse.plugin.mv.AbandonedViewBuild;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.ViewBuildClaim;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.trino.spi.connector.SchemaTableName;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hot tier's transactional metadata: which segments a table has at which version.
 * Every method is one metastore transaction; a reader pinned at a version sees exactly the
 * segments committed up to it, whatever commits, compactions or tierings run meanwhile.
 */
public interface SegmentStore
{
    Optional<HybridTableState> getTable(String tableUuid);

    Optional<HybridTableState> getTable(SchemaTableName name);

    List<HybridTableState> listTables();

    /**
     * The table or view of that name with every table and view views connect it to, read in one
     * transaction (see {@link MetastoreSnapshot}).
     */
    MetastoreSnapshot snapshotAround(SchemaTableName name);

    /**
     * Records that retention removed rows with times before {@code before} from a base of the view
     * or from the view, by the times of view key {@code key} (none: by times no view key gives).
     */
    void markViewRowsRemoved(SchemaTableName view, Instant before, Optional<String> key);

    /**
     * Grows whenever this process registers, changes or drops a table, so caches of table
     * settings know to reload at once (changes made by other processes show on their next refresh).
     */
    long tableChanges();

    void registerTable(String tableUuid, SchemaTableName name, String location, TableSettings settings);

    void updateTable(String tableUuid, SchemaTableName name, TableSettings settings);

    /**
     * The {@link HotTierStats} of every table that has active hot segments, in one read (a table
     * without one has {@link HotTierStats#NONE}).
     */
    Map<String, HotTierStats> hotTierStats();

    /**
     * The {@link SegmentActivity} of every table that has segment rows, in one read: a pass of
     * the background service asks once, not once per table, whatever the size of the catalog.
     */
    Map<String, SegmentActivity> segmentActivity();

    /**
     * Forgets the table and returns its segments (every state), whose files the caller deletes.
     */
    List<Segment> dropTable(String tableUuid);

    /**
     * Adds all segments of one INSERT atomically, with new ids, at a new version.
     */
    List<Segment> commitInsert(String tableUuid, List<NewSegment> segments, ColumnSketches sketches);

    /**
     * The union of the distinct-value sketches of INSERTs whose highest segment id is in
     * ({@code afterSegmentId}, {@code throughSegmentId}]: those above a snapshot's hand-off mark
     * are the hot tier's, those up to it were carried into the Iceberg table's statistics.
     */
    ColumnSketches hotColumnSketches(String tableUuid, long afterSegmentId, long throughSegmentId);

    /**
     * Segments visible at {@code version} with ids above {@code tieredThrough}: those the Iceberg snapshot does not hold yet.
     */
    List<Segment> visibleSegments(String tableUuid, long version, long tieredThrough);

    /**
     * Whether more than {@code threshold} of the segments {@link #visibleSegments} returns share
     * a partition key and a size class, where class k holds the row counts from
     * {@code classStarts[k - 1]} (ascending) up to the next start, and class 0 those below the
     * first. The database counts; it reads no commit task and returns one row at most.
     */
    boolean hasSegmentGroupPast(String tableUuid, long version, long tieredThrough, List<Long> classStarts, int threshold);

    /**
     * Segments that were visible at {@code asOf} (committed by then, not yet dropped) with ids
     * above {@code tieredThrough}: the hot tier of a query as of a past time.
     */
    List<Segment> visibleSegmentsAt(String tableUuid, Instant asOf, long tieredThrough);

    /**
     * Which of the table's dropped segments have been purged, which reads as of an earlier time
     * may need (see {@link PurgedHistory}). Empty while nothing was purged.
     */
    Optional<PurgedHistory> purgedHistory(String tableUuid);

    /**
     * Drops every active segment with an id up to {@code through}, as of {@code droppedAt}:
     * a CREATE OR REPLACE hid them from the replacing table (whose hand-off mark is
     * {@code through}) at that time. Returns the segments dropped.
     */
    List<Segment> dropReplaced(String tableUuid, long through, Instant droppedAt);

    /**
     * Every segment the metastore still records for the table, dropped ones included.
     */
    List<Segment> allSegments(String tableUuid);

    /**
     * Claims for tiering the active segments with ids up to the highest id of a segment
     * created before {@code createdBefore}, and returns them; compaction leaves claimed
     * segments alone until {@link #finishTiering}.
     */
    List<Segment> claimForTiering(String tableUuid, Instant createdBefore);

    /**
     * Marks active segments with ids up to {@code tieredThrough} as tiered, at a new version, and releases the claim.
     */
    int finishTiering(String tableUuid, long tieredThrough);

    /**
     * Replaces {@code inputs} by {@code output} (which takes the largest input id, so the
     * hand-off to Iceberg by id stays exact); returns empty when an input is no longer active
     * or is claimed by tiering, in which case nothing changed.
     */
    Optional<Segment> replaceSegments(String tableUuid, List<Segment> inputs, NewSegment output);

    /**
     * Drops active segments (retention), at a new version; returns how many were still active.
     */
    int dropSegments(String tableUuid, List<Segment> segments, String reason);

    /**
     * Segments of the table dropped (compacted, tiered, expired) before {@code droppedBefore}:
     * no running query can still read them.
     */
    List<Segment> droppedBefore(String tableUuid, Instant droppedBefore);

    /**
     * Forgets dropped segments whose files are gone (or belong to Iceberg now).
     */
    void purge(String tableUuid, List<Segment> segments);

    /**
     * Synchronous materialized views, as registered.
     */
    List<SynchronousView> views();

    Optional<SynchronousView> view(SchemaTableName name);

    /**
     * The views an INSERT into the table maintains.
     */
    List<SynchronousView> viewsOfBase(String baseUuid);

    /**
     * The views that may join the table at write time as a dimension: those that do, and
     * possibly others, which the caller tells apart by their definitions.
     */
    List<SynchronousView> viewsJoiningAsDimension(SchemaTableName table);

    /**
     * Registers (or re-registers, for a refresh or replacement) a view whose state table is being
     * built. Its bases' versions are bumped in the same transaction: INSERTs committed at higher
     * versions maintain the view, rows visible at the returned versions are the ones to build it
     * from. Tiering leaves the bases alone until {@link #finishViewBuild}. The state table of the
     * view registered before under the name is marked retired in the same transaction: reads that
     * began before may still be reading it.
     */
    Map<String, Long> registerView(SynchronousView view, List<String> baseUuids, ViewBuildClaim claim);

    /**
     * Says that {@code owner} still runs the builds of these views; a build is abandoned once
     * nobody renewed it for the lease ({@code hybrid.materialized-views.build-lease}).
     */
    void renewViewBuilds(Collection<SchemaTableName> views, String owner);

    /**
     * Views being built whose build was last renewed before {@code renewedBefore}, or never
     * (registered before builds had owners).
     */
    List<AbandonedViewBuild> abandonedViewBuilds(Instant renewedBefore);

    /**
     * Claims an abandoned build for {@code owner}, in one transaction with the check that the
     * view is still that registration and still abandoned: of two processes that found it, one
     * takes it over.
     *
     * @return whether this call took it over
     */
    boolean takeOverViewBuild(AbandonedViewBuild build, String owner, Instant renewedBefore);

    /**
     * Commits the built state of a view and marks it built, in one transaction; fails with
     * {@link ViewSupersededException} (nothing committed) when another registration (a REFRESH,
     * a replacement) or a drop of the view came after this one's.
     */
    void finishViewBuild(SynchronousView view, String stateTableUuid, List<NewSegment> segments);

    /**
     * Removes a view's registration, if it is there and, where {@code stateTable} is given,
     * still the one with that state table.
     *
     * @return the registration removed
     */
    Optional<SynchronousView> dropView(SchemaTableName name, Optional<SchemaTableName> stateTable);

    /**
     * An INSERT's segments and the view deltas computed from them, in one transaction; fails
     * with {@link ViewsChangedException} (nothing committed) when the views of the table and
     * their state tables are no longer {@code expectedViews} (view name to state table): a
     * REFRESH that switched a view to a new state table built it from the base rows committed
     * before, so deltas for the former one would be lost.
     */
    List<Segment> commitInsert(String tableUuid, List<NewSegment> segments, ColumnSketches sketches, Map<String, List<NewSegment>> viewDeltas, Map<SchemaTableName, SchemaTableName> expectedViews);

    class ViewSupersededException
            extends RuntimeException
    {
        public ViewSupersededException(String message)
        {
            super(message);
        }
    }

    class ViewsChangedException
            extends RuntimeException
    {
        public ViewsChangedException(String message)
        {
            super(message);
        }
    }
}
