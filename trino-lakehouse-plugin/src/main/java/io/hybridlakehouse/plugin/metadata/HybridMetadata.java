package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Iterators;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.airlift.slice.Slice;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.plugin.HybridSessionProperties;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.mv.AbandonedViewBuild;
import io.hybridlakehouse.plugin.mv.MaterializedViews;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.ViewBuildLeases;
import io.hybridlakehouse.plugin.mv.ViewMaintenance;
import io.hybridlakehouse.plugin.procedure.CheckedIcebergProcedures;
import io.hybridlakehouse.plugin.procedure.HotTierTableProcedures;
import io.hybridlakehouse.plugin.rewrite.AggregationRewrite;
import io.hybridlakehouse.plugin.rewrite.AnsweredAggregation;
import io.hybridlakehouse.plugin.rewrite.DerivedColumnHandle;
import io.hybridlakehouse.plugin.rewrite.DerivedKeyConstraints;
import io.hybridlakehouse.plugin.rewrite.ProjectedKeys;
import io.hybridlakehouse.plugin.rewrite.RewriteStats;
import io.hybridlakehouse.plugin.rewrite.RollupColumnHandle;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle;
import io.hybridlakehouse.plugin.rewrite.RowCountFromMetadata;
import io.hybridlakehouse.plugin.rewrite.RowCountTableHandle;
import io.hybridlakehouse.plugin.rewrite.ScanKeyFilters;
import io.hybridlakehouse.plugin.rewrite.ViewRewriter;
import io.hybridlakehouse.plugin.segment.AutoCompaction;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.NewSegment;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.hybridlakehouse.plugin.split.NullPartitionPruning;
import io.hybridlakehouse.plugin.statistics.ColdTableStatistics;
import io.hybridlakehouse.plugin.statistics.ColumnSketches;
import io.hybridlakehouse.plugin.statistics.DistinctValueCollection;
import io.hybridlakehouse.plugin.statistics.TierSketches;
import io.hybridlakehouse.plugin.system.HiddenTables;
import io.hybridlakehouse.plugin.system.PartitionsTable;
import io.hybridlakehouse.plugin.system.SegmentsTable;
import io.hybridlakehouse.plugin.tiering.ColdFileCompactor;
import io.hybridlakehouse.plugin.tiering.OrphanFileSweeper;
import io.hybridlakehouse.plugin.tiering.RowChangesInProgress;
import io.hybridlakehouse.plugin.tiering.SegmentTierer;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoFileSystem;
import io.trino.plugin.base.classloader.ClassLoaderSafeIterator;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergMetadata;
import io.trino.plugin.iceberg.IcebergMetadataAccess;
import io.trino.plugin.iceberg.IcebergSessionProperties;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.plugin.iceberg.IcebergTableProperties;
import io.trino.plugin.iceberg.IcebergWritableTableHandle;
import io.trino.plugin.iceberg.procedure.IcebergRemoveOrphanFilesHandle;
import io.trino.plugin.iceberg.procedure.IcebergTableExecuteHandle;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.AggregateFunction;
import io.trino.spi.connector.AggregationApplicationResult;
import io.trino.spi.connector.Assignment;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ColumnPosition;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorAnalyzeMetadata;
import io.trino.spi.connector.ConnectorInsertTableHandle;
import io.trino.spi.connector.ConnectorMaterializedViewDefinition;
import io.trino.spi.connector.ConnectorMergeTableHandle;
import io.trino.spi.connector.ConnectorOutputMetadata;
import io.trino.spi.connector.ConnectorOutputTableHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableExecuteHandle;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTableLayout;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTableVersion;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.ConstraintApplicationResult;
import io.trino.spi.connector.MaterializedViewFreshness;
import io.trino.spi.connector.ProjectionApplicationResult;
import io.trino.spi.connector.RelationColumnsMetadata;
import io.trino.spi.connector.RelationCommentMetadata;
import io.trino.spi.connector.RelationType;
import io.trino.spi.connector.RetryMode;
import io.trino.spi.connector.SaveMode;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.expression.Variable;
import io.trino.spi.predicate.Domain;
import io.trino.spi.statistics.ComputedStatistics;
import io.trino.spi.statistics.Estimate;
import io.trino.spi.statistics.TableStatistics;
import io.trino.spi.statistics.TableStatisticsMetadata;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_COMMIT_ERROR;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static io.trino.spi.StandardErrorCode.INVALID_PROCEDURE_ARGUMENT;
import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static io.trino.spi.StandardErrorCode.NUMERIC_VALUE_OUT_OF_RANGE;
import static io.trino.spi.StandardErrorCode.TRANSACTION_CONFLICT;
import static java.util.Objects.requireNonNull;

/**
 * Iceberg's metadata for one transaction, with the hot tier layered over the calls it
 * changes: table registration and the {@code mode} property, the INSERT commit (segments
 * instead of an Iceberg snapshot in {@code hybrid} mode), the read pin, statistics of both
 * tiers and the {@code $segments} table. Everything else is Iceberg's, unchanged.
 */
public class HybridMetadata
        extends RollupAwareMetadata
{
    private static final Logger log = Logger.get(HybridMetadata.class);
    // Iceberg's table procedures that change a table's rows past its INSERTs, so past its views' maintenance
    private static final Set<String> ROW_CHANGING_PROCEDURES = ImmutableSet.of("ROLLBACK_TO_SNAPSHOT", "ADD_FILES", "ADD_FILES_FROM_TABLE");
    private static final List<String> MATERIALIZED_VIEW_SETTABLE_PROPERTIES = ImmutableList.of(HybridTableProperties.RETENTION, HybridTableProperties.TIER_AFTER, HybridTableProperties.CACHE);

    private final IcebergMetadata iceberg;
    private final SegmentStore segmentStore;
    private final JsonCodec<CommitTaskData> commitTaskCodec;
    private final HotSegmentSplits segmentDecoder;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final AutoCompaction autoCompaction;
    private final SegmentTierer tierer;
    private final TypeManager typeManager;
    private final CacheWarmer cacheWarmer;
    private final OrphanFileSweeper orphanFileSweeper;
    private final MaterializedViews views;
    private final TierSketches tierSketches;
    private final ColdTableStatistics coldStatistics;
    private final HotTierTableProcedures tableProcedures;
    private final Map<SchemaTableName, Optional<HotTierPin>> pins = new ConcurrentHashMap<>();
    // what this transaction read of the segment metastore, so planning and split generation ask it once per table
    private final Map<SchemaTableName, Optional<HybridTableState>> pinnedStates = new ConcurrentHashMap<>();
    private final Map<HotTierPin, List<Segment>> visibleSegments = new ConcurrentHashMap<>();
    private final Map<SchemaTableName, PendingCreate> pendingCreates = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> promotedFieldIds = new ConcurrentHashMap<>();
    private final AggregationRewrite aggregationRewrite;
    private final TransactionMetastoreReads metastoreReads;
    // views this transaction created, dropped or refreshed are read from the metastore, not from its snapshot
    private volatile boolean viewsChanged;
    private final RowChangesInProgress rowChanges;
    // the DELETE, UPDATE and MERGE statements of this transaction, running until it ends
    private final List<Runnable> rowChangesToEnd = new CopyOnWriteArrayList<>();

    public HybridMetadata(
            IcebergMetadata iceberg,
            SegmentStore segmentStore,
            JsonCodec<CommitTaskData> commitTaskCodec,
            IcebergFileSystemFactory fileSystemFactory,
            AutoCompaction autoCompaction,
            SegmentTierer tierer,
            TypeManager typeManager,
            CacheWarmer cacheWarmer,
            OrphanFileSweeper orphanFileSweeper,
            ViewMaintenance viewMaintenance,
            ViewBuildLeases viewBuildLeases,
            RewriteStats rewriteStats,
            TierSketches tierSketches,
            ColdTableStatistics coldStatistics,
            HotTierTableProcedures tableProcedures,
            RowChangesInProgress rowChanges,
            String catalogName)
    {
        super(iceberg);
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.metastoreReads = new TransactionMetastoreReads(segmentStore::snapshotAround);
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
        this.segmentDecoder = new HotSegmentSplits(commitTaskCodec);
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.autoCompaction = requireNonNull(autoCompaction, "autoCompaction is null");
        this.tierer = requireNonNull(tierer, "tierer is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.cacheWarmer = requireNonNull(cacheWarmer, "cacheWarmer is null");
        this.orphanFileSweeper = requireNonNull(orphanFileSweeper, "orphanFileSweeper is null");
        this.tierSketches = requireNonNull(tierSketches, "tierSketches is null");
        this.coldStatistics = requireNonNull(coldStatistics, "coldStatistics is null");
        this.tableProcedures = requireNonNull(tableProcedures, "tableProcedures is null");
        this.rowChanges = requireNonNull(rowChanges, "rowChanges is null");
        this.aggregationRewrite = new AggregationRewrite(new ViewRewriter(typeManager), rewriteStats);
        this.views = new MaterializedViews(catalogName, segmentStore, viewMaintenance, viewBuildLeases, typeManager, new MaterializedViews.Tables()
        {
            @Override
            public void createTable(ConnectorSession session, ConnectorTableMetadata table)
            {
                HybridMetadata.this.createTable(session, table, SaveMode.FAIL);
            }

            @Override
            public void dropTable(ConnectorSession session, SchemaTableName table)
            {
                dropTableAndHotTier(session, table);
            }

            @Override
            public Table icebergTable(ConnectorSession session, SchemaTableName table)
            {
                return HybridMetadata.this.icebergTable(session, table);
            }

            @Override
            public Map<String, Object> tableProperties(ConnectorSession session, SchemaTableName table)
            {
                ConnectorTableHandle handle = getTableHandle(session, table, Optional.empty(), Optional.empty());
                return handle == null ? ImmutableMap.of() : getTableMetadata(session, handle).getProperties();
            }
        });
    }

    @Override
    public ConnectorTableHandle getTableHandle(ConnectorSession session, SchemaTableName tableName, Optional<ConnectorTableVersion> startVersion, Optional<ConnectorTableVersion> endVersion)
    {
        if (endVersion.isPresent()) {
            return getTableHandleAsOf(session, tableName, startVersion, endVersion.get());
        }
        if (pins.containsKey(tableName)) {
            return super.getTableHandle(session, tableName, startVersion, endVersion);
        }
        // the hot-tier version is pinned before Iceberg loads its snapshot (see HotTierPin)
        Optional<HybridTableState> state = metastoreReads.table(tableName).or(() -> segmentStore.getTable(tableName));
        ConnectorTableHandle handle = super.getTableHandle(session, tableName, startVersion, endVersion);
        if (handle instanceof IcebergTableHandle icebergHandle) {
            Optional<HybridTableState> sameTable = state.filter(table -> table.tableUuid().equals(tableUuid(session, tableName)));
            pinnedStates.putIfAbsent(tableName, sameTable);
            pins.putIfAbsent(tableName, sameTable
                    .filter(_ -> startVersion.isEmpty())
                    .map(table -> new HotTierPin(table.tableUuid(), table.version(), tieredThrough(icebergHandle), table.nextSegmentId() - 1)));
        }
        return handle;
    }

    /**
     * The views of a base as read with it (see {@link TransactionMetastoreReads}), which pinned the base and the views' state tables too.
     */
    private List<RegisteredView> viewsOfPinnedBase(SchemaTableName base)
    {
        // a scan as of a past version pins nothing, but its views are still counted as not answering it
        Optional<HybridTableState> state = Optional.ofNullable(pinnedStates.get(base)).orElseGet(() -> metastoreReads.table(base));
        if (state.isEmpty()) {
            return ImmutableList.of();
        }
        return metastoreReads.viewsForRewrite(state.get());
    }

    private boolean hasViewsToRewriteTo(ConnectorSession session, IcebergTableHandle base)
    {
        return HybridSessionProperties.isMvRewriteEnabled(session) && !viewsOfPinnedBase(base.getSchemaTableName()).isEmpty();
    }

    @Override
    public Optional<ProjectionApplicationResult<ConnectorTableHandle>> applyProjection(ConnectorSession session, ConnectorTableHandle handle, List<ConnectorExpression> projections, Map<String, ColumnHandle> assignments)
    {
        if (handle instanceof AnsweredAggregation) {
            return Optional.empty();
        }
        boolean keysTaken = assignments.values().stream().anyMatch(DerivedColumnHandle.class::isInstance);
        if (keysTaken || (handle instanceof IcebergTableHandle base && hasViewsToRewriteTo(session, base))) {
            SchemaTableName baseName = ((IcebergTableHandle) handle).getSchemaTableName();
            Set<String> viewColumns = aggregationRewrite.viewColumns(baseName, viewsOfPinnedBase(baseName)).read();
            Optional<ProjectionApplicationResult<ConnectorTableHandle>> result = ProjectedKeys.apply(handle, projections, assignments, viewColumns);
            // Iceberg cannot take projections over a scan that already returns derived keys
            if (result.isPresent() || keysTaken) {
                return result;
            }
        }
        return super.applyProjection(session, handle, projections, assignments);
    }

    @Override
    public Optional<AggregationApplicationResult<ConnectorTableHandle>> applyAggregation(ConnectorSession session, ConnectorTableHandle handle, List<AggregateFunction> aggregates, Map<String, ColumnHandle> assignments, List<List<ColumnHandle>> groupingSets)
    {
        if (!(handle instanceof IcebergTableHandle base)) {
            return Optional.empty();
        }
        Optional<AggregationApplicationResult<ConnectorTableHandle>> fromView = aggregationRewrite.apply(session, base, viewsOfPinnedBase(base.getSchemaTableName()), aggregates, assignments, groupingSets, stateTable -> {
            if (!(getTableHandle(session, stateTable, Optional.empty(), Optional.empty()) instanceof IcebergTableHandle stateHandle)) {
                return Optional.empty();
            }
            Map<String, IcebergColumnHandle> columns = new HashMap<>();
            getColumnHandles(session, stateHandle).forEach((name, column) -> columns.put(name, (IcebergColumnHandle) column));
            return Optional.of(new ViewRewriter.StateTable(stateHandle, columns, () -> {
                Estimate rows = getTableStatistics(session, stateHandle).getRowCount();
                return rows.isUnknown() ? Long.MAX_VALUE : (long) rows.getValue();
            }));
        });
        return fromView.isPresent() ? fromView : countFromMetadata(session, base, aggregates, groupingSets);
    }

    /**
     * {@code count(*)} of a whole table from the row counts of the snapshot and of the hot
     * segments a scan of the handle would read (see {@link RowCountFromMetadata}).
     */
    private Optional<AggregationApplicationResult<ConnectorTableHandle>> countFromMetadata(ConnectorSession session, IcebergTableHandle handle, List<AggregateFunction> aggregates, List<List<ColumnHandle>> groupingSets)
    {
        if (!HybridSessionProperties.isCountFromMetadataEnabled(session)
                || !RowCountFromMetadata.isCountOfAllRows(aggregates, groupingSets)
                || !RowCountFromMetadata.readsAllRows(handle)
                || HotTierTimeTravel.pointInTime(handle).isPresent()) {
            return Optional.empty();
        }
        long rows = 0;
        if (HybridSessionProperties.isReadColdTier(session)) {
            OptionalLong cold = RowCountFromMetadata.snapshotRows(icebergTable(session, handle.getSchemaTableName()), handle);
            if (cold.isEmpty()) {
                return Optional.empty();
            }
            rows += cold.getAsLong();
        }
        if (HybridSessionProperties.isReadHotTier(session)) {
            Optional<HotTierPin> pin = hotTierPin(session, handle);
            if (pin.isPresent()) {
                rows += visibleSegments(pin.get()).stream().mapToLong(Segment::recordCount).sum();
            }
        }
        AggregateFunction count = aggregates.getFirst();
        RollupColumnHandle output = new RollupColumnHandle("count(*)", count.getOutputType(), 0);
        return Optional.of(new AggregationApplicationResult<>(
                new RowCountTableHandle(handle.getSchemaTableName(), rows),
                ImmutableList.of(new Variable("count_from_metadata", count.getOutputType())),
                ImmutableList.of(new Assignment("count_from_metadata", output, count.getOutputType())),
                ImmutableMap.of(),
                false));
    }

    /**
     * {@code FOR TIMESTAMP AS OF} and {@code FOR VERSION AS OF}: the snapshot Iceberg picks,
     * with the hot rows that were visible at that point (see {@link HotTierTimeTravel}).
     */
    private ConnectorTableHandle getTableHandleAsOf(ConnectorSession session, SchemaTableName tableName, Optional<ConnectorTableVersion> startVersion, ConnectorTableVersion endVersion)
    {
        ConnectorTableHandle handle = super.getTableHandle(session, tableName, startVersion, Optional.of(endVersion));
        if (!(handle instanceof IcebergTableHandle icebergHandle)) {
            return handle;
        }
        Table table = icebergTable(session, tableName);
        Optional<HybridTableState> state = segmentStore.getTable(table.uuid().toString());
        if (state.isEmpty()) {
            return handle;
        }
        Instant pointInTime = HotTierTimeTravel.pointInTime(session, endVersion, table, icebergHandle);
        long tieredThrough = HotTierTimeTravel.tieredThroughAsOf(table, icebergHandle, pointInTime);
        HotTierTimeTravel.checkHistoryKept(icebergHandle, pointInTime, tieredThrough, segmentStore.purgedHistory(state.get().tableUuid()));
        IcebergTableHandle asOf = HotTierTimeTravel.withPointInTime(icebergHandle, pointInTime);
        // hot rows committed after the snapshot read with the schema of the newest of them, as a
        // snapshot of theirs would have been read (the segments listed here are the ones the
        // scan's splits then take: the same pin, read once per transaction)
        long snapshotMillis = icebergHandle.getSnapshotId().map(table::snapshot).map(Snapshot::timestampMillis).orElse(Long.MIN_VALUE);
        Optional<Schema> hotSchema = visibleSegments(HotTierPin.asOf(state.get().tableUuid(), tieredThrough, pointInTime)).stream()
                .map(Segment::createdAt)
                .max(Comparator.naturalOrder())
                .filter(newest -> newest.toEpochMilli() > snapshotMillis)
                .flatMap(newest -> HotTierTimeTravel.schemaAt(table, newest));
        if (hotSchema.isPresent() && hotSchema.get().schemaId() != SchemaParser.fromJson(icebergHandle.getTableSchemaJson()).schemaId()) {
            return IcebergHandles.withTableSchemaJson(asOf, SchemaParser.toJson(hotSchema.get()));
        }
        return asOf;
    }

    /**
     * A scan of the table starts reading: the rewrite decisions of the query it serves count
     * now (see {@link AggregationRewrite}).
     */
    public void scanStarts(ConnectorTableHandle table)
    {
        if (table instanceof RollupTableHandle rollup) {
            aggregationRewrite.viewScanned(rollup.view(), rollup.base());
        }
        else if (table instanceof IcebergTableHandle handle) {
            aggregationRewrite.baseScanned(handle.getSchemaTableName());
        }
    }

    /**
     * The hot tier a scan of this handle reads, if the table has one.
     */
    public Optional<HotTierPin> hotTierPin(ConnectorSession session, IcebergTableHandle handle)
    {
        SchemaTableName name = handle.getSchemaTableName();
        Optional<Instant> pointInTime = HotTierTimeTravel.pointInTime(handle);
        if (pointInTime.isPresent()) {
            Table table = icebergTable(session, name);
            return Optional.of(HotTierPin.asOf(table.uuid().toString(), HotTierTimeTravel.tieredThroughAsOf(table, handle, pointInTime.get()), pointInTime.get()));
        }
        Optional<HotTierPin> pin = pins.get(name);
        if (pin == null) {
            getTableHandle(session, name, Optional.empty(), Optional.empty());
            pin = pins.get(name);
        }
        // the handle after applyFilter carries the properties of the snapshot it reads
        return pin.map(value -> value.withTieredThrough(tieredThrough(handle)));
    }

    /**
     * The hot segments a pin sees, read once per transaction.
     */
    public List<Segment> visibleSegments(HotTierPin pin)
    {
        if (!pin.mayHaveHotSegments()) {
            // every segment of the pinned version is in the snapshot: a cold table costs no metastore read here
            return ImmutableList.of();
        }
        return visibleSegments.computeIfAbsent(pin, value -> value.asOf()
                .map(asOf -> segmentStore.visibleSegmentsAt(value.tableUuid(), asOf, value.tieredThrough()))
                .orElseGet(() -> segmentStore.visibleSegments(value.tableUuid(), value.version(), value.tieredThrough())));
    }

    @Override
    public Optional<ConstraintApplicationResult<ConnectorTableHandle>> applyFilter(ConnectorSession session, ConnectorTableHandle table, Constraint constraint)
    {
        if (table instanceof AnsweredAggregation) {
            return Optional.empty();
        }
        if (DerivedKeyConstraints.mentionsDerivedKeys(constraint)) {
            // Iceberg filters on its own columns; the engine keeps checking the derived keys
            return applyFilter(session, table, DerivedKeyConstraints.icebergPart(constraint))
                    .map(result -> new ConstraintApplicationResult<>(result.getHandle(), DerivedKeyConstraints.withDerivedDomains(result.getRemainingFilter(), constraint), constraint.getExpression(), result.isPrecalculateStatistics()));
        }
        Optional<ConstraintApplicationResult<ConnectorTableHandle>> result = icebergFilter(session, table, constraint);
        if (result.isPresent() && table instanceof IcebergTableHandle base && hasViewsToRewriteTo(session, base)) {
            SchemaTableName name = base.getSchemaTableName();
            return Optional.of(ScanKeyFilters.takeOver(result.get(), aggregationRewrite.viewColumns(name, viewsOfPinnedBase(name)).keys()));
        }
        return result;
    }

    private Optional<ConstraintApplicationResult<ConnectorTableHandle>> icebergFilter(ConnectorSession session, ConnectorTableHandle table, Constraint constraint)
    {
        Optional<ConstraintApplicationResult<ConnectorTableHandle>> result = super.applyFilter(session, table, constraint);
        if (result.isEmpty() || !(result.get().getHandle() instanceof IcebergTableHandle filtered)) {
            return result;
        }
        // Iceberg leaves its unenforced predicate in the remaining filter too, so the engine still checks it on every row
        IcebergTableHandle safe = PromotedColumns.withoutPromotedPredicates(filtered, promotedFieldIds(session, filtered));
        Map<IcebergColumnHandle, Domain> notEnforceable = new HashMap<>(notEnforceableOnHotSegments(session, safe));
        notEnforceable.putAll(FloatingPointPartitionFilters.enforcedOnFloatingPoint(safe));
        if (safe == filtered && notEnforceable.isEmpty()) {
            return result;
        }
        ConstraintApplicationResult<ConnectorTableHandle> applied = notEnforceable.isEmpty()
                ? result.get().transform(_ -> safe)
                : HotSegmentPartitionSpecs.unenforced(constraint, result.get(), safe, notEnforceable);
        if (applied.getHandle().equals(table)) {
            // nothing new for this table: answering with the same handle would make the optimizer ask again forever
            return Optional.empty();
        }
        return Optional.of(applied);
    }

    /**
     * Domains Iceberg enforced by partition values that the spec of some hot segment the query
     * reads cannot enforce (see {@link HotSegmentPartitionSpecs}). A table that never changed its
     * partitioning has one spec, which every segment has, and costs no metastore read here.
     */
    private Map<IcebergColumnHandle, Domain> notEnforceableOnHotSegments(ConnectorSession session, IcebergTableHandle handle)
    {
        if (handle.getEnforcedPredicate().isAll() || handle.getEnforcedPredicate().isNone()) {
            return ImmutableMap.of();
        }
        Table table = icebergTable(session, handle.getSchemaTableName());
        if (table.specs().size() < 2) {
            return ImmutableMap.of();
        }
        Set<Integer> specIds = hotTierPin(session, handle)
                .map(pin -> visibleSegments(pin).stream()
                        .map(segment -> HotSegmentPartitionSpecs.specId(segmentDecoder.decode(segment).partitionSpecJson()))
                        .collect(toImmutableSet()))
                .orElse(ImmutableSet.of());
        return HotSegmentPartitionSpecs.notEnforceable(typeManager.getTypeOperators(), table, handle, specIds);
    }

    /**
     * Columns of the handle's table whose type was widened (see {@link PromotedColumns}), once per transaction.
     */
    public Set<Integer> promotedFieldIds(ConnectorSession session, IcebergTableHandle handle)
    {
        return promotedFieldIds.computeIfAbsent(
                handle.getSchemaTableName() + "@" + handle.getTableSchemaJson(),
                _ -> PromotedColumns.promotedFieldIds(icebergTable(session, handle.getSchemaTableName()), handle));
    }

    public Table icebergTable(ConnectorSession session, SchemaTableName name)
    {
        return IcebergMetadataAccess.icebergTable(iceberg, session, name);
    }

    public Optional<HybridTableState> hybridTable(ConnectorSession session, SchemaTableName name)
    {
        return segmentStore.getTable(tableUuid(session, name));
    }

    @Override
    public ConnectorTableMetadata getTableMetadata(ConnectorSession session, ConnectorTableHandle table)
    {
        if (table instanceof AnsweredAggregation answered) {
            return new ConnectorTableMetadata(answered.relation(), ImmutableList.of());
        }
        ConnectorTableMetadata metadata = super.getTableMetadata(session, table);
        SchemaTableName name = ((IcebergTableHandle) table).getSchemaTableName();
        // the settings as of the version the transaction pinned, like the rest of the table's metadata
        Optional<HybridTableState> state = Optional.ofNullable(pinnedStates.get(name)).orElseGet(() -> hybridTable(session, name));
        Map<String, Object> properties = new HashMap<>(metadata.getProperties());
        TableSettings settings = state.map(HybridTableState::settings).orElse(TableSettings.ofMode(TableMode.LAKE));
        properties.put(HybridTableProperties.MODE, settings.mode());
        settings.tierAfter().ifPresent(tierAfter -> properties.put(HybridTableProperties.TIER_AFTER, tierAfter));
        settings.retention().ifPresent(retention -> properties.put(HybridTableProperties.RETENTION, retention));
        settings.cache().ifPresent(cache -> properties.put(HybridTableProperties.CACHE, cache));
        return new ConnectorTableMetadata(metadata.getTable(), metadata.getColumns(), properties, metadata.getComment(), metadata.getCheckConstraints());
    }

    @Override
    public void createTable(ConnectorSession session, ConnectorTableMetadata tableMetadata, SaveMode saveMode)
    {
        TableSettings settings = HybridTableProperties.settings(tableMetadata.getProperties());
        if (saveMode == SaveMode.REPLACE) {
            checkReplace(session, tableMetadata);
        }
        Optional<ReplacedHotTier> replaced = saveMode == SaveMode.REPLACE ? replacedHotTier(session, tableMetadata.getTable()) : Optional.empty();
        super.createTable(session, icebergTableMetadata(tableMetadata, replaced), saveMode);
        register(session, tableMetadata.getTable(), settings, replaced);
    }

    @Override
    public ConnectorOutputTableHandle beginCreateTable(ConnectorSession session, ConnectorTableMetadata tableMetadata, Optional<ConnectorTableLayout> layout, RetryMode retryMode, boolean replace)
    {
        if (replace) {
            checkReplace(session, tableMetadata);
        }
        Optional<ReplacedHotTier> replaced = replace ? replacedHotTier(session, tableMetadata.getTable()) : Optional.empty();
        pendingCreates.put(tableMetadata.getTable(), new PendingCreate(HybridTableProperties.settings(tableMetadata.getProperties()), replaced));
        return super.beginCreateTable(session, icebergTableMetadata(tableMetadata, replaced), layout, retryMode, replace);
    }

    @Override
    public Optional<ConnectorOutputMetadata> finishCreateTable(ConnectorSession session, ConnectorOutputTableHandle tableHandle, Collection<Slice> fragments, Collection<ComputedStatistics> computedStatistics)
    {
        // CREATE TABLE AS is a bulk load: its rows go to the cold tier in one Iceberg commit
        Optional<ConnectorOutputMetadata> result = super.finishCreateTable(session, tableHandle, fragments, computedStatistics);
        SchemaTableName name = ((IcebergWritableTableHandle) tableHandle).name();
        PendingCreate pending = pendingCreates.remove(name);
        if (pending != null) {
            register(session, name, pending.settings(), pending.replaced());
        }
        return result;
    }

    private record PendingCreate(TableSettings settings, Optional<ReplacedHotTier> replaced) {}

    /**
     * The hot segments of a table that CREATE OR REPLACE replaces: the replacing Iceberg commit
     * sets the hand-off mark past them, so a query sees either the old table (old snapshot and
     * its segments) or the new one, never a mix; they are dropped in the metastore afterwards.
     */
    private record ReplacedHotTier(String tableUuid, long through) {}

    private Optional<ReplacedHotTier> replacedHotTier(ConnectorSession session, SchemaTableName name)
    {
        if (super.getTableHandle(session, name, Optional.empty(), Optional.empty()) == null) {
            return Optional.empty();
        }
        return segmentStore.getTable(tableUuid(session, name))
                .map(table -> new ReplacedHotTier(table.tableUuid(), table.nextSegmentId() - 1))
                .filter(replaced -> replaced.through() > 0);
    }

    private void register(ConnectorSession session, SchemaTableName name, TableSettings settings, Optional<ReplacedHotTier> replaced)
    {
        Table table = icebergTable(session, name);
        String uuid = table.uuid().toString();
        if (replaced.isPresent() && replaced.get().tableUuid().equals(uuid)) {
            // the old segments stopped being visible when the replacing snapshot was committed; the
            // table object may be this transaction's copy from before that commit
            table.refresh();
            Instant replacedAt = Optional.ofNullable(table.currentSnapshot()).map(snapshot -> Instant.ofEpochMilli(snapshot.timestampMillis())).orElseGet(Instant::now);
            List<Segment> dropped = segmentStore.dropReplaced(uuid, replaced.get().through(), replacedAt);
            log.debug("CREATE OR REPLACE of %s hid %s hot segments through %s", name, dropped.size(), replaced.get().through());
        }
        if (segmentStore.getTable(uuid).isPresent()) {
            // a replaced table takes the settings of its replacement
            segmentStore.updateTable(uuid, name, settings);
            return;
        }
        // a row left by a table of the same name dropped by another engine is stale: the uuid tells them apart
        segmentStore.getTable(name).ifPresent(stale -> segmentStore.dropTable(stale.tableUuid()));
        segmentStore.registerTable(uuid, name, table.location(), settings);
    }

    private static ConnectorTableMetadata icebergTableMetadata(ConnectorTableMetadata tableMetadata, Optional<ReplacedHotTier> replaced)
    {
        ConnectorTableMetadata iceberg = withoutHybridProperties(tableMetadata);
        Map<String, String> extraProperties = extraProperties(iceberg.getProperties());
        if (replaced.isEmpty()) {
            return iceberg;
        }
        Map<String, Object> properties = new HashMap<>(iceberg.getProperties());
        Map<String, String> withMark = new HashMap<>(extraProperties);
        withMark.put(HotTierPin.TIERED_THROUGH_PROPERTY, String.valueOf(replaced.get().through()));
        properties.put(IcebergTableProperties.EXTRA_PROPERTIES_PROPERTY, withMark);
        return new ConnectorTableMetadata(iceberg.getTable(), iceberg.getColumns(), properties, iceberg.getComment(), iceberg.getCheckConstraints());
    }

    /**
     * The user's {@code extra_properties}; the connector's own {@code hybrid.*} keys are not theirs to set.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> extraProperties(Map<String, Object> properties)
    {
        Map<String, String> extra = (Map<String, String>) properties.getOrDefault(IcebergTableProperties.EXTRA_PROPERTIES_PROPERTY, ImmutableMap.of());
        if (extra == null) {
            return ImmutableMap.of();
        }
        extra.keySet().stream()
                .filter(key -> key.startsWith("hybrid."))
                .findFirst()
                .ifPresent(key -> {
                    throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "extra_properties must not set '%s': hybrid.* properties belong to the connector".formatted(key));
                });
        return extra;
    }

    private static ConnectorTableMetadata withoutHybridProperties(ConnectorTableMetadata tableMetadata)
    {
        Map<String, Object> icebergProperties = tableMetadata.getProperties().entrySet().stream()
                .filter(entry -> !HybridTableProperties.isHybridProperty(entry.getKey()))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
        return new ConnectorTableMetadata(tableMetadata.getTable(), tableMetadata.getColumns(), icebergProperties, tableMetadata.getComment(), tableMetadata.getCheckConstraints());
    }

    @Override
    public Optional<ConnectorOutputMetadata> finishInsert(ConnectorSession session, ConnectorInsertTableHandle insertHandle, List<ConnectorTableHandle> sourceTableHandles, Collection<Slice> fragments, Collection<ComputedStatistics> computedStatistics)
    {
        IcebergWritableTableHandle table = (IcebergWritableTableHandle) insertHandle;
        Optional<HybridTableState> state = hybridTable(session, table.name());
        ImmutableList.Builder<CommitTaskData> taskList = ImmutableList.builder();
        ImmutableList.Builder<NewSegment> segmentList = ImmutableList.builder();
        for (Slice fragment : fragments) {
            CommitTaskData task = commitTaskCodec.fromJson(fragment.getBytes());
            taskList.add(task);
            segmentList.add(NewSegment.of(fragment, task));
        }
        List<CommitTaskData> tasks = taskList.build();
        List<NewSegment> segments = segmentList.build();
        if (state.isEmpty() || state.get().mode() == TableMode.LAKE) {
            checkDimensionInsert(session, table.name(), segments, tasks);
            return super.finishInsert(session, insertHandle, sourceTableHandles, fragments, computedStatistics);
        }
        Schema schema = SchemaParser.fromJson(table.schemaAsJson());
        ColumnSketches sketches = DistinctValueCollection.sketches(schema, computedStatistics);
        MaterializedViews.InsertCommit committed;
        checkDimensionInsert(session, table.name(), segments, tasks);
        try {
            checkPartitionValues(table.name(), schema, tasks);
            // with the deltas of the table's materialized views and the rows' sketches, in the same metastore transaction
            committed = views.commitInsert(session, table.name(), state.get().tableUuid(), segments, tasks, sketches);
            log.debug("Committed %s hot segments to %s", committed.segments().size(), table.name());
        }
        catch (RuntimeException e) {
            deleteFiles(session, segments.stream().map(NewSegment::path).toList());
            if (e instanceof TrinoException trinoException && trinoException.getErrorCode().getType() == io.trino.spi.ErrorType.USER_ERROR) {
                throw trinoException;
            }
            throw new TrinoException(HYBRID_COMMIT_ERROR, "Failed to commit INSERT into %s: %s".formatted(table.name(), e.getMessage()), e);
        }
        cacheWarmer.writeThrough(session.getIdentity(), segments.stream().map(NewSegment::path).toList());
        autoCompaction.afterInsert(session, icebergTable(session, table.name()));
        // the deltas of the table's views pile up in their state tables just as INSERTs do in the base
        for (SynchronousView view : committed.views()) {
            autoCompaction.afterInsert(session, icebergTable(session, view.stateTable()));
        }
        return Optional.empty();
    }

    /**
     * An INSERT into a table that materialized views join at write time must keep one row per
     * join key; refused, it leaves none of its files behind.
     */
    private void checkDimensionInsert(ConnectorSession session, SchemaTableName table, List<NewSegment> segments, List<CommitTaskData> tasks)
    {
        try {
            views.checkDimensionInsert(session, table, tasks);
        }
        catch (RuntimeException e) {
            deleteFiles(session, segments.stream().map(NewSegment::path).toList());
            throw e;
        }
    }

    /**
     * Iceberg's commit decodes each file's partition values for its manifest, and the stock
     * connector's INSERT fails there on a value its partition field cannot hold (a
     * {@code truncate} of a decimal past its precision); a hot commit writes no manifest, so it
     * decodes them here, as every read of the segment would, and refuses the same INSERTs.
     */
    private static void checkPartitionValues(SchemaTableName table, Schema schema, List<CommitTaskData> tasks)
    {
        for (CommitTaskData task : tasks) {
            if (task.partitionDataJson().isEmpty()) {
                continue;
            }
            try {
                HotSegmentSplits.dataFile(PartitionSpecParser.fromJson(schema, task.partitionSpecJson()), task);
            }
            catch (IllegalArgumentException | ArithmeticException e) {
                throw new TrinoException(NUMERIC_VALUE_OUT_OF_RANGE, "Cannot INSERT into %s: a partition value computed from the rows does not fit its partition field (%s: %s). The Iceberg connector refuses the same rows; change the values or the table's partitioning"
                        .formatted(table, task.partitionDataJson().get(), e.getMessage()), e);
            }
        }
    }

    @Override
    public void dropTable(ConnectorSession session, ConnectorTableHandle tableHandle)
    {
        SchemaTableName name = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String uuid = tableUuid(session, name);
        views.dependents().checkNoViews(uuid, name, "DROP TABLE");
        views.dependents().checkNotADimension(name, "DROP TABLE");
        super.dropTable(session, tableHandle);
        dropHotTier(session, uuid);
    }

    @Override
    public void dropSchema(ConnectorSession session, String schemaName, boolean cascade)
    {
        // Iceberg drops the tables of a CASCADE itself, past dropTable: their hot tiers go here
        List<HybridTableState> tables = segmentStore.listTables().stream()
                .filter(table -> table.name().getSchemaName().equals(schemaName))
                .toList();
        if (cascade) {
            views.dependents().checkSchemaNotReadByOtherSchemas(schemaName, "DROP SCHEMA ... CASCADE");
            views.list(Optional.of(schemaName)).forEach(view -> views.drop(session, view));
        }
        // state tables views no longer use, kept for reads in flight: the schema goes, so they go now
        for (HybridTableState table : tables) {
            if (table.retiredAt().isPresent()) {
                dropTableAndHotTier(session, table.name());
            }
        }
        super.dropSchema(session, schemaName, cascade);
        for (HybridTableState table : tables) {
            dropHotTier(session, table.tableUuid());
        }
    }

    private void dropTableAndHotTier(ConnectorSession session, SchemaTableName table)
    {
        ConnectorTableHandle handle = super.getTableHandle(session, table, Optional.empty(), Optional.empty());
        if (handle != null) {
            String uuid = tableUuid(session, table);
            super.dropTable(session, handle);
            dropHotTier(session, uuid);
        }
    }

    private void dropHotTier(ConnectorSession session, String tableUuid)
    {
        List<Segment> segments = segmentStore.dropTable(tableUuid);
        deleteFiles(session, segments.stream()
                .filter(Segment::ownsFile)
                .map(Segment::path)
                .toList());
    }

    @Override
    public void renameTable(ConnectorSession session, ConnectorTableHandle tableHandle, SchemaTableName newTableName)
    {
        SchemaTableName name = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        Optional<HybridTableState> state = hybridTable(session, name);
        state.ifPresent(table -> views.dependents().checkNoViews(table.tableUuid(), name, "RENAME TABLE"));
        views.dependents().checkNotADimension(name, "RENAME TABLE");
        super.renameTable(session, tableHandle, newTableName);
        state.ifPresent(table -> segmentStore.updateTable(table.tableUuid(), newTableName, table.settings()));
    }

    @Override
    public void setTableProperties(ConnectorSession session, ConnectorTableHandle tableHandle, Map<String, Optional<Object>> properties)
    {
        SchemaTableName name = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        Map<String, Optional<Object>> icebergProperties = properties.entrySet().stream()
                .filter(entry -> !HybridTableProperties.isHybridProperty(entry.getKey()))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
        if (!icebergProperties.isEmpty()) {
            icebergProperties.getOrDefault(IcebergTableProperties.EXTRA_PROPERTIES_PROPERTY, Optional.empty())
                    .ifPresent(extra -> extraProperties(ImmutableMap.of(IcebergTableProperties.EXTRA_PROPERTIES_PROPERTY, extra)));
            super.setTableProperties(session, tableHandle, icebergProperties);
        }
        if (properties.keySet().stream().noneMatch(HybridTableProperties::isHybridProperty)) {
            return;
        }
        setHybridProperties(session, name, properties);
    }

    /**
     * A synchronous view's rows stay where and as its state table holds them: how long they stay
     * hot, how long they are kept and how they are cached can change; the partitioning, format
     * and location are the state table's layout, which only a new build changes.
     */
    @Override
    public void setMaterializedViewProperties(ConnectorSession session, SchemaTableName viewName, Map<String, Optional<Object>> properties)
    {
        Optional<SynchronousView> view = views.view(viewName);
        if (view.isEmpty()) {
            super.setMaterializedViewProperties(session, viewName, properties);
            return;
        }
        List<String> fixed = properties.keySet().stream()
                .filter(property -> !MATERIALIZED_VIEW_SETTABLE_PROPERTIES.contains(property))
                .sorted()
                .toList();
        if (!fixed.isEmpty()) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot change %s of materialized view %s: ALTER MATERIALIZED VIEW ... SET PROPERTIES changes %s; for the others, CREATE OR REPLACE MATERIALIZED VIEW with them"
                    .formatted(String.join(", ", fixed), viewName, String.join(", ", MATERIALIZED_VIEW_SETTABLE_PROPERTIES)));
        }
        setHybridProperties(session, view.get().stateTable(), properties);
    }

    private void setHybridProperties(ConnectorSession session, SchemaTableName name, Map<String, Optional<Object>> properties)
    {
        String uuid = tableUuid(session, name);
        Optional<HybridTableState> state = segmentStore.getTable(uuid);
        TableSettings settings = state.map(HybridTableState::settings).orElse(TableSettings.ofMode(TableMode.LAKE));
        TableMode mode = properties.containsKey(HybridTableProperties.MODE)
                ? properties.get(HybridTableProperties.MODE).map(TableMode.class::cast).orElse(TableMode.HYBRID)
                : settings.mode();
        Optional<Duration> tierAfter = properties.containsKey(HybridTableProperties.TIER_AFTER)
                ? properties.get(HybridTableProperties.TIER_AFTER).map(Duration.class::cast)
                : settings.tierAfter();
        Optional<Duration> retention = properties.containsKey(HybridTableProperties.RETENTION)
                ? properties.get(HybridTableProperties.RETENTION).map(Duration.class::cast)
                : settings.retention();
        Optional<CachePolicy> cache = properties.containsKey(HybridTableProperties.CACHE)
                ? properties.get(HybridTableProperties.CACHE).map(CachePolicy.class::cast)
                : settings.cache();
        if (retention.isPresent()) {
            HybridTableProperties.checkRetentionPartitioning(icebergTable(session, name).spec().fields().stream()
                    .map(field -> field.transform() + "(" + field.name() + ")")
                    .toList());
        }
        TableSettings newSettings = new TableSettings(mode, tierAfter, retention, cache);
        if (state.isEmpty()) {
            // an Iceberg table created elsewhere comes under the connector's management
            segmentStore.registerTable(uuid, name, icebergTable(session, name).location(), newSettings);
            return;
        }
        if (settings.mode() == TableMode.HYBRID && mode == TableMode.LAKE) {
            views.dependents().checkNoViews(uuid, name, "ALTER TABLE ... SET PROPERTIES mode = 'lake'");
            // later INSERTs go to Iceberg: move what is hot there first (segments committed meanwhile are tiered by the service)
            segmentStore.updateTable(uuid, name, newSettings);
            tierer.tier(session, name, Instant.now().plusSeconds(1));
            return;
        }
        segmentStore.updateTable(uuid, name, newSettings);
    }

    @Override
    public TableStatistics getTableStatistics(ConnectorSession session, ConnectorTableHandle tableHandle)
    {
        if (tableHandle instanceof AnsweredAggregation) {
            return TableStatistics.empty();
        }
        IcebergTableHandle handle = (IcebergTableHandle) tableHandle;
        TableStatistics cold = HybridSessionProperties.isReadColdTier(session)
                ? coldStatistics.get(session, handle, icebergTable(session, handle.getSchemaTableName()), () -> super.getTableStatistics(session, tableHandle))
                : TableStatistics.empty();
        if (!HybridSessionProperties.isReadHotTier(session)) {
            return cold;
        }
        Optional<HotTierPin> pin = hotTierPin(session, handle);
        if (pin.isEmpty()) {
            return cold;
        }
        List<Segment> visible = visibleSegments(pin.get());
        if (visible.isEmpty() || handle.getEnforcedPredicate().isNone()) {
            return cold;
        }
        Schema schema = SchemaParser.fromJson(handle.getTableSchemaJson());
        // the segments a scan would read after partition pruning, as Iceberg's statistics count the files its scan would plan
        HotSegmentSplits.Pruner pruner = HotSegmentSplits.pruner(schema, HotSegmentSplits.enforcedExpression(handle.getEnforcedPredicate()));
        boolean coldEmpty = handle.getSnapshotId().isEmpty() || (!cold.getRowCount().isUnknown() && cold.getRowCount().getValue() == 0);
        return HybridTableStatistics.combine(
                cold,
                coldEmpty,
                HybridTableStatistics.columnsOf(cold, () -> getColumnHandles(session, handle).values()),
                schema,
                MetricsConfig.forTable(icebergTable(session, handle.getSchemaTableName())),
                visible.stream().map(segmentDecoder::decode).filter(pruner::mayMatch).toList(),
                distinctValuesOfBothTiers(session, handle, pin.get(), coldEmpty));
    }

    /**
     * Distinct values of a field over both tiers: the union of the hot rows' sketches with
     * those of Iceberg's statistics, where both are known.
     */
    private Function<Integer, OptionalDouble> distinctValuesOfBothTiers(ConnectorSession session, IcebergTableHandle handle, HotTierPin pin, boolean coldEmpty)
    {
        try {
            ColumnSketches hot = tierSketches.hot(pin);
            if (hot.isEmpty()) {
                return _ -> OptionalDouble.empty();
            }
            if (coldEmpty) {
                return hot::distinctValues;
            }
            ColumnSketches cold = tierSketches.cold(icebergTable(session, handle.getSchemaTableName()), handle.getSnapshotId().orElseThrow());
            ColumnSketches bothTiers = hot.union(cold);
            return fieldId -> cold.sketches().containsKey(fieldId) ? bothTiers.distinctValues(fieldId) : OptionalDouble.empty();
        }
        catch (RuntimeException e) {
            // statistics guide the planner, they never decide an answer: plan without them rather than fail the query
            log.warn(e, "Distinct-value sketches of %s could not be read", handle.getSchemaTableName());
            return _ -> OptionalDouble.empty();
        }
    }

    @Override
    public TableStatisticsMetadata getStatisticsCollectionMetadataForWrite(ConnectorSession session, ConnectorTableMetadata tableMetadata)
    {
        // distinct values are sketched on every write, as the stock connector does by default: into
        // Iceberg's statistics for bulk loads and lake tables, kept per INSERT for hot rows
        return DistinctValueCollection.forColumns(tableMetadata.getColumns());
    }

    @Override
    public ConnectorAnalyzeMetadata getStatisticsCollectionMetadata(ConnectorSession session, ConnectorTableHandle tableHandle, Map<String, Object> analyzeProperties)
    {
        ConnectorAnalyzeMetadata analyze = super.getStatisticsCollectionMetadata(session, tableHandle, analyzeProperties);
        return new ConnectorAnalyzeMetadata(analyze.getTableHandle(), DistinctValueCollection.withOurSketchFunction(analyze.getStatisticsMetadata()));
    }

    @Override
    public Optional<SystemTable> getSystemTable(ConnectorSession session, SchemaTableName requestedName)
    {
        // mv$segments and mv$partitions of a materialized view are those of its state table
        SchemaTableName tableName = stateTableHiddenName(requestedName).orElse(requestedName);
        Optional<SchemaTableName> segmentsBase = HiddenTables.baseTable(tableName, SegmentsTable.SUFFIX);
        if (segmentsBase.isPresent()) {
            if (getTableHandle(session, segmentsBase.get(), Optional.empty(), Optional.empty()) == null) {
                return Optional.empty();
            }
            String uuid = tableUuid(session, segmentsBase.get());
            return Optional.of(new SegmentsTable(requestedName, () -> segmentStore.allSegments(uuid)));
        }
        Optional<SchemaTableName> partitionsBase = HiddenTables.baseTable(tableName, PartitionsTable.SUFFIX);
        if (partitionsBase.isPresent() && getTableHandle(session, partitionsBase.get(), Optional.empty(), Optional.empty()) instanceof IcebergTableHandle handle) {
            Optional<HotTierPin> pin = hotTierPin(session, handle);
            return Optional.of(new PartitionsTable(
                    requestedName,
                    icebergTable(session, partitionsBase.get()),
                    handle.getSnapshotId(),
                    () -> pin.map(this::visibleSegments).orElse(ImmutableList.of()),
                    segmentDecoder,
                    typeManager));
        }
        return super.getSystemTable(session, tableName);
    }

    private Optional<SchemaTableName> stateTableHiddenName(SchemaTableName hiddenName)
    {
        int separator = hiddenName.getTableName().indexOf('$');
        if (separator <= 0) {
            return Optional.empty();
        }
        return views.view(new SchemaTableName(hiddenName.getSchemaName(), hiddenName.getTableName().substring(0, separator)))
                .map(view -> new SchemaTableName(hiddenName.getSchemaName(), view.stateTable().getTableName() + hiddenName.getTableName().substring(separator)));
    }

    @Override
    public Optional<ConnectorTableExecuteHandle> getTableHandleForExecute(ConnectorSession session, ConnectorAccessControl accessControl, ConnectorTableHandle tableHandle, String procedureName, Map<String, Object> executeProperties, RetryMode retryMode)
    {
        if (tableHandle instanceof IcebergTableHandle table) {
            if (ROW_CHANGING_PROCEDURES.contains(procedureName.toUpperCase(Locale.ROOT))) {
                checkNoViews(session, table.getSchemaTableName(), "ALTER TABLE ... EXECUTE " + procedureName.toLowerCase(Locale.ROOT));
            }
            if (procedureName.equalsIgnoreCase("ROLLBACK_TO_SNAPSHOT")) {
                CheckedIcebergProcedures.checkNoHotRows(segmentStore, tableUuid(session, table.getSchemaTableName()), table.getSchemaTableName(),
                        "ALTER TABLE ... EXECUTE rollback_to_snapshot", CheckedIcebergProcedures.ROLLBACK_NEEDS_TIERED_ROWS);
            }
            Optional<HotTierTableProcedures.ExecuteHandle> hotTier = tableProcedures.handleFor(session, table.getSchemaTableName(), procedureName);
            if (hotTier.isPresent()) {
                return Optional.of(hotTier.get());
            }
        }
        return super.getTableHandleForExecute(session, accessControl, tableHandle, procedureName, executeProperties, retryMode);
    }

    @Override
    public Optional<ConnectorTableLayout> getLayoutForTableExecute(ConnectorSession session, ConnectorTableExecuteHandle tableExecuteHandle)
    {
        if (tableExecuteHandle instanceof HotTierTableProcedures.ExecuteHandle) {
            return Optional.empty();
        }
        return super.getLayoutForTableExecute(session, tableExecuteHandle);
    }

    @Override
    public void executeTableExecute(ConnectorSession session, ConnectorTableExecuteHandle tableExecuteHandle)
    {
        if (tableExecuteHandle instanceof HotTierTableProcedures.ExecuteHandle hotTier) {
            tableProcedures.execute(session, hotTier);
            return;
        }
        // Iceberg's own sweep deletes every file its snapshots do not reference, hot segment files included
        if (tableExecuteHandle instanceof IcebergTableExecuteHandle execute && execute.procedureHandle() instanceof IcebergRemoveOrphanFilesHandle removeOrphanFiles) {
            io.airlift.units.Duration retention = removeOrphanFiles.retentionThreshold();
            io.airlift.units.Duration minimum = IcebergSessionProperties.getRemoveOrphanFilesMinRetention(session);
            if (retention.compareTo(minimum) < 0) {
                throw new TrinoException(INVALID_PROCEDURE_ARGUMENT, ("Retention specified (%s) is shorter than the minimum retention configured in the system (%s). " +
                        "Minimum retention can be changed with the iceberg.remove-orphan-files.min-retention catalog property or the remove_orphan_files_min_retention session property of this catalog")
                        .formatted(retention, minimum));
            }
            orphanFileSweeper.sweep(session, execute.schemaTableName(), session.getStart().minusMillis(retention.toMillis()));
            return;
        }
        super.executeTableExecute(session, tableExecuteHandle);
    }

    @Override
    public ConnectorMergeTableHandle beginMerge(ConnectorSession session, ConnectorTableHandle tableHandle, Map<Integer, Collection<ColumnHandle>> updateCaseColumns, RetryMode retryMode)
    {
        String tableUuid = tableUuid(session, ((IcebergTableHandle) tableHandle).getSchemaTableName());
        rowChangesToEnd.add(rowChanges.begin(tableUuid));
        // the handle returned with the merge handle is the one the statement's scan of its target reads
        IcebergTableHandle target = withHotRowsInIceberg(session, (IcebergTableHandle) tableHandle, "DELETE, UPDATE and MERGE");
        return super.beginMerge(session, pastColdFileMerges(session, tableUuid, target), updateCaseColumns, retryMode);
    }

    /**
     * The handle at the table's current snapshot where the only commits since the one it reads are
     * background merges of small cold files: the same rows in other files. The statement's commit
     * would otherwise find the files it read replaced and fail; from its start on no merge commits
     * (see {@link RowChangesInProgress}), so the snapshot it reads now stays its files' last.
     */
    private IcebergTableHandle pastColdFileMerges(ConnectorSession session, String tableUuid, IcebergTableHandle handle)
    {
        // the handle was read during this query: only a merge committed since could have replaced its files
        if (handle.getSnapshotId().isEmpty() || !rowChanges.mergedSince(tableUuid, session.getStart())) {
            return handle;
        }
        SchemaTableName name = handle.getSchemaTableName();
        IcebergMetadataAccess.reloadTable(iceberg, name);
        Table table = icebergTable(session, name);
        long read = handle.getSnapshotId().get();
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null && snapshot.snapshotId() != read) {
            if (!"true".equals(snapshot.summary().get(ColdFileCompactor.MERGE_SUMMARY_PROPERTY)) || snapshot.parentId() == null) {
                return handle;
            }
            snapshot = table.snapshot(snapshot.parentId());
        }
        if (snapshot == null || table.currentSnapshot().snapshotId() == read) {
            return handle;
        }
        log.debug("%s reads snapshot %s of %s, past background merges of its cold files since snapshot %s", session.getQueryId(), table.currentSnapshot().snapshotId(), name, read);
        return IcebergHandles.withSnapshotId(handle, table.currentSnapshot().snapshotId());
    }

    @Override
    public Optional<ConnectorTableHandle> applyDelete(ConnectorSession session, ConnectorTableHandle handle)
    {
        IcebergTableHandle table = (IcebergTableHandle) handle;
        views.dependents().checkNoViews(tableUuid(session, table.getSchemaTableName()), table.getSchemaTableName(), "DELETE");
        // a delete of whole partitions drops Iceberg files only: executeDelete moves the hot rows to Iceberg first
        return super.applyDelete(session, handle);
    }

    @Override
    public OptionalLong executeDelete(ConnectorSession session, ConnectorTableHandle handle)
    {
        rowChangesToEnd.add(rowChanges.begin(tableUuid(session, ((IcebergTableHandle) handle).getSchemaTableName())));
        IcebergTableHandle table = withHotRowsInIceberg(session, (IcebergTableHandle) handle, "DELETE");
        // Iceberg's delete by partition filter would also drop the files of NULL partitions a
        // predicate such as < or <> excludes: those get a filter that says they are not NULL
        return NullPartitionPruning.metadataDeleteFilter(table.getEnforcedPredicate())
                .map(rowFilter -> IcebergMetadataAccess.deleteWholeFiles(iceberg, session, table.getSchemaTableName(), rowFilter))
                .orElseGet(() -> super.executeDelete(session, table));
    }

    @Override
    public void truncateTable(ConnectorSession session, ConnectorTableHandle tableHandle)
    {
        super.truncateTable(session, withHotRowsInIceberg(session, (IcebergTableHandle) tableHandle, "TRUNCATE"));
    }

    /**
     * Iceberg changes and deletes rows only in its own files. A statement that does so on a
     * table with hot rows first tiers them, in their own commit (which never changes what a query
     * returns), and then runs on the snapshot that holds them: the handle it was planned with,
     * with that snapshot and its hand-off mark. Rows inserted after the statement began stay
     * hot and untouched, as a concurrent INSERT's rows do in Iceberg.
     */
    private IcebergTableHandle withHotRowsInIceberg(ConnectorSession session, IcebergTableHandle handle, String operation)
    {
        SchemaTableName name = handle.getSchemaTableName();
        views.dependents().checkNoViews(tableUuid(session, name), name, operation);
        if (!hasHotRows(session, handle)) {
            return handle;
        }
        HotTierPin pin = hotTierPin(session, handle).orElseThrow();
        tierer.tier(session, name);
        IcebergMetadataAccess.reloadTable(iceberg, name);
        if (!(super.getTableHandle(session, name, Optional.empty(), Optional.empty()) instanceof IcebergTableHandle current)
                || !current.getTableSchemaJson().equals(handle.getTableSchemaJson())
                || !current.getPartitionSpecJson().equals(handle.getPartitionSpecJson())) {
            throw new TrinoException(TRANSACTION_CONFLICT, "Table %s was changed or dropped while %s ran: run the statement again".formatted(name, operation));
        }
        HotTierPin afterTiering = pin.withTieredThrough(tieredThrough(current));
        if (!visibleSegments(afterTiering).isEmpty()) {
            throw new TrinoException(HYBRID_COMMIT_ERROR, "The hot rows of %s could not all be moved to Iceberg for %s (another tiering or a materialized view build holds them): run the statement again".formatted(name, operation));
        }
        return new IcebergTableHandle(
                handle.getCatalog(),
                handle.getSchemaName(),
                handle.getTableName(),
                handle.getTableType(),
                current.getSnapshotId(),
                handle.getTableSchemaJson(),
                handle.getPartitionSpecJson(),
                handle.getFormatVersion(),
                handle.getUnenforcedPredicate(),
                handle.getEnforcedPredicate(),
                handle.getLimit(),
                handle.getProjectedColumns(),
                handle.getNameMappingJson(),
                handle.getTableLocation(),
                current.getStorageProperties(),
                handle.getTablePartitioning(),
                handle.isRecordScannedFiles(),
                handle.getMaxScannedFileSize(),
                handle.getConstraintColumns(),
                handle.getForAnalyze());
    }

    private boolean hasHotRows(ConnectorSession session, IcebergTableHandle handle)
    {
        Optional<HotTierPin> pin = hotTierPin(session, handle);
        return pin.isPresent() && !visibleSegments(pin.get()).isEmpty();
    }

    @Override
    public void createMaterializedView(ConnectorSession session, SchemaTableName viewName, ConnectorMaterializedViewDefinition definition, Map<String, Object> properties, boolean replace, boolean ignoreExisting)
    {
        viewsChanged = true;
        views.create(session, viewName, definition, properties, replace, ignoreExisting);
    }

    @Override
    public Optional<ConnectorMaterializedViewDefinition> getMaterializedView(ConnectorSession session, SchemaTableName viewName)
    {
        if (viewsChanged) {
            return views.definition(viewName);
        }
        // Trino asks this of every table a query names: the read that pins the table for
        // planning answers it too
        return metastoreReads.view(viewName)
                .map(RegisteredView::view)
                .map(views::definition);
    }

    @Override
    public Map<SchemaTableName, ConnectorMaterializedViewDefinition> getMaterializedViews(ConnectorSession session, Optional<String> schemaName)
    {
        return views.definitions(schemaName);
    }

    @Override
    public List<SchemaTableName> listMaterializedViews(ConnectorSession session, Optional<String> schemaName)
    {
        return views.list(schemaName);
    }

    @Override
    public MaterializedViewFreshness getMaterializedViewFreshness(ConnectorSession session, SchemaTableName name)
    {
        return MaterializedViews.freshness();
    }

    @Override
    public Map<String, Object> getMaterializedViewProperties(ConnectorSession session, SchemaTableName viewName, ConnectorMaterializedViewDefinition definition)
    {
        return views.properties(session, viewName);
    }

    @Override
    public void dropMaterializedView(ConnectorSession session, SchemaTableName viewName)
    {
        viewsChanged = true;
        if (!views.drop(session, viewName)) {
            super.dropMaterializedView(session, viewName);
        }
    }

    @Override
    public boolean delegateMaterializedViewRefreshToConnector(ConnectorSession session, SchemaTableName viewName)
    {
        return views.view(viewName).isPresent();
    }

    @Override
    public CompletableFuture<?> refreshMaterializedView(ConnectorSession session, SchemaTableName viewName)
    {
        viewsChanged = true;
        views.refresh(session, viewName);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The transaction is over: its DELETE, UPDATE and MERGE statements no longer run.
     */
    public void endTransaction()
    {
        rowChangesToEnd.forEach(Runnable::run);
        rowChangesToEnd.clear();
    }

    /**
     * Takes up a materialized view build its process abandoned; the background service calls it
     * in a transaction of its own.
     */
    public void recoverMaterializedViewBuild(ConnectorSession session, AbandonedViewBuild build)
    {
        viewsChanged = true;
        views.recover(session, build);
    }

    @Override
    public void renameMaterializedView(ConnectorSession session, SchemaTableName source, SchemaTableName target)
    {
        if (views.view(source).isPresent()) {
            throw new TrinoException(NOT_SUPPORTED, "Renaming synchronous materialized view %s is not supported: create it again under the new name and drop the old one".formatted(source));
        }
        super.renameMaterializedView(session, source, target);
    }

    @Override
    public List<SchemaTableName> listTables(ConnectorSession session, Optional<String> schemaName)
    {
        // the state tables of materialized views are the views' storage, not tables of their own;
        // the views are listed as Trino's Iceberg connector lists its own materialized views
        return ImmutableList.<SchemaTableName>builder()
                .addAll(super.listTables(session, schemaName).stream()
                        .filter(name -> !SynchronousView.isStateTable(name))
                        .iterator())
                .addAll(views.list(schemaName))
                .build();
    }

    @Override
    public Map<SchemaTableName, RelationType> getRelationTypes(ConnectorSession session, Optional<String> schemaName)
    {
        Map<SchemaTableName, RelationType> relations = new HashMap<>();
        super.getRelationTypes(session, schemaName).forEach((name, type) -> {
            if (!SynchronousView.isStateTable(name)) {
                relations.put(name, type);
            }
        });
        views.list(schemaName).forEach(view -> relations.put(view, RelationType.MATERIALIZED_VIEW));
        return relations;
    }

    /**
     * The columns {@code information_schema.columns} and JDBC's metadata list: the views', not
     * those of their state tables, as {@link #listTables} lists them.
     */
    @Override
    public ClassLoaderSafeIterator<RelationColumnsMetadata> streamRelationColumns(ConnectorSession session, Optional<String> schemaName, UnaryOperator<Set<SchemaTableName>> relationFilter)
    {
        return viewsInPlaceOfStateTables(super.streamRelationColumns(session, schemaName, relationFilter), RelationColumnsMetadata::name, schemaName, relationFilter,
                view -> RelationColumnsMetadata.forMaterializedView(view.name(), MaterializedViews.columns(view)));
    }

    @Override
    public ClassLoaderSafeIterator<RelationCommentMetadata> streamRelationComments(ConnectorSession session, Optional<String> schemaName, UnaryOperator<Set<SchemaTableName>> relationFilter)
    {
        return viewsInPlaceOfStateTables(super.streamRelationComments(session, schemaName, relationFilter), RelationCommentMetadata::name, schemaName, relationFilter,
                view -> RelationCommentMetadata.forRelation(view.name(), view.comment()));
    }

    private <T> ClassLoaderSafeIterator<T> viewsInPlaceOfStateTables(
            Iterator<T> relations,
            Function<T, SchemaTableName> name,
            Optional<String> schemaName,
            UnaryOperator<Set<SchemaTableName>> relationFilter,
            Function<SynchronousView, T> ofView)
    {
        // what a listing needs of a view is in its registered row: its definition as Trino
        // reads it (the query over its state table) is not built for every view of the schema
        Map<SchemaTableName, SynchronousView> inSchema = views.inSchema(schemaName);
        Set<SchemaTableName> visible = relationFilter.apply(inSchema.keySet());
        return new ClassLoaderSafeIterator<>(Iterators.concat(
                Iterators.filter(relations, relation -> !SynchronousView.isStateTable(name.apply(relation))),
                visible.stream().map(view -> ofView.apply(inSchema.get(view))).iterator()), getClass().getClassLoader());
    }

    @Override
    public ConnectorInsertTableHandle beginInsert(ConnectorSession session, ConnectorTableHandle tableHandle, List<ColumnHandle> columns, RetryMode retryMode)
    {
        SchemaTableName name = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        if (SynchronousView.isStateTable(name)) {
            throw new TrinoException(NOT_SUPPORTED, "%s holds the state of a materialized view: INSERT into the view's base tables instead".formatted(name));
        }
        return super.beginInsert(session, tableHandle, columns, retryMode);
    }

    // a view reads its bases' columns by name and type on every INSERT: they stay as they are
    // while it exists; its dimensions' columns may change as long as every view can still be maintained
    @Override
    public void addColumn(ConnectorSession session, ConnectorTableHandle tableHandle, ColumnMetadata column, ColumnPosition position)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        views.dependents().checkNotAStateTable(table, "ALTER TABLE ... ADD COLUMN");
        views.checkColumnChange(session, table, "ALTER TABLE ... ADD COLUMN",
                columns -> ImmutableList.<ColumnMetadata>builder().addAll(columns).add(new ColumnMetadata(column.getName(), column.getType())).build());
        super.addColumn(session, tableHandle, column, position);
    }

    @Override
    public void dropColumn(ConnectorSession session, ConnectorTableHandle tableHandle, ColumnHandle column)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String dropped = ((IcebergColumnHandle) column).getName();
        checkNoViews(session, table, "ALTER TABLE ... DROP COLUMN");
        views.checkColumnChange(session, table, "ALTER TABLE ... DROP COLUMN",
                columns -> columns.stream().filter(existing -> !existing.getName().equals(dropped)).toList());
        super.dropColumn(session, tableHandle, column);
    }

    @Override
    public void renameColumn(ConnectorSession session, ConnectorTableHandle tableHandle, ColumnHandle source, String target)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String renamed = ((IcebergColumnHandle) source).getName();
        checkNoViews(session, table, "ALTER TABLE ... RENAME COLUMN");
        views.checkColumnChange(session, table, "ALTER TABLE ... RENAME COLUMN", columns -> columns.stream()
                .map(existing -> existing.getName().equals(renamed) ? new ColumnMetadata(target, existing.getType()) : existing)
                .toList());
        super.renameColumn(session, tableHandle, source, target);
    }

    @Override
    public void setColumnType(ConnectorSession session, ConnectorTableHandle tableHandle, ColumnHandle column, Type type)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String retyped = ((IcebergColumnHandle) column).getName();
        checkNoViews(session, table, "ALTER TABLE ... SET DATA TYPE");
        views.checkColumnChange(session, table, "ALTER TABLE ... SET DATA TYPE", columns -> columns.stream()
                .map(existing -> existing.getName().equals(retyped) ? new ColumnMetadata(existing.getName(), type) : existing)
                .toList());
        super.setColumnType(session, tableHandle, column, type);
    }

    // a field of a row column: as its column on a base with views or a state table; on a
    // dimension, only where no view reads the column
    @Override
    public void addField(ConnectorSession session, ConnectorTableHandle tableHandle, List<String> parentPath, String fieldName, Type type, boolean ignoreExisting)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String operation = "ALTER TABLE ... ADD COLUMN " + String.join(".", parentPath) + "." + fieldName;
        views.dependents().checkNotAStateTable(table, operation);
        views.checkNestedFieldChange(session, table, parentPath.getFirst(), operation);
        super.addField(session, tableHandle, parentPath, fieldName, type, ignoreExisting);
    }

    @Override
    public void dropField(ConnectorSession session, ConnectorTableHandle tableHandle, ColumnHandle column, List<String> fieldPath)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String columnName = ((IcebergColumnHandle) column).getName();
        String operation = "ALTER TABLE ... DROP COLUMN " + columnName + "." + String.join(".", fieldPath);
        checkNoViews(session, table, operation);
        views.checkNestedFieldChange(session, table, columnName, operation);
        super.dropField(session, tableHandle, column, fieldPath);
    }

    @Override
    public void renameField(ConnectorSession session, ConnectorTableHandle tableHandle, List<String> fieldPath, String target)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String operation = "ALTER TABLE ... RENAME COLUMN " + String.join(".", fieldPath);
        checkNoViews(session, table, operation);
        views.checkNestedFieldChange(session, table, fieldPath.getFirst(), operation);
        super.renameField(session, tableHandle, fieldPath, target);
    }

    @Override
    public void setFieldType(ConnectorSession session, ConnectorTableHandle tableHandle, List<String> fieldPath, Type type)
    {
        SchemaTableName table = ((IcebergTableHandle) tableHandle).getSchemaTableName();
        String operation = "ALTER TABLE ... ALTER COLUMN " + String.join(".", fieldPath) + " SET DATA TYPE";
        checkNoViews(session, table, operation);
        views.checkNestedFieldChange(session, table, fieldPath.getFirst(), operation);
        super.setFieldType(session, tableHandle, fieldPath, type);
    }

    private void checkReplace(ConnectorSession session, ConnectorTableMetadata table)
    {
        checkNoViews(session, table.getTable(), "CREATE OR REPLACE TABLE");
        // a replaced dimension keeps its name: its views read the new table's columns from the next INSERT on
        views.checkColumnChange(session, table.getTable(), "CREATE OR REPLACE TABLE", _ -> table.getColumns().stream()
                .filter(column -> !column.isHidden())
                .toList());
    }

    private void checkNoViews(ConnectorSession session, SchemaTableName table, String operation)
    {
        if (super.getTableHandle(session, table, Optional.empty(), Optional.empty()) != null) {
            views.dependents().checkNoViews(tableUuid(session, table), table, operation);
        }
    }

    private String tableUuid(ConnectorSession session, SchemaTableName name)
    {
        return icebergTable(session, name).uuid().toString();
    }

    private static long tieredThrough(IcebergTableHandle handle)
    {
        return HotTierPin.tieredThrough(handle.getStorageProperties());
    }

    private void deleteFiles(ConnectorSession session, List<String> paths)
    {
        if (paths.isEmpty()) {
            return;
        }
        TrinoFileSystem fileSystem = fileSystemFactory.create(session.getIdentity(), ImmutableMap.of());
        try {
            fileSystem.deleteFiles(paths.stream().map(Location::of).collect(toImmutableList()));
        }
        catch (IOException e) {
            log.warn(e, "Failed to delete %s segment files; they are unreferenced and safe to remove", paths.size());
        }
    }
}
