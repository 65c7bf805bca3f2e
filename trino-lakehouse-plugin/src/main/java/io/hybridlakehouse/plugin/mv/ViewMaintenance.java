package io.hybridlakehouse.plugin.mv;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.airlift.slice.Slice;
import io.hybridlakehouse.plugin.HybridConfig;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.segment.DataFileReader;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.NewSegment;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoFileSystem;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergConnector;
import io.trino.plugin.iceberg.IcebergFileFormat;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergMetadata;
import io.trino.plugin.iceberg.IcebergMetadataAccess;
import io.trino.plugin.iceberg.IcebergMetadataFactory;
import io.trino.plugin.iceberg.PartitionData;
import io.trino.plugin.iceberg.delete.DeleteFile;
import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorInsertTableHandle;
import io.trino.spi.connector.ConnectorPageSink;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.RetryMode;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_UNSUPPORTED_MATERIALIZED_VIEW;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_WRITER_ERROR;
import static io.trino.plugin.iceberg.IcebergSessionProperties.maxPartitionsPerWriter;
import static io.trino.plugin.iceberg.IcebergUtil.getTopLevelColumns;
import static java.util.Objects.requireNonNull;

/**
 * Computes a view's partial aggregates from rows of its bases and writes them as segments
 * of its state table: for an INSERT (the files it just wrote) and for a build (every row
 * visible at the versions the view was registered at). Files are read with Iceberg's page
 * source and written with Iceberg's page sink, so state tables are partitioned and sorted
 * like any table of the catalog.
 */
public class ViewMaintenance
{
    private static final Logger log = Logger.get(ViewMaintenance.class);
    // groups held in memory before they are written out; reads merge the duplicates this creates
    private static final int MAX_GROUPS_IN_MEMORY = 200_000;

    private final SegmentStore segmentStore;
    private final TypeManager typeManager;
    private final IcebergMetadataFactory metadataFactory;
    private final IcebergConnector iceberg;
    private final DataFileReader dataFiles;
    private final JsonCodec<CommitTaskData> commitTaskCodec;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final HotSegmentSplits segments;
    private final long dimensionMaxRows;
    // dimension lookups by table version: loaded once, used by every INSERT until the dimension changes
    private final Map<DimensionKey, DimensionIndex> dimensionCache = new ConcurrentHashMap<>();
    private volatile Runnable beforeInsertCommit = () -> {};
    private volatile Runnable beforeBuildCommit = () -> {};

    // the schema too: renaming columns changes what a dimension's rows mean without a new snapshot or hot version
    private record DimensionKey(String tableUuid, long version, long snapshotId, int schemaId, List<String> keyColumns) {}

    @Inject
    public ViewMaintenance(
            SegmentStore segmentStore,
            TypeManager typeManager,
            IcebergMetadataFactory metadataFactory,
            IcebergConnector iceberg,
            DataFileReader dataFiles,
            JsonCodec<CommitTaskData> commitTaskCodec,
            IcebergFileSystemFactory fileSystemFactory,
            HybridConfig config)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.metadataFactory = requireNonNull(metadataFactory, "metadataFactory is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.dataFiles = requireNonNull(dataFiles, "dataFiles is null");
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.segments = new HotSegmentSplits(commitTaskCodec);
        this.dimensionMaxRows = config.getDimensionMaxRows();
    }

    /**
     * Runs between writing an INSERT's view deltas and committing them; tests inject failures here.
     */
    @VisibleForTesting
    public void setBeforeInsertCommitForTesting(Runnable beforeInsertCommit)
    {
        this.beforeInsertCommit = requireNonNull(beforeInsertCommit, "beforeInsertCommit is null");
    }

    public void beforeInsertCommit()
    {
        beforeInsertCommit.run();
    }

    /**
     * Runs between writing a view's built state and committing it; tests inject failures here.
     */
    @VisibleForTesting
    public void setBeforeBuildCommitForTesting(Runnable beforeBuildCommit)
    {
        this.beforeBuildCommit = requireNonNull(beforeBuildCommit, "beforeBuildCommit is null");
    }

    public void beforeBuildCommit()
    {
        beforeBuildCommit.run();
    }

    /**
     * Fails with a clear error if the view cannot be maintained from its bases' columns.
     */
    public void validate(ConnectorSession session, SynchronousView view, Map<SchemaTableName, Table> bases)
    {
        ViewStateLayout layout = new ViewStateLayout(view, typeManager);
        SynchronousViewDefinition definition = view.definition();
        for (int branch = 0; branch < definition.branches().size(); branch++) {
            aggregator(session, view, definition, branch, layout, bases.get(view.bases().get(branch)));
        }
    }

    /**
     * Fails with a clear error if the view could not be maintained once {@code changed}, one of
     * its bases or dimensions, had {@code columnsAfter} as its top-level columns: a column it
     * reads dropped or renamed, a key or aggregated value it computes changing type, or a column
     * added under a name it reads unqualified from another of its tables. No dimension row is read.
     */
    public void validateColumnChange(ConnectorSession session, SynchronousView view, Map<SchemaTableName, Table> bases, SchemaTableName changed, List<ColumnMetadata> columnsAfter)
    {
        ViewStateLayout layout = new ViewStateLayout(view, typeManager);
        for (int branch = 0; branch < view.definition().branches().size(); branch++) {
            Map<String, Type> after = columnsOnlyAggregator(session, view, branch, layout, bases, Optional.of(new ChangedColumns(changed, columnsAfter))).computedTypes();
            Map<String, Type> before;
            try {
                before = columnsOnlyAggregator(session, view, branch, layout, bases, Optional.empty()).computedTypes();
            }
            catch (TrinoException e) {
                // the view cannot be maintained now: a change after which it can is welcome
                continue;
            }
            // the view's columns and state were typed from these: a key or an aggregated value of
            // another type would not fit them (a max of integer given a bigint, a sum of bigint given a double)
            before.forEach((what, type) -> {
                if (!type.equals(after.get(what))) {
                    throw RowExpressions.unsupported("%s, of type %s, which would become %s".formatted(what, type, after.get(what)));
                }
            });
        }
    }

    private record ChangedColumns(SchemaTableName table, List<ColumnMetadata> columns) {}

    /**
     * A branch's aggregator over its tables' columns (those of {@code changed} replaced), reading no dimension row.
     */
    private ViewDeltaAggregator columnsOnlyAggregator(ConnectorSession session, SynchronousView view, int branch, ViewStateLayout layout, Map<SchemaTableName, Table> bases, Optional<ChangedColumns> changed)
    {
        SynchronousViewDefinition definition = view.definition();
        SchemaTableName baseName = view.bases().get(branch);
        List<ColumnMetadata> baseColumns = changed.filter(change -> change.table().equals(baseName))
                .map(ChangedColumns::columns)
                .orElseGet(() -> columns(bases.get(baseName)));
        List<DimensionIndex> dimensions = definition.branches().get(branch).dimensions().stream()
                .map(dimension -> {
                    SchemaTableName name = view.dimensionTable(dimension);
                    List<ColumnMetadata> columns = changed.filter(change -> change.table().equals(name))
                            .map(ChangedColumns::columns)
                            .orElseGet(() -> columns(dimensionTable(session, name)));
                    return emptyDimension(name, dimension, columns);
                })
                .collect(toImmutableList());
        return aggregator(definition, branch, layout, baseColumns, dimensions);
    }

    /**
     * The table's top-level columns, by name and type.
     */
    List<ColumnMetadata> columns(Table table)
    {
        return getTopLevelColumns(table.schema(), typeManager).stream()
                .map(column -> new ColumnMetadata(column.getName(), column.getType()))
                .toList();
    }

    /**
     * The deltas of the views of {@code base} for the data files an INSERT wrote, by state table uuid.
     */
    public Map<String, List<NewSegment>> insertDeltas(ConnectorSession session, SchemaTableName baseName, Table base, List<SynchronousView> views, List<CommitTaskData> files)
    {
        // every view's branches over this base, fed from one read of the INSERT's files
        List<ViewBranches> targets = views.stream().map(view -> new ViewBranches(session, view, baseName, base)).toList();
        for (CommitTaskData file : files) {
            dataFiles.read(session, base, DataFileReader.DataFile.of(file, file.metrics().recordCount()), page -> targets.forEach(target -> target.add(page)));
        }
        ImmutableMap.Builder<String, List<NewSegment>> deltas = ImmutableMap.builder();
        for (ViewBranches target : targets) {
            deltas.put(stateTableUuid(session, target.view), write(session, target.view, target.layout, target.finish()));
        }
        return deltas.buildOrThrow();
    }

    /**
     * The aggregators of one view's branches over one base, and the state pages they produced.
     */
    private final class ViewBranches
    {
        private final SynchronousView view;
        private final ViewStateLayout layout;
        private final List<ViewDeltaAggregator> aggregators = new ArrayList<>();
        private final List<Page> pages = new ArrayList<>();

        ViewBranches(ConnectorSession session, SynchronousView view, SchemaTableName baseName, Table base)
        {
            this.view = view;
            this.layout = new ViewStateLayout(view, typeManager);
            SynchronousViewDefinition definition = view.definition();
            for (int branch = 0; branch < definition.branches().size(); branch++) {
                if (view.bases().get(branch).equals(baseName)) {
                    aggregators.add(aggregator(session, view, definition, branch, layout, base));
                }
            }
        }

        void add(Page page)
        {
            for (ViewDeltaAggregator aggregator : aggregators) {
                aggregator.add(page);
                if (aggregator.groups() >= MAX_GROUPS_IN_MEMORY) {
                    pages.add(aggregator.toStatePage());
                }
            }
        }

        List<Page> finish()
        {
            for (ViewDeltaAggregator aggregator : aggregators) {
                if (aggregator.groups() > 0) {
                    pages.add(aggregator.toStatePage());
                }
            }
            return pages;
        }
    }

    /**
     * The state of a view built from every row of its bases visible at {@code versions} (by base uuid).
     */
    public List<NewSegment> build(ConnectorSession session, SynchronousView view, Map<SchemaTableName, Table> bases, Map<String, Long> versions)
    {
        ImmutableList.Builder<NewSegment> written = ImmutableList.builder();
        for (SchemaTableName baseName : view.bases().stream().distinct().toList()) {
            Table base = bases.get(baseName);
            base.refresh();
            long version = versions.get(base.uuid().toString());
            // the version was pinned before this snapshot was loaded (see HotTierPin)
            ViewBranches target = new ViewBranches(session, view, baseName, base);
            readVisibleRows(session, base, Optional.of(version), target::add);
            written.addAll(write(session, view, target.layout, target.finish()));
        }
        return written.build();
    }

    private ViewDeltaAggregator aggregator(ConnectorSession session, SynchronousView view, SynchronousViewDefinition definition, int branch, ViewStateLayout layout, Table base)
    {
        List<DimensionIndex> dimensions = definition.branches().get(branch).dimensions().stream()
                .map(dimension -> dimension(session, view.dimensionTable(dimension), dimension))
                .collect(toImmutableList());
        return aggregator(definition, branch, layout, columns(base), dimensions);
    }

    private ViewDeltaAggregator aggregator(SynchronousViewDefinition definition, int branch, ViewStateLayout layout, List<ColumnMetadata> baseColumns, List<DimensionIndex> dimensions)
    {
        return new ViewDeltaAggregator(
                definition,
                branch,
                layout,
                baseColumns.stream().map(ColumnMetadata::getName).toList(),
                baseColumns.stream().map(ColumnMetadata::getType).toList(),
                dimensions,
                typeManager);
    }

    /**
     * The rows of a dimension as of now, by the join's key columns: a dimension row is looked up
     * as of each INSERT, and later changes to the dimension do not rewrite what was aggregated.
     */
    private DimensionIndex dimension(ConnectorSession session, SchemaTableName name, SynchronousViewDefinition.Dimension dimension)
    {
        return dimension(session, dimensionTable(session, name), name, dimension);
    }

    private DimensionIndex dimension(ConnectorSession session, Table table, SchemaTableName name, SynchronousViewDefinition.Dimension dimension)
    {
        Optional<HybridTableState> state = segmentStore.getTable(table.uuid().toString());
        DimensionIndex index = emptyDimension(name, dimension, columns(table));
        DimensionKey key = new DimensionKey(
                table.uuid().toString(),
                state.map(HybridTableState::version).orElse(-1L),
                Optional.ofNullable(table.currentSnapshot()).map(Snapshot::snapshotId).orElse(-1L),
                table.schema().schemaId(),
                dimension.keys().stream().map(SynchronousViewDefinition.JoinKey::dimensionColumn).toList());
        DimensionIndex cached = dimensionCache.get(key);
        if (cached != null) {
            return cached;
        }
        readVisibleRows(session, table, state.map(HybridTableState::version), page -> index.add(page, dimensionMaxRows));
        if (dimensionCache.size() >= 16) {
            dimensionCache.clear();
        }
        dimensionCache.put(key, index);
        return index;
    }

    /**
     * Refuses the rows an INSERT into a dimension of {@code view} adds where they would give a
     * join key a second row or the dimension more rows than the join holds: every INSERT into
     * the view's bases would fail on them from then on. A dimension that already breaks either
     * is left to those INSERTs, whose errors say how.
     */
    public void checkInsertedDimensionRows(ConnectorSession session, SynchronousView view, SynchronousViewDefinition.Dimension dimension, List<CommitTaskData> files)
    {
        SchemaTableName name = view.dimensionTable(dimension);
        Table table;
        DimensionIndex existing;
        try {
            table = dimensionTable(session, name);
            existing = dimension(session, table, name, dimension);
        }
        catch (TrinoException e) {
            if (e.getErrorCode().equals(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW.toErrorCode())) {
                return;
            }
            throw e;
        }
        DimensionIndex inserted = emptyDimension(name, dimension, columns(table));
        for (CommitTaskData file : files) {
            dataFiles.read(session, table, DataFileReader.DataFile.of(file, file.metrics().recordCount()), page -> inserted.addInserted(session, page, existing, dimensionMaxRows, view.name()));
        }
    }

    private Table dimensionTable(ConnectorSession session, SchemaTableName name)
    {
        IcebergMetadata metadata = metadataFactory.create(session.getIdentity());
        if (metadata.getTableHandle(session, name, Optional.empty(), Optional.empty()) == null) {
            throw RowExpressions.unsupported("the dimension table %s, which does not exist".formatted(name));
        }
        return IcebergMetadataAccess.icebergTable(metadata, session, name);
    }

    /**
     * A dimension's lookup with no row yet, after checking it has the join's key columns.
     */
    private static DimensionIndex emptyDimension(SchemaTableName name, SynchronousViewDefinition.Dimension dimension, List<ColumnMetadata> columns)
    {
        List<String> names = columns.stream().map(ColumnMetadata::getName).toList();
        List<String> keyColumns = dimension.keys().stream().map(SynchronousViewDefinition.JoinKey::dimensionColumn).toList();
        for (String keyColumn : keyColumns) {
            if (!names.contains(keyColumn)) {
                throw RowExpressions.unsupported("the join column %s, which dimension table %s does not have".formatted(keyColumn, name));
            }
        }
        return new DimensionIndex(name, names, columns.stream().map(ColumnMetadata::getType).toList(), keyColumns.stream().map(names::indexOf).toList());
    }

    /**
     * Every row of the table visible at {@code version} of its hot tier (pinned before its snapshot was loaded) and in its current snapshot.
     */
    private void readVisibleRows(ConnectorSession session, Table table, Optional<Long> version, Consumer<Page> consumer)
    {
        long tieredThrough = HotTierPin.tieredThrough(table.properties());
        if (version.isPresent()) {
            for (Segment segment : segmentStore.visibleSegments(table.uuid().toString(), version.get(), tieredThrough)) {
                CommitTaskData task = segments.decode(segment);
                dataFiles.read(session, table, DataFileReader.DataFile.of(task, segment.recordCount()), consumer);
            }
        }
        if (table.currentSnapshot() == null) {
            return;
        }
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(table.currentSnapshot().snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                dataFiles.read(session, table, new DataFileReader.DataFile(
                        task.file().location(),
                        IcebergFileFormat.fromIceberg(task.file().format()),
                        task.file().fileSizeInBytes(),
                        task.file().recordCount(),
                        PartitionSpecParser.toJson(task.spec()),
                        Optional.of(PartitionData.toJson(task.file().partition())),
                        task.deletes().stream().map(DeleteFile::fromIceberg).collect(toImmutableList()),
                        Optional.ofNullable(task.file().dataSequenceNumber()).orElse(0L)), consumer);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes state rows through Iceberg's page sink for the state table (partitioning and sorting
     * included), a sink for each group of at most {@code max_partitions_per_writer} partitions,
     * and returns the files as segments, not yet committed.
     */
    private List<NewSegment> write(ConnectorSession session, SynchronousView view, ViewStateLayout layout, List<Page> pages)
    {
        if (pages.isEmpty()) {
            return ImmutableList.of();
        }
        // a metadata of its own: the caller's may hold the transaction of its INSERT
        IcebergMetadata metadata = metadataFactory.create(session.getIdentity());
        ConnectorTableHandle handle = metadata.getTableHandle(session, view.stateTable(), Optional.empty(), Optional.empty());
        if (handle == null) {
            throw new TrinoException(HYBRID_WRITER_ERROR, "State table %s of materialized view %s is missing: drop and create the view again".formatted(view.stateTable(), view.name()));
        }
        Map<String, ColumnHandle> handles = metadata.getColumnHandles(session, handle);
        List<ColumnHandle> columns = layout.columns().stream().map(column -> handles.get(column.name())).collect(toImmutableList());
        ConnectorInsertTableHandle insert = metadata.beginInsert(session, handle, columns, RetryMode.NO_RETRIES);
        List<List<Page>> groups = StatePartitionGroups.split(
                pages,
                IcebergMetadataAccess.icebergTable(metadata, session, view.stateTable()).spec(),
                columns.stream().map(IcebergColumnHandle.class::cast).collect(toImmutableList()),
                maxPartitionsPerWriter(session));
        List<NewSegment> written = new ArrayList<>();
        try {
            for (List<Page> group : groups) {
                written.addAll(write(session, view, insert, group));
            }
        }
        catch (RuntimeException e) {
            deleteQuietly(session, written);
            throw e;
        }
        return written;
    }

    private List<NewSegment> write(ConnectorSession session, SynchronousView view, ConnectorInsertTableHandle insert, List<Page> pages)
    {
        ConnectorPageSink sink = iceberg.getPageSinkProvider().createPageSink(null, session, insert, () -> 0);
        Collection<Slice> fragments;
        try {
            for (Page page : pages) {
                sink.appendPage(page);
            }
            fragments = sink.finish().get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sink.abort();
            throw new TrinoException(HYBRID_WRITER_ERROR, "Interrupted while writing materialized view " + view.name(), e);
        }
        catch (ExecutionException | RuntimeException e) {
            sink.abort();
            throw new TrinoException(HYBRID_WRITER_ERROR, "Writing materialized view %s failed: %s".formatted(view.name(), e.getMessage()), e);
        }
        return fragments.stream().map(fragment -> NewSegment.of(fragment, commitTaskCodec.fromJson(fragment.getBytes()))).collect(toImmutableList());
    }

    private String stateTableUuid(ConnectorSession session, SynchronousView view)
    {
        return segmentStore.getTable(view.stateTable())
                .orElseThrow(() -> new TrinoException(HYBRID_WRITER_ERROR, "State table %s of materialized view %s is missing: drop and create the view again".formatted(view.stateTable(), view.name())))
                .tableUuid();
    }

    public void deleteQuietly(ConnectorSession session, Collection<NewSegment> files)
    {
        if (files.isEmpty()) {
            return;
        }
        TrinoFileSystem fileSystem = fileSystemFactory.create(session.getIdentity(), ImmutableMap.of());
        try {
            fileSystem.deleteFiles(files.stream().map(file -> Location.of(file.path())).collect(toImmutableList()));
        }
        catch (IOException e) {
            log.warn(e, "Failed to delete %s unused materialized view files; the orphan sweep removes them", files.size());
        }
    }
}
