package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.hybridlakehouse.plugin.HybridSessionProperties;
import io.hybridlakehouse.plugin.cache.WarmCacheFiles;
import io.hybridlakehouse.plugin.function.WarmCacheFunctionHandle;
import io.hybridlakehouse.plugin.function.WarmCacheSplit;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.metadata.HybridMetadata;
import io.hybridlakehouse.plugin.metadata.HybridTransactionManager;
import io.hybridlakehouse.plugin.rewrite.RollupSplit;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle;
import io.hybridlakehouse.plugin.rewrite.RowCountSplit;
import io.hybridlakehouse.plugin.rewrite.RowCountTableHandle;
import io.hybridlakehouse.plugin.segment.Segment;
import io.trino.filesystem.cache.CachingHostAddressProvider;
import io.trino.plugin.base.classloader.ClassLoaderSafeConnectorSplitSource;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.ForIcebergSplitManager;
import io.trino.plugin.iceberg.ForIcebergSplitSource;
import io.trino.plugin.iceberg.IcebergConnector;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergSplit;
import io.trino.plugin.iceberg.IcebergSplitSource;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorSplitSource;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.DynamicFilter;
import io.trino.spi.connector.FixedSplitSource;
import io.trino.spi.function.table.ConnectorTableFunctionHandle;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.metrics.InMemoryMetricsReporter;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import static io.airlift.concurrent.MoreFutures.getFutureValue;
import static io.trino.plugin.iceberg.IcebergSessionProperties.getDynamicFilteringWaitTimeout;
import static io.trino.plugin.iceberg.IcebergSessionProperties.getMinimumAssignedSplitWeight;
import static io.trino.plugin.iceberg.IcebergUtil.getModificationTime;
import static java.util.Objects.requireNonNull;

/**
 * Splits of both tiers for one scan: Iceberg's split manager plans the pinned snapshot, and
 * the hot segments visible at the pinned version above the snapshot's hand-off mark are added.
 */
public class HybridSplitManager
        implements ConnectorSplitManager
{
    private final ConnectorSplitManager iceberg;
    private final HybridTransactionManager transactions;
    private final HotSegmentSplits hotSegmentSplits;
    private final CachingHostAddressProvider cachingHostAddressProvider;
    private final WarmCacheFiles warmCacheFiles;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final ColdScanPlans coldScanPlans;
    private final TypeManager typeManager;
    private final ListeningExecutorService splitSourceExecutor;
    private final ExecutorService planningExecutor;

    @Inject
    public HybridSplitManager(
            IcebergConnector iceberg,
            HybridTransactionManager transactions,
            JsonCodec<CommitTaskData> commitTaskCodec,
            CachingHostAddressProvider cachingHostAddressProvider,
            WarmCacheFiles warmCacheFiles,
            IcebergFileSystemFactory fileSystemFactory,
            ColdScanPlans coldScanPlans,
            TypeManager typeManager,
            @ForIcebergSplitSource ListeningExecutorService splitSourceExecutor,
            @ForIcebergSplitManager ExecutorService planningExecutor)
    {
        this.coldScanPlans = requireNonNull(coldScanPlans, "coldScanPlans is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.splitSourceExecutor = requireNonNull(splitSourceExecutor, "splitSourceExecutor is null");
        this.planningExecutor = requireNonNull(planningExecutor, "planningExecutor is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.warmCacheFiles = requireNonNull(warmCacheFiles, "warmCacheFiles is null");
        this.cachingHostAddressProvider = requireNonNull(cachingHostAddressProvider, "cachingHostAddressProvider is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null").getSplitManager();
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.hotSegmentSplits = new HotSegmentSplits(commitTaskCodec);
    }

    @Override
    public ConnectorSplitSource getSplits(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorTableHandle table, DynamicFilter dynamicFilter, Constraint constraint)
    {
        transactions.get(transaction, session).scanStarts(table);
        if (table instanceof RollupTableHandle rollup) {
            return new FixedSplitSource(ImmutableList.of(new RollupSplit(stateSplits(transaction, session, rollup))));
        }
        if (table instanceof RowCountTableHandle count) {
            return new FixedSplitSource(ImmutableList.of(new RowCountSplit(count.rows())));
        }
        IcebergTableHandle handle = (IcebergTableHandle) table;
        Set<Integer> promotedFieldIds = transactions.get(transaction, session).promotedFieldIds(session, handle);
        Optional<ConnectorSplitSource> cold = HybridSessionProperties.isReadColdTier(session)
                ? Optional.of(coldSplits(transaction, session, handle, PromotedColumnsDynamicFilter.without(dynamicFilter, promotedFieldIds), constraint))
                : Optional.empty();
        Optional<NullPartitionPruning.SplitFilter> coldSplitFilter = cold.isPresent()
                ? NullPartitionPruning.splitFilter(handle.getTableSchemaJson(), handle.getEnforcedPredicate())
                : Optional.empty();
        // table procedures such as OPTIMIZE rewrite what they scan into the Iceberg snapshot: they must see cold files only
        if (!HybridSessionProperties.isReadHotTier(session) || handle.isRecordScannedFiles()) {
            return new HybridSplitSource(ImmutableList.of(), cold, coldSplitFilter, promotedFieldIds);
        }
        return new HybridSplitSource(hotSplits(transaction, session, handle), cold, coldSplitFilter, promotedFieldIds);
    }

    /**
     * Iceberg's split source over the pinned snapshot, as {@code IcebergSplitManager} builds it,
     * with the scan's file plan taken from {@link ColdScanPlans} where the scan's filter is the
     * same every time: not under dynamic filters (their values differ from query to query) nor
     * for table procedures, which go to Iceberg's split manager unchanged. The connector never
     * starts Iceberg's incremental refresh of its own materialized views, the one other case
     * where Iceberg plans a different scan.
     */
    private ConnectorSplitSource coldSplits(ConnectorTransactionHandle transaction, ConnectorSession session, IcebergTableHandle handle, DynamicFilter dynamicFilter, Constraint constraint)
    {
        if (handle.getSnapshotId().isEmpty() || handle.isRecordScannedFiles()) {
            return iceberg.getSplits(transaction, session, handle, dynamicFilter, constraint);
        }
        // a join's dynamic filter differs from one query to the next: such a plan is not kept
        ColdScanPlans plans = dynamicFilter.getColumnsCovered().isEmpty() ? coldScanPlans : ColdScanPlans.NONE;
        Table table = transactions.get(transaction, session).icebergTable(session, handle.getSchemaTableName());
        long snapshotId = handle.getSnapshotId().get();
        InMemoryMetricsReporter metricsReporter = new InMemoryMetricsReporter();
        TableScan scan = table.newScan()
                .useSnapshot(snapshotId)
                .planWith(planningExecutor)
                .metricsReporter(metricsReporter);
        IcebergSplitSource splitSource = new IcebergSplitSource(
                fileSystemFactory,
                session,
                handle,
                table,
                plans.cachingScan(scan, table, snapshotId),
                handle.getMaxScannedFileSize(),
                dynamicFilter,
                getDynamicFilteringWaitTimeout(session),
                constraint,
                typeManager,
                false,
                getMinimumAssignedSplitWeight(session),
                cachingHostAddressProvider,
                metricsReporter,
                splitSourceExecutor);
        return new ClassLoaderSafeConnectorSplitSource(splitSource, IcebergSplitSource.class.getClassLoader());
    }

    /**
     * The splits of the view's state table, both tiers, for the one page source that merges them:
     * all but those whose key statistics exclude the query's filter.
     */
    private List<HybridSplit> stateSplits(ConnectorTransactionHandle transaction, ConnectorSession session, RollupTableHandle rollup)
    {
        ImmutableList.Builder<HybridSplit> splits = ImmutableList.builder();
        try (ConnectorSplitSource source = getSplits(transaction, session, rollup.filteredStateTable(), DynamicFilter.EMPTY, Constraint.alwaysTrue())) {
            while (!source.isFinished()) {
                for (ConnectorSplit split : getFutureValue(source.getNextBatch(1000)).getSplits()) {
                    splits.add((HybridSplit) split);
                }
            }
        }
        return splits.build();
    }

    private List<IcebergSplit> hotSplits(ConnectorTransactionHandle transaction, ConnectorSession session, IcebergTableHandle handle)
    {
        HybridMetadata metadata = transactions.get(transaction, session);
        Optional<HotTierPin> pin = metadata.hotTierPin(session, handle);
        if (pin.isEmpty()) {
            return ImmutableList.of();
        }
        List<Segment> segments = metadata.visibleSegments(pin.get());
        if (segments.isEmpty()) {
            return ImmutableList.of();
        }
        Map<String, String> fileIoProperties = metadata.icebergTable(session, handle.getSchemaTableName()).io().properties();
        return hotSegmentSplits.splits(handle, segments, fileIoProperties,
                path -> cachingHostAddressProvider.getHosts(path, ImmutableList.of()),
                path -> getModificationTime(path, fileSystemFactory.create(session.getIdentity(), fileIoProperties)));
    }

    @Override
    public ConnectorSplitSource getSplits(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorTableFunctionHandle function)
    {
        if (function instanceof WarmCacheFunctionHandle warmCache) {
            WarmCacheFiles.Selection selection = warmCacheFiles.select(session, warmCache.table(), warmCache.filter());
            return new FixedSplitSource(selection.files().stream()
                    .map(file -> new WarmCacheSplit(file.path(), file.length(), selection.fileIoProperties(), cachingHostAddressProvider.getHosts(file.path(), ImmutableList.of())))
                    .toList());
        }
        // Iceberg's table functions read their own splits
        return iceberg.getSplits(transaction, session, function);
    }
}
