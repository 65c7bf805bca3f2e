package io.hybridlakehouse.plugin.segment;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.airlift.units.DataSize;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.mv.ViewStateFolding;
import io.hybridlakehouse.plugin.split.HotSegmentPageSource;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.hybridlakehouse.plugin.write.StorageFull;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoFileSystem;
import io.trino.plugin.hive.SortingFileWriterConfig;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergFileFormat;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergFileWriter;
import io.trino.plugin.iceberg.IcebergFileWriterFactory;
import io.trino.plugin.iceberg.IcebergSessionProperties;
import io.trino.plugin.iceberg.IcebergSortingFileWriter;
import io.trino.plugin.iceberg.MetricsWrapper;
import io.trino.plugin.iceberg.PartitionData;
import io.trino.plugin.iceberg.TrinoSortField;
import io.trino.spi.ErrorCode;
import io.trino.spi.Page;
import io.trino.spi.PageSorter;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SortOrder;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CORRUPT_SEGMENT;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_WRITER_ERROR;
import static io.trino.plugin.iceberg.IcebergUtil.getFileFormat;
import static io.trino.plugin.iceberg.IcebergUtil.getTopLevelColumns;
import static io.trino.spi.StandardErrorCode.USER_CANCELED;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;

/**
 * Merges the small hot segments of one partition into one segment: rows are streamed page by
 * page through Iceberg's page source into Iceberg's writer for the table's format (same
 * metrics as an INSERT), then the metastore swaps the inputs for the output in one transaction. Readers
 * pinned before the swap keep reading the inputs, whose files stay until a grace period ends.
 */
public class SegmentCompactor
{
    private static final Logger log = Logger.get(SegmentCompactor.class);

    private static final Set<ErrorCode> STOPPED = ImmutableSet.of(HYBRID_CORRUPT_SEGMENT.toErrorCode(), USER_CANCELED.toErrorCode());

    private final SegmentStore segmentStore;
    private final HotSegmentSplits segments;
    private final JsonCodec<CommitTaskData> commitTaskCodec;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final IcebergFileWriterFactory writerFactory;
    private final DataFileReader dataFiles;
    private final TypeManager typeManager;
    private final CacheWarmer cacheWarmer;
    private final PageSorter pageSorter;
    private final SortingFileWriterConfig sortingConfig;
    private final ViewStateFolding stateFolding;

    @Inject
    public SegmentCompactor(
            SegmentStore segmentStore,
            JsonCodec<CommitTaskData> commitTaskCodec,
            IcebergFileSystemFactory fileSystemFactory,
            IcebergFileWriterFactory writerFactory,
            DataFileReader dataFiles,
            TypeManager typeManager,
            CacheWarmer cacheWarmer,
            PageSorter pageSorter,
            SortingFileWriterConfig sortingConfig,
            ViewStateFolding stateFolding)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
        this.segments = new HotSegmentSplits(commitTaskCodec);
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.writerFactory = requireNonNull(writerFactory, "writerFactory is null");
        this.dataFiles = requireNonNull(dataFiles, "dataFiles is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.cacheWarmer = requireNonNull(cacheWarmer, "cacheWarmer is null");
        this.pageSorter = requireNonNull(pageSorter, "pageSorter is null");
        this.sortingConfig = requireNonNull(sortingConfig, "sortingConfig is null");
        this.stateFolding = requireNonNull(stateFolding, "stateFolding is null");
    }

    public record Result(int partitions, int inputSegments, long peakWriterMemoryBytes) {}

    /**
     * A compaction's output segment and the most memory its writer held at any time.
     */
    public record Compacted(Segment segment, long peakWriterMemoryBytes) {}

    /**
     * Compacts every partition of the table that has at least {@code minSegments} active segments.
     */
    public Result compactTable(ConnectorSession session, Table table, int minSegments)
    {
        return compactGroups(session, table, this::partitionOf, Math.max(2, minSegments));
    }

    /**
     * Compacts, within each partition, the segments of about the same size once there are at
     * least {@code threshold} of them (see {@link #sizeClass}).
     */
    public Result compactSimilarSizes(ConnectorSession session, Table table, int threshold)
    {
        return compactGroups(session, table, segment -> sizeClassOf(segment, threshold), Math.max(2, threshold));
    }

    /**
     * Whether some partition of the table has more than {@code threshold} active segments of about the same size.
     */
    public boolean needsCompaction(Table table, int threshold)
    {
        String uuid = table.uuid().toString();
        long tieredThrough = HotTierPin.tieredThrough(table.properties());
        // runs after every INSERT: the database counts the segments by stored partition values
        // and size class, reading no commit task, and only when a group may be past the
        // threshold are the segments read and decoded (at 1,000 hot segments, decoding them all
        // took 7 ms of CPU per INSERT)
        return segmentStore.getTable(uuid)
                .map(state -> segmentStore.hasSegmentGroupPast(uuid, state.version(), tieredThrough, sizeClassStarts(threshold), threshold)
                        // equal partition values under two partition specs are two partitions, which only the commit tasks tell apart
                        && segmentStore.visibleSegments(uuid, state.version(), tieredThrough).stream()
                                .collect(groupingBy(segment -> sizeClassOf(segment, threshold), counting()))
                                .values().stream()
                                .anyMatch(count -> count > threshold))
                .orElse(false);
    }

    private Result compactGroups(ConnectorSession session, Table table, Function<Segment, String> group, int minSegments)
    {
        String uuid = table.uuid().toString();
        HybridTableState state = segmentStore.getTable(uuid).orElseThrow();
        Map<String, List<Segment>> groups = segmentStore.visibleSegments(uuid, state.version(), HotTierPin.tieredThrough(table.properties())).stream()
                .filter(segment -> segment.id() > state.tieringClaim())
                .collect(groupingBy(group));
        int partitions = 0;
        int inputs = 0;
        long peakMemory = 0;
        for (List<Segment> segments : groups.values()) {
            if (segments.size() >= minSegments) {
                Optional<Compacted> compacted = compact(session, table, segments);
                if (compacted.isPresent()) {
                    partitions++;
                    inputs += segments.size();
                    peakMemory = Math.max(peakMemory, compacted.get().peakWriterMemoryBytes());
                }
            }
        }
        return new Result(partitions, inputs, peakMemory);
    }

    private String sizeClassOf(Segment segment, int threshold)
    {
        return partitionOf(segment) + "\n" + sizeClass(segment.recordCount(), threshold);
    }

    /**
     * The size class of a segment of {@code rows} rows: segments whose row counts lie within
     * one power of {@code threshold + 1}. Background compaction merges segments of one class,
     * and the merge of more than {@code threshold} of them lands in a higher class, so a
     * merged segment is rewritten again only with others of its size: each row is rewritten
     * a logarithmic number of times, where merging a partition's segments all into one would
     * rewrite the oldest rows at every merge.
     */
    public static int sizeClass(long rows, int threshold)
    {
        long base = threshold + 1L;
        int sizeClass = 0;
        for (long remaining = rows; remaining >= base; remaining /= base) {
            sizeClass++;
        }
        return sizeClass;
    }

    /**
     * The smallest row count of each size class above 0 (see {@link #sizeClass}), as far as a
     * row count goes: the powers of {@code threshold + 1}.
     */
    static List<Long> sizeClassStarts(int threshold)
    {
        long base = threshold + 1L;
        ImmutableList.Builder<Long> starts = ImmutableList.builder();
        for (long start = base; ; start *= base) {
            starts.add(start);
            if (start > Long.MAX_VALUE / base) {
                return starts.build();
            }
        }
    }

    public String partitionOf(Segment segment)
    {
        CommitTaskData task = segments.decode(segment);
        return task.partitionSpecJson() + "\n" + task.partitionDataJson().orElse("");
    }

    /**
     * Compacts the given active segments of one partition into one segment.
     */
    public Optional<Compacted> compact(ConnectorSession session, Table table, List<Segment> inputs)
    {
        return compact(session, table, inputs, () -> {});
    }

    /**
     * Compacts the given active segments of one partition into one segment, running
     * {@code outputWritten} between writing the output file and committing it.
     */
    public Optional<Compacted> compact(ConnectorSession session, Table table, List<Segment> inputs, Runnable outputWritten)
    {
        CommitTaskData first = segments.decode(inputs.getFirst());
        // the state of a materialized view is folded to one row per key on the way
        Merged merged = merge(session, table, first.partitionSpecJson(), first.partitionDataJson(),
                inputs.stream().map(input -> DataFileReader.DataFile.of(segments.decode(input), input.recordCount())).toList(),
                stateFolding.folderFor(table),
                (file, pages) -> HotSegmentPageSource.reading(() -> {
                    dataFiles.read(session, table, file, pages);
                    return null;
                }, table.name(), file.path()),
                "Compacting %d segments of %s".formatted(inputs.size(), table.name()));
        outputWritten.run();
        NewSegment outputSegment = new NewSegment(merged.location().toString(), merged.task().fileSizeInBytes(), merged.rows(), inputs.getFirst().partitionKey(), commitTaskCodec.toJson(merged.task()));
        // the output file is written but referenced by nothing yet: the orphan sweep collects it
        Interruptions.checkNotInterrupted("Compacting segments of " + table.name());
        Optional<Segment> committed = segmentStore.replaceSegments(table.uuid().toString(), inputs, outputSegment);
        if (committed.isEmpty()) {
            // another compaction or a tiering claim got there first: the inputs stay, the output goes
            deleteQuietly(session, table, merged.location());
            return Optional.empty();
        }
        cacheWarmer.writeThrough(session.getIdentity(), List.of(merged.location().toString()));
        log.info("Compacted %s segments (%s rows) of %s into segment %s; writer memory peaked at %s bytes", inputs.size(), merged.rows(), table.name(), committed.get().id(), merged.peakWriterMemoryBytes());
        return Optional.of(new Compacted(committed.get(), merged.peakWriterMemoryBytes()));
    }

    /**
     * A file {@link #merge} wrote: its location, its commit task (metrics, partition), its rows
     * and the most memory its writer held.
     */
    public record Merged(Location location, CommitTaskData task, long rows, long peakWriterMemoryBytes) {}

    /**
     * How {@link #merge} reads one input file: its rows, page by page, into the consumer.
     */
    public interface InputReader
    {
        void read(DataFileReader.DataFile file, Consumer<Page> pages);
    }

    /**
     * Streams the rows of data files of one partition, page by page, through Iceberg's writer for
     * the table's format into one new file of that partition (sorted by the table's
     * {@code sorted_by}, folded by {@code folder} if given), with the same metrics an INSERT
     * writes. Nothing references the file yet; on failure it is removed and the error says
     * {@code what} failed.
     */
    public Merged merge(ConnectorSession session, Table table, String partitionSpecJson, Optional<String> partitionDataJson, List<DataFileReader.DataFile> inputs,
            Optional<ViewStateFolding.Folder> folder, InputReader reader, String what)
    {
        Schema schema = table.schema();
        PartitionSpec spec = PartitionSpecParser.fromJson(schema, partitionSpecJson);
        PartitionData partition = PartitionValues.parse(spec, partitionDataJson.orElse(PartitionValues.UNPARTITIONED_JSON));

        // in the table's format, as Iceberg's own rewrite of its files
        IcebergFileFormat format = getFileFormat(table);
        String fileName = format.toIceberg().addExtension("hybrid-compacted-" + UUID.randomUUID());
        Location output = Location.of(spec.isPartitioned()
                ? table.locationProvider().newDataLocation(spec, partition, fileName)
                : table.locationProvider().newDataLocation(fileName));
        TrinoFileSystem fileSystem = fileSystemFactory.create(session.getIdentity(), table.io().properties());
        List<IcebergColumnHandle> columns = getTopLevelColumns(schema, typeManager);

        IcebergFileWriter writer = sortedIfTableIsSorted(session, fileSystem, table, columns,
                writerFactory.createDataFileWriter(fileSystem, output, schema, session, format, MetricsConfig.forTable(table), table.properties()));
        long rows;
        long peakMemory;
        // rows written and the writer's peak memory
        long[] written = new long[2];
        try {
            for (DataFileReader.DataFile input : inputs) {
                Interruptions.checkNotInterrupted(what);
                reader.read(input, page -> {
                    if (folder.isPresent()) {
                        folder.get().add(page);
                        return;
                    }
                    writer.appendRows(page);
                    written[0] += page.getPositionCount();
                    written[1] = Math.max(written[1], writer.getMemoryUsage());
                });
            }
            rows = written[0];
            peakMemory = written[1];
            if (folder.isPresent()) {
                Page folded = folder.get().result();
                writer.appendRows(folded);
                rows = folded.getPositionCount();
                peakMemory = Math.max(peakMemory, writer.getMemoryUsage());
            }
            writer.commit();
        }
        catch (RuntimeException e) {
            writer.rollback();
            if (e instanceof TrinoException trinoException && STOPPED.contains(trinoException.getErrorCode())) {
                // already says what happened to which file, or that the run was stopped
                throw e;
            }
            throw StorageFull.translated(what, e).orElseGet(() -> new TrinoException(HYBRID_WRITER_ERROR, "%s failed: %s".formatted(what, e.getMessage()), e));
        }

        IcebergFileWriter.FileMetrics metrics = writer.getFileMetrics();
        CommitTaskData task = new CommitTaskData(
                output.toString(),
                format,
                writer.getWrittenBytes(),
                new MetricsWrapper(metrics.metrics()),
                partitionSpecJson,
                partitionDataJson,
                FileContent.DATA,
                Optional.empty(),
                metrics.splitOffsets());
        return new Merged(output, task, rows, peakMemory);
    }

    /**
     * Each segment is sorted by the table's {@code sorted_by} (Iceberg's page sink wrote it);
     * their concatenation is not, so the output goes through Iceberg's sorting writer, which
     * spills to temporary files beyond its buffer. The buffer is capped by the session's
     * Parquet row group size, which tiering bounds by {@code hybrid.tiering.writer-memory}.
     */
    private IcebergFileWriter sortedIfTableIsSorted(ConnectorSession session, TrinoFileSystem fileSystem, Table table, List<IcebergColumnHandle> columns, IcebergFileWriter writer)
    {
        org.apache.iceberg.SortOrder sortOrder = table.sortOrder();
        // Trino's sorted_by has identity sort fields only; a sort order another engine set with transforms is not applied
        if (!sortOrder.isSorted() || !IcebergSessionProperties.isSortedWritingEnabled(session)
                || !sortOrder.fields().stream().allMatch(field -> field.transform().isIdentity())) {
            return writer;
        }
        Schema schema = table.schema();
        ImmutableList.Builder<Integer> sortColumns = ImmutableList.builder();
        ImmutableList.Builder<SortOrder> sortOrders = ImmutableList.builder();
        for (SortField field : sortOrder.fields()) {
            sortColumns.add(schema.columns().indexOf(schema.findField(field.sourceId())));
            sortOrders.add(TrinoSortField.fromIceberg(field).sortOrder());
        }
        DataSize buffer = DataSize.ofBytes(Math.min(
                sortingConfig.getWriterSortBufferSize().toBytes(),
                IcebergSessionProperties.getParquetWriterBlockSize(session).toBytes()));
        Location temporaryFiles = Location.of(table.locationProvider().newDataLocation("trino-tmp-files")).appendPath("hybrid-sorting-" + UUID.randomUUID());
        return new IcebergSortingFileWriter(
                fileSystem,
                temporaryFiles,
                writer,
                buffer,
                sortingConfig.getMaxOpenSortFiles(),
                columns.stream().map(IcebergColumnHandle::getType).collect(toImmutableList()),
                sortColumns.build(),
                sortOrders.build(),
                pageSorter,
                typeManager.getTypeOperators());
    }

    /**
     * Removes a merged file nothing references, as a commit that did not take it leaves it.
     */
    public void deleteQuietly(ConnectorSession session, Table table, Location location)
    {
        try {
            fileSystemFactory.create(session.getIdentity(), table.io().properties()).deleteFile(location);
        }
        catch (IOException e) {
            log.warn(e, "Failed to delete unused compaction output %s", location);
        }
    }
}
