package io.hybridlakehouse.plugin.tiering;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentActivity;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.write.StorageFull;
import io.trino.filesystem.Location;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.spi.NodeManager;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadScheduledExecutor;

/**
 * The coordinator's background service. Every {@code hybrid.tiering.interval}, for each table:
 * tiers hot segments older than its {@code tier_after} (all of them for {@code lake} tables),
 * applies its retention, drops materialized views' state tables retired longer than the grace
 * period ago, and deletes files of segments dropped longer than the grace period
 * ago (compacted or expired ones; tiered files belong to Iceberg and stay); and every
 * {@code hybrid.orphan-files.sweep-interval} (first at a random point of one interval) deletes
 * files older than {@code hybrid.orphan-files.min-age} that nothing references (see
 * {@link OrphanFileSweeper}).
 */
public class TieringService
{
    private static final Logger log = Logger.get(TieringService.class);
    private static final int MAX_COLD_MERGES_PER_RUN = 4;

    private final SegmentStore segmentStore;
    private final SegmentTierer tierer;
    private final RetentionApplier retention;
    private final OrphanFileSweeper orphanFileSweeper;
    private final RetiredStateTableDropper retiredStateTables;
    private final ColdFileCompactor coldFiles;
    private final BackgroundSession sessions;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final TieringConfig config;
    private final boolean coordinator;
    private final Map<String, TieringStatus> statuses = new ConcurrentHashMap<>();
    private final Map<String, Instant> nextOrphanFileSweeps = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;

    /**
     * The outcome of the latest tiering of a table.
     */
    public record TieringStatus(Instant time, String result, Duration duration, Optional<String> error) {}

    @Inject
    public TieringService(
            SegmentStore segmentStore,
            SegmentTierer tierer,
            RetentionApplier retention,
            OrphanFileSweeper orphanFileSweeper,
            RetiredStateTableDropper retiredStateTables,
            ColdFileCompactor coldFiles,
            BackgroundSession sessions,
            IcebergFileSystemFactory fileSystemFactory,
            TieringConfig config,
            NodeManager nodeManager)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.tierer = requireNonNull(tierer, "tierer is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.orphanFileSweeper = requireNonNull(orphanFileSweeper, "orphanFileSweeper is null");
        this.retiredStateTables = requireNonNull(retiredStateTables, "retiredStateTables is null");
        this.coldFiles = requireNonNull(coldFiles, "coldFiles is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.config = requireNonNull(config, "config is null");
        this.coordinator = nodeManager.getCurrentNode().isCoordinator();
    }

    @PostConstruct
    public void start()
    {
        if (!config.isEnabled() || !coordinator) {
            log.info("Background tiering service not started on this node: %s", coordinator ? "hybrid.tiering.enabled is false" : "it runs on the coordinator only");
            return;
        }
        log.info("Background tiering service started on this coordinator: tiering, retention, compaction clean-up and orphan sweep every %s", config.getInterval());
        long intervalMillis = config.getInterval().toMillis();
        executor = newSingleThreadScheduledExecutor(daemonThreadsNamed("hybrid-tiering"));
        executor.scheduleWithFixedDelay(this::runOnce, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public void stop()
    {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    public Optional<TieringStatus> status(String tableUuid)
    {
        return Optional.ofNullable(statuses.get(tableUuid));
    }

    /**
     * One pass over all tables; failures of one table are recorded and do not stop the others.
     * Which tables have segments to tier or files to delete is read once for the pass, so a
     * table without hot data costs no metastore statement of its own.
     */
    public void runOnce()
    {
        List<HybridTableState> tables;
        Map<String, SegmentActivity> activity;
        try {
            tables = segmentStore.listTables();
            activity = segmentStore.segmentActivity();
        }
        catch (RuntimeException e) {
            log.warn(e, "Tiering service cannot read the tables and their segments");
            return;
        }
        Instant now = Instant.now();
        // dropped tables need no sweep
        nextOrphanFileSweeps.keySet().retainAll(tables.stream().map(HybridTableState::tableUuid).collect(toImmutableSet()));
        for (HybridTableState table : tables) {
            if (table.retiredAt().isPresent()) {
                dropRetiredStateTable(table, now);
                continue;
            }
            SegmentActivity segments = activity.getOrDefault(table.tableUuid(), SegmentActivity.NONE);
            tierTable(table, segments, now);
            applyRetention(table, now);
            deleteUnreferencedFiles(table, segments, now);
            sweepOrphanFiles(table, now);
        }
    }

    private void tierTable(HybridTableState table, SegmentActivity segments, Instant now)
    {
        Duration tierAfter = table.settings().tierAfter().orElse(Duration.ofMillis(config.getDefaultTierAfter().toMillis()));
        Instant createdBefore = table.mode() == TableMode.LAKE ? now.plusSeconds(1) : now.minus(tierAfter);
        if (segments.oldestActiveSegmentCreated().filter(oldest -> !oldest.isAfter(createdBefore)).isEmpty()) {
            return;
        }
        try {
            if (tier(sessions.create(), table.tableUuid(), table.name(), createdBefore).segments() > 0) {
                compactColdFiles(table);
            }
        }
        catch (RuntimeException e) {
            log.warn(e, "Tiering %s failed; it is retried on the next run", table.name());
        }
    }

    /**
     * Tiering has just added files to the table's partitions: merges their small Iceberg files
     * (see {@link ColdFileCompactor}), a few merges per run so that other tables wait little.
     */
    private void compactColdFiles(HybridTableState table)
    {
        if (!coldFiles.isEnabled()) {
            return;
        }
        int files = 0;
        int merges = 0;
        try {
            for (; merges < MAX_COLD_MERGES_PER_RUN; merges++) {
                Optional<ColdFileCompactor.Result> merged = coldFiles.compactOnce(sessions.create(), table.name());
                if (merged.isEmpty()) {
                    break;
                }
                files += merged.get().inputFiles();
            }
        }
        catch (RuntimeException e) {
            log.warn(e, "Compacting the cold files of %s failed; the files stay as they were and it is retried after the next tiering", table.name());
        }
        if (merges > 0) {
            int filesMerged = files;
            int filesWritten = merges;
            statuses.computeIfPresent(table.tableUuid(), (_, status) -> new TieringStatus(status.time(),
                    "%s; merged %d small Iceberg files into %d".formatted(status.result(), filesMerged, filesWritten), status.duration(), status.error()));
        }
    }

    /**
     * Tiers a table now (all its hot segments created before {@code createdBefore}) and records the outcome for {@code system.tiering_status}.
     */
    public SegmentTierer.Result tier(ConnectorSession session, String tableUuid, SchemaTableName name, Instant createdBefore)
    {
        Instant started = Instant.now();
        long start = System.nanoTime();
        try {
            SegmentTierer.Result result = tierer.tier(session, name, createdBefore);
            statuses.put(tableUuid, new TieringStatus(started, "tiered %d segments, %d rows, through segment %d, writer memory peak %d bytes".formatted(
                            result.segments(), result.rows(), result.tieredThrough(), result.peakWriterMemoryBytes()),
                    Duration.ofNanos(System.nanoTime() - start), Optional.empty()));
            return result;
        }
        catch (RuntimeException e) {
            RuntimeException failure = StorageFull.translated("Tiering " + name, e).map(RuntimeException.class::cast).orElse(e);
            statuses.put(tableUuid, new TieringStatus(started, "FAILED", Duration.ofNanos(System.nanoTime() - start), Optional.of(String.valueOf(failure.getMessage()))));
            throw failure;
        }
    }

    private void applyRetention(HybridTableState table, Instant now)
    {
        if (table.settings().retention().isEmpty()) {
            return;
        }
        try {
            retention.apply(sessions.create(), table.name(), now);
        }
        catch (RuntimeException e) {
            log.warn(e, "Applying retention to %s failed; it is retried on the next run", table.name());
        }
    }

    /**
     * A materialized view's former state table is neither tiered nor compacted: reads that began
     * before its view moved on may still read it, and it is dropped once the grace period has passed.
     */
    private void dropRetiredStateTable(HybridTableState table, Instant now)
    {
        if (table.retiredAt().orElseThrow().isAfter(now.minusMillis(config.getGracePeriod().toMillis()))) {
            return;
        }
        try {
            retiredStateTables.drop(sessions.create(), table);
        }
        catch (RuntimeException e) {
            log.warn(e, "Dropping %s, the retired state table of a materialized view, failed; it is retried on the next run", table.name());
        }
    }

    private void deleteUnreferencedFiles(HybridTableState table, SegmentActivity segments, Instant now)
    {
        Instant droppedBefore = now.minusMillis(config.getGracePeriod().toMillis());
        // segments dropped during this pass (tiered, compacted or expired above) wait for the next one, as their grace period asks
        if (segments.earliestUnpurgedDrop().filter(earliest -> earliest.isBefore(droppedBefore)).isEmpty()) {
            return;
        }
        try {
            List<Segment> dropped = segmentStore.droppedBefore(table.tableUuid(), droppedBefore);
            if (dropped.isEmpty()) {
                return;
            }
            // tiered segment files are Iceberg data files now: only their rows go
            List<Location> files = dropped.stream()
                    .filter(Segment::ownsFile)
                    .map(segment -> Location.of(segment.path()))
                    .collect(ImmutableList.toImmutableList());
            ConnectorSession session = sessions.create();
            fileSystemFactory.create(session.getIdentity(), Map.of()).deleteFiles(files);
            segmentStore.purge(table.tableUuid(), dropped);
        }
        catch (IOException | RuntimeException e) {
            log.warn(e, "Deleting unreferenced segment files of %s failed; it is retried on the next run", table.name());
        }
    }

    private void sweepOrphanFiles(HybridTableState table, Instant now)
    {
        long intervalMillis = config.getOrphanFileSweepInterval().toMillis();
        // A table first seen (a new one, or every table after a restart) is first swept at a random
        // point of one interval, so a restart does not list the whole catalog in one pass (two
        // requests per table on object storage). Nothing is lost meanwhile: an orphan is only
        // deleted once older than the minimum age, a day by default.
        Instant due = nextOrphanFileSweeps.computeIfAbsent(table.tableUuid(), uuid -> now.plusMillis(ThreadLocalRandom.current().nextLong(intervalMillis + 1)));
        if (due.isAfter(now)) {
            return;
        }
        nextOrphanFileSweeps.put(table.tableUuid(), now.plusMillis(intervalMillis));
        try {
            orphanFileSweeper.sweep(sessions.create(), table.name(), now.minusMillis(config.getOrphanFileMinAge().toMillis()));
        }
        catch (TableNotFoundException e) {
            // unregistered (CALL system.unregister_table): its files are no longer this catalog's to delete
            log.debug("Not sweeping %s: the catalog no longer has it", table.name());
        }
        catch (RuntimeException e) {
            log.warn(e, "Removing orphan files of %s failed; it is retried after %s", table.name(), config.getOrphanFileSweepInterval());
        }
    }
}
