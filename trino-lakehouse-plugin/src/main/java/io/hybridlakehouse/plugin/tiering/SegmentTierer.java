package io.hybridlakehouse.plugin.tiering;

import com.google.common.annotations.VisibleForTesting;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.airlift.units.DataSize;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.Interruptions;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentCompactor;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentPageSource;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.trino.plugin.iceberg.CollectedStatistics;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergFileFormat;
import io.trino.plugin.iceberg.TableStatisticsWriter;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.IsolationLevel;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.IOUtil;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_COMMIT_ERROR;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static io.trino.plugin.iceberg.TableStatisticsWriter.StatsUpdateMode.INCREMENTAL_UPDATE;
import static java.util.Locale.ENGLISH;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.groupingBy;

/**
 * Moves a table's hot segments into its Iceberg snapshot, keeping the hand-off invariant:
 * <ol>
 * <li>claim the active segments (compaction then leaves them alone);</li>
 * <li>one Iceberg commit appends their files, which are already Iceberg data files of the
 * table's schema and spec, and sets {@code hybrid.tiered-through} to the highest id;</li>
 * <li>mark them tiered in the metastore.</li>
 * </ol>
 * Readers filter hot segments by the mark of the snapshot they read, so a crash between any
 * two steps leaves every row visible exactly once; a rerun finishes the work.
 */
public class SegmentTierer
{
    private static final Logger log = Logger.get(SegmentTierer.class);
    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final int MAX_COMMIT_ATTEMPTS = 5;

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final HotSegmentSplits segments;
    private final SegmentCompactor compactor;
    private final DataSize writerMemory;
    private final TableStatisticsWriter statisticsWriter;

    @Inject
    public SegmentTierer(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, JsonCodec<CommitTaskData> commitTaskCodec, SegmentCompactor compactor, TieringConfig config, TableStatisticsWriter statisticsWriter)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.segments = new HotSegmentSplits(commitTaskCodec);
        this.compactor = requireNonNull(compactor, "compactor is null");
        this.writerMemory = config.getWriterMemory();
        this.statisticsWriter = requireNonNull(statisticsWriter, "statisticsWriter is null");
    }

    /**
     * @param segments segments appended to Iceberg (after small ones of a partition were merged)
     * @param peakWriterMemoryBytes the most memory a writer merging segments held
     */
    public record Result(int segments, long rows, long tieredThrough, long peakWriterMemoryBytes) {}

    /**
     * Steps of a tiering run at which tests inject crashes.
     */
    public enum Step
    {
        MERGE_OUTPUT_WRITTEN,
        CLAIMED,
        ICEBERG_COMMITTED,
        MARKED_TIERED,
    }

    private volatile Consumer<Step> checkpoint = _ -> {};

    @VisibleForTesting
    public void setCheckpointForTesting(Consumer<Step> checkpoint)
    {
        this.checkpoint = requireNonNull(checkpoint, "checkpoint is null");
    }

    /**
     * Tiers every hot segment of the table.
     */
    public Result tier(ConnectorSession session, SchemaTableName name)
    {
        return tier(session, name, Instant.now().plusSeconds(1));
    }

    /**
     * Tiers the hot segments up to the newest one created before {@code createdBefore}
     * (segments are tiered as a prefix by id: that is what the hand-off mark describes).
     */
    public Result tier(ConnectorSession session, SchemaTableName name, Instant createdBefore)
    {
        Table table = loadTable(session, name);
        String uuid = table.uuid().toString();
        HybridTableState state = segmentStore.getTable(uuid).orElseThrow(() -> new TrinoException(HYBRID_INVALID_TABLE_PROPERTY,
                "Table %s has no hot tier: it was not created through this catalog or is in lake mode without segments".formatted(name)));
        long peakWriterMemory = mergeSmallSegments(session, table, state, createdBefore);

        List<Segment> claimed = segmentStore.claimForTiering(uuid, createdBefore);
        checkpoint.accept(Step.CLAIMED);
        if (claimed.isEmpty()) {
            segmentStore.finishTiering(uuid, 0);
            return new Result(0, 0, tieredThrough(table), peakWriterMemory);
        }
        long through = claimed.stream().mapToLong(Segment::id).max().orElseThrow();
        long handedOff = tieredThrough(table);
        for (Segment segment : claimed) {
            if (segment.id() > handedOff) {
                checkIntact(table, name, segments.decode(segment));
            }
        }
        long rows = 0;
        int appended = 0;
        for (int attempt = 1; ; attempt++) {
            long alreadyTiered = tieredThrough(table);
            List<Segment> toAppend = claimed.stream().filter(segment -> segment.id() > alreadyTiered).toList();
            if (toAppend.isEmpty()) {
                break;
            }
            try {
                Interruptions.checkNotInterrupted("Tiering " + name);
                commit(table, toAppend, through);
                rows = toAppend.stream().mapToLong(Segment::recordCount).sum();
                appended = toAppend.size();
                break;
            }
            catch (CommitFailedException | ValidationException e) {
                if (attempt >= MAX_COMMIT_ATTEMPTS) {
                    throw new TrinoException(HYBRID_COMMIT_ERROR, "Tiering %s failed after %d attempts: %s".formatted(name, attempt, e.getMessage()), e);
                }
                log.debug("Tiering commit of %s conflicted (attempt %s), retrying: %s", name, attempt, e.getMessage());
                table = loadTable(session, name);
            }
        }
        checkpoint.accept(Step.ICEBERG_COMMITTED);
        if (appended > 0) {
            carryDistinctValueSketches(session, name, uuid, through);
        }
        int marked = segmentStore.finishTiering(uuid, through);
        checkpoint.accept(Step.MARKED_TIERED);
        log.info("Tiered %s segments (%s rows) of %s into Iceberg through segment %s; %s marked tiered", appended, rows, name, through, marked);
        return new Result(appended, rows, through, peakWriterMemory);
    }

    /**
     * Iceberg wants few large files: the segments of a partition due for tiering are merged
     * into one first, streamed through a writer whose buffer is bounded by {@code hybrid.tiering.writer-memory}.
     */
    private long mergeSmallSegments(ConnectorSession session, Table table, HybridTableState state, Instant createdBefore)
    {
        ConnectorSession limited = new WriterMemoryLimitedSession(session, writerMemory);
        Map<String, List<Segment>> due = segmentStore.visibleSegments(state.tableUuid(), state.version(), tieredThrough(table)).stream()
                .filter(segment -> segment.createdAt().isBefore(createdBefore))
                .filter(segment -> segment.id() > state.tieringClaim())
                .collect(groupingBy(compactor::partitionOf));
        long peakMemory = 0;
        for (List<Segment> partition : due.values()) {
            if (partition.size() > 1) {
                peakMemory = Math.max(peakMemory, compactor.compact(limited, table, partition, () -> checkpoint.accept(Step.MERGE_OUTPUT_WRITTEN))
                        .map(SegmentCompactor.Compacted::peakWriterMemoryBytes)
                        .orElse(0L));
            }
        }
        return peakMemory;
    }

    /**
     * A segment whose file is gone, cut short or without its Parquet footer would carry its
     * damage into the cold tier, where it reads as any other Iceberg file: the run fails instead
     * and the segment stays hot, where its error names it. A stat and a 4-byte read per segment;
     * damage inside the file is only found by reading it.
     */
    private static void checkIntact(Table table, SchemaTableName name, CommitTaskData task)
    {
        try {
            InputFile file = table.io().newInputFile(task.path());
            long length = file.getLength();
            if (length != task.fileSizeInBytes()) {
                throw new IOException("the file has %s bytes where %s were written".formatted(length, task.fileSizeInBytes()));
            }
            if (task.fileFormat() == IcebergFileFormat.PARQUET) {
                byte[] magic = new byte[PARQUET_MAGIC.length];
                try (SeekableInputStream stream = file.newStream()) {
                    stream.seek(length - magic.length);
                    IOUtil.readFully(stream, magic, 0, magic.length);
                }
                if (!Arrays.equals(magic, PARQUET_MAGIC)) {
                    throw new IOException("the file does not end with a Parquet footer");
                }
            }
        }
        catch (IOException | UncheckedIOException | NotFoundException e) {
            throw HotSegmentPageSource.corruptSegment(name.toString(), task.path(), e);
        }
    }

    private void commit(Table table, List<Segment> toAppend, long through)
    {
        Snapshot base = table.currentSnapshot();
        Transaction transaction = table.newTransaction();
        // an overwrite that only adds files, validated against the snapshot it was planned on:
        // a concurrent commit adding data (such as another tiering run) fails it instead of doubling rows
        OverwriteFiles overwrite = transaction.newOverwrite()
                .conflictDetectionFilter(Expressions.alwaysTrue())
                .validateNoConflictingData();
        if (base != null) {
            overwrite.validateFromSnapshot(base.snapshotId());
        }
        for (Segment segment : toAppend) {
            CommitTaskData task = segments.decode(segment);
            PartitionSpec spec = PartitionSpecParser.fromJson(table.schema(), task.partitionSpecJson());
            overwrite.addFile(HotSegmentSplits.dataFile(table.specs().getOrDefault(spec.specId(), spec), task));
        }
        overwrite.set(HotTierPin.TIERED_THROUGH_PROPERTY, String.valueOf(through));
        overwrite.commit();
        UpdateProperties properties = transaction.updateProperties().set(HotTierPin.TIERED_THROUGH_PROPERTY, String.valueOf(through));
        // DELETE, UPDATE and MERGE run on the snapshot their statement began with and leave rows inserted later hot and
        // untouched: under Iceberg's default (serializable) a tiering commit appending those rows meanwhile failed them.
        // Trino reads the first; other engines the others. A level set on the table stays.
        for (String isolationLevel : List.of(TableProperties.DELETE_ISOLATION_LEVEL, TableProperties.UPDATE_ISOLATION_LEVEL, TableProperties.MERGE_ISOLATION_LEVEL)) {
            if (!table.properties().containsKey(isolationLevel)) {
                properties.set(isolationLevel, IsolationLevel.SNAPSHOT.name().toLowerCase(ENGLISH));
            }
        }
        properties.commit();
        transaction.commitTransaction();
    }

    /**
     * Unions the sketches of the tiered INSERTs into the Iceberg statistics of the snapshot that
     * took their rows, as the stock connector does for an INSERT, so the cold tier's distinct
     * values stay known. Like the stock connector, a failure here leaves the data committed and
     * only the statistics stale (an {@code ANALYZE} recomputes them).
     */
    private void carryDistinctValueSketches(ConnectorSession session, SchemaTableName name, String uuid, long through)
    {
        try {
            ColumnSketches sketches = segmentStore.hotColumnSketches(uuid, Long.MIN_VALUE, through);
            if (sketches.isEmpty()) {
                return;
            }
            Table table = loadTable(session, name);
            Optional<Snapshot> tiering = StreamSupport.stream(table.snapshots().spliterator(), false)
                    .filter(snapshot -> String.valueOf(through).equals(snapshot.summary().get(HotTierPin.TIERED_THROUGH_PROPERTY)))
                    .reduce((_, later) -> later);
            if (tiering.isEmpty()) {
                return;
            }
            StatisticsFile statistics = statisticsWriter.writeStatisticsFile(session, table, tiering.get().snapshotId(), INCREMENTAL_UPDATE, new CollectedStatistics(sketches.sketches()));
            table.updateStatistics().setStatistics(statistics).commit();
        }
        catch (RuntimeException e) {
            log.warn(e, "Tiered rows of %s are committed, but their distinct-value statistics were not; ANALYZE %s recomputes them", name, name);
        }
    }

    private Table loadTable(ConnectorSession session, SchemaTableName name)
    {
        // the catalog raises TABLE_NOT_FOUND with the table's name for a missing table
        return catalogFactory.create(session.getIdentity()).loadTable(session, name);
    }

    private static long tieredThrough(Table table)
    {
        return HotTierPin.tieredThrough(table.properties());
    }
}
