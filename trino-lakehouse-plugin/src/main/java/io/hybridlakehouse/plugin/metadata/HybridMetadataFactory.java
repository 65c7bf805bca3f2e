package io.hybridlakehouse.plugin.metadata;

import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.mv.ViewBuildLeases;
import io.hybridlakehouse.plugin.mv.ViewMaintenance;
import io.hybridlakehouse.plugin.procedure.HotTierTableProcedures;
import io.hybridlakehouse.plugin.rewrite.RewriteStats;
import io.hybridlakehouse.plugin.segment.AutoCompaction;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.statistics.ColdTableStatistics;
import io.hybridlakehouse.plugin.statistics.TierSketches;
import io.hybridlakehouse.plugin.tiering.OrphanFileSweeper;
import io.hybridlakehouse.plugin.tiering.RowChangesInProgress;
import io.hybridlakehouse.plugin.tiering.SegmentTierer;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergMetadata;
import io.trino.spi.catalog.CatalogName;
import io.trino.spi.type.TypeManager;

import static java.util.Objects.requireNonNull;

public class HybridMetadataFactory
{
    private final SegmentStore segmentStore;
    private final JsonCodec<CommitTaskData> commitTaskCodec;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final AutoCompaction autoCompaction;
    private final SegmentTierer tierer;
    private final TypeManager typeManager;
    private final CacheWarmer cacheWarmer;
    private final OrphanFileSweeper orphanFileSweeper;
    private final ViewMaintenance viewMaintenance;
    private final ViewBuildLeases viewBuildLeases;
    private final RewriteStats rewriteStats;
    private final CatalogName catalogName;
    private final TierSketches tierSketches;
    private final ColdTableStatistics coldStatistics;
    private final HotTierTableProcedures tableProcedures;
    private final RowChangesInProgress rowChanges;

    @Inject
    public HybridMetadataFactory(
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
            CatalogName catalogName,
            TierSketches tierSketches,
            ColdTableStatistics coldStatistics,
            HotTierTableProcedures tableProcedures,
            RowChangesInProgress rowChanges)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.autoCompaction = requireNonNull(autoCompaction, "autoCompaction is null");
        this.tierer = requireNonNull(tierer, "tierer is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.cacheWarmer = requireNonNull(cacheWarmer, "cacheWarmer is null");
        this.orphanFileSweeper = requireNonNull(orphanFileSweeper, "orphanFileSweeper is null");
        this.viewMaintenance = requireNonNull(viewMaintenance, "viewMaintenance is null");
        this.viewBuildLeases = requireNonNull(viewBuildLeases, "viewBuildLeases is null");
        this.rewriteStats = requireNonNull(rewriteStats, "rewriteStats is null");
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
        this.tierSketches = requireNonNull(tierSketches, "tierSketches is null");
        this.coldStatistics = requireNonNull(coldStatistics, "coldStatistics is null");
        this.tableProcedures = requireNonNull(tableProcedures, "tableProcedures is null");
        this.rowChanges = requireNonNull(rowChanges, "rowChanges is null");
    }

    public HybridMetadata create(IcebergMetadata iceberg)
    {
        return new HybridMetadata(iceberg, segmentStore, commitTaskCodec, fileSystemFactory, autoCompaction, tierer, typeManager, cacheWarmer, orphanFileSweeper, viewMaintenance, viewBuildLeases, rewriteStats, tierSketches, coldStatistics, tableProcedures, rowChanges, catalogName.toString());
    }
}
