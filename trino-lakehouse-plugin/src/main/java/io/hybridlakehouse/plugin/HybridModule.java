package io.hybridlakehouse.plugin;

import com.google.inject.Binder;
import com.google.inject.Scopes;
import io.airlift.configuration.AbstractConfigurationAwareModule;
import io.hybridlakehouse.cache.CacheAdmission;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.cache.PageCacheObserver;
import io.hybridlakehouse.plugin.cache.CacheStats;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.cache.TableCachePolicies;
import io.hybridlakehouse.plugin.cache.TablePolicyCacheKeyProvider;
import io.hybridlakehouse.plugin.cache.WarmCacheFiles;
import io.hybridlakehouse.plugin.function.WarmCacheProcessorProvider;
import io.hybridlakehouse.plugin.function.WarmCacheTableFunctionProvider;
import io.hybridlakehouse.plugin.metadata.HybridMetadataFactory;
import io.hybridlakehouse.plugin.metadata.HybridTransactionManager;
import io.hybridlakehouse.plugin.metastore.MetastoreConnectionPool;
import io.hybridlakehouse.plugin.mv.ViewBuildLeases;
import io.hybridlakehouse.plugin.mv.ViewBuildRecovery;
import io.hybridlakehouse.plugin.mv.ViewMaintenance;
import io.hybridlakehouse.plugin.mv.ViewStateFolding;
import io.hybridlakehouse.plugin.procedure.ApplyRetentionProcedure;
import io.hybridlakehouse.plugin.procedure.CompactSegmentsProcedure;
import io.hybridlakehouse.plugin.procedure.HotTierTableProcedures;
import io.hybridlakehouse.plugin.procedure.ProcedureTables;
import io.hybridlakehouse.plugin.procedure.TierTableProcedure;
import io.hybridlakehouse.plugin.procedure.CheckedIcebergProcedures;
import io.hybridlakehouse.plugin.procedure.WarmCacheProcedure;
import io.hybridlakehouse.plugin.rewrite.RewriteStats;
import io.hybridlakehouse.plugin.segment.AutoCompaction;
import io.hybridlakehouse.plugin.segment.DataFileReader;
import io.hybridlakehouse.plugin.segment.JdbcSegmentStore;
import io.hybridlakehouse.plugin.segment.SegmentCompactor;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HybridPageSourceProviderFactory;
import io.hybridlakehouse.plugin.split.ColdScanPlans;
import io.hybridlakehouse.plugin.split.HybridSplitManager;
import io.hybridlakehouse.plugin.statistics.ColdTableStatistics;
import io.hybridlakehouse.plugin.statistics.TierSketches;
import io.hybridlakehouse.plugin.system.CacheStatsTable;
import io.hybridlakehouse.plugin.system.MaterializedViewRewritesTable;
import io.hybridlakehouse.plugin.system.TieringStatusTable;
import io.hybridlakehouse.plugin.tiering.BackgroundSession;
import io.hybridlakehouse.plugin.tiering.ColdFileCompactor;
import io.hybridlakehouse.plugin.tiering.OrphanFileSweeper;
import io.hybridlakehouse.plugin.tiering.RetiredStateTableDropper;
import io.hybridlakehouse.plugin.tiering.RetentionApplier;
import io.hybridlakehouse.plugin.tiering.RowChangesInProgress;
import io.hybridlakehouse.plugin.tiering.SegmentTierer;
import io.hybridlakehouse.plugin.tiering.TieringConfig;
import io.hybridlakehouse.plugin.tiering.TieringService;
import io.trino.plugin.base.session.SessionPropertiesProvider;
import io.trino.plugin.iceberg.cache.IcebergCacheKeyProvider;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.function.table.ConnectorTableFunction;
import io.trino.spi.procedure.Procedure;

import static com.google.inject.multibindings.Multibinder.newSetBinder;
import static io.airlift.configuration.ConfigBinder.configBinder;
import static org.weakref.jmx.guice.ExportBinder.newExporter;

public class HybridModule
        extends AbstractConfigurationAwareModule
{
    @Override
    protected void setup(Binder binder)
    {
        configBinder(binder).bindConfig(HybridConfig.class);
        configBinder(binder).bindConfig(TieringConfig.class);
        configBinder(binder).bindConfig(HybridCacheConfig.class);
        binder.bind(HybridConnector.class).in(Scopes.SINGLETON);
        binder.bind(MetastoreConnectionPool.class).in(Scopes.SINGLETON);
        binder.bind(SegmentStore.class).to(JdbcSegmentStore.class).in(Scopes.SINGLETON);
        binder.bind(HybridTransactionManager.class).in(Scopes.SINGLETON);
        binder.bind(HybridSplitManager.class).in(Scopes.SINGLETON);
        binder.bind(ColdScanPlans.class).in(Scopes.SINGLETON);
        binder.bind(HybridPageSourceProviderFactory.class).in(Scopes.SINGLETON);
        binder.bind(SegmentTierer.class).in(Scopes.SINGLETON);
        binder.bind(ColdFileCompactor.class).in(Scopes.SINGLETON);
        binder.bind(RowChangesInProgress.class).in(Scopes.SINGLETON);
        binder.bind(OrphanFileSweeper.class).in(Scopes.SINGLETON);
        binder.bind(RetiredStateTableDropper.class).in(Scopes.SINGLETON);
        binder.bind(DataFileReader.class).in(Scopes.SINGLETON);
        binder.bind(SegmentCompactor.class).in(Scopes.SINGLETON);
        binder.bind(ViewMaintenance.class).in(Scopes.SINGLETON);
        binder.bind(ViewBuildLeases.class).in(Scopes.SINGLETON);
        binder.bind(ViewBuildRecovery.class).asEagerSingleton();
        binder.bind(ViewStateFolding.class).in(Scopes.SINGLETON);
        binder.bind(AutoCompaction.class).in(Scopes.SINGLETON);
        binder.bind(HybridMetadataFactory.class).in(Scopes.SINGLETON);
        binder.bind(TierSketches.class).in(Scopes.SINGLETON);
        binder.bind(ColdTableStatistics.class).in(Scopes.SINGLETON);
        binder.bind(BackgroundSession.class).in(Scopes.SINGLETON);
        binder.bind(RetentionApplier.class).in(Scopes.SINGLETON);
        binder.bind(TieringService.class).in(Scopes.SINGLETON);
        newSetBinder(binder, SystemTable.class).addBinding().to(TieringStatusTable.class).in(Scopes.SINGLETON);
        binder.bind(RewriteStats.class).in(Scopes.SINGLETON);
        newExporter(binder).export(RewriteStats.class).withGeneratedName();
        newSetBinder(binder, SystemTable.class).addBinding().to(MaterializedViewRewritesTable.class).in(Scopes.SINGLETON);

        // the cache: Iceberg's key provider class is bound to ours, which applies table policies and admission
        binder.bind(CacheAdmission.class).in(Scopes.SINGLETON);
        binder.bind(TableCachePolicies.class).in(Scopes.SINGLETON);
        newExporter(binder).export(TableCachePolicies.class).withGeneratedName();
        binder.bind(CacheStats.class).in(Scopes.SINGLETON);
        binder.bind(CacheWarmer.class).in(Scopes.SINGLETON);
        newExporter(binder).export(CacheStats.class).withGeneratedName();
        binder.bind(IcebergCacheKeyProvider.class).to(TablePolicyCacheKeyProvider.class).in(Scopes.SINGLETON);
        newSetBinder(binder, SystemTable.class).addBinding().to(CacheStatsTable.class).in(Scopes.SINGLETON);

        // Iceberg's connector collects these sets too, so our procedures and session properties sit beside its own
        newSetBinder(binder, SessionPropertiesProvider.class).addBinding().to(HybridSessionProperties.class).in(Scopes.SINGLETON);
        newSetBinder(binder, Procedure.class).addBinding().toProvider(TierTableProcedure.class).in(Scopes.SINGLETON);
        binder.bind(HotTierTableProcedures.class).in(Scopes.SINGLETON);
        binder.bind(ProcedureTables.class).in(Scopes.SINGLETON);
        binder.bind(CheckedIcebergProcedures.class).in(Scopes.SINGLETON);
        binder.bind(WarmCacheFiles.class).in(Scopes.SINGLETON);
        binder.bind(PageCacheObserver.class).to(CacheStats.class);
        binder.bind(WarmCacheProcessorProvider.class).in(Scopes.SINGLETON);
        newSetBinder(binder, ConnectorTableFunction.class).addBinding().toProvider(WarmCacheTableFunctionProvider.class).in(Scopes.SINGLETON);
        newSetBinder(binder, Procedure.class).addBinding().toProvider(CompactSegmentsProcedure.class).in(Scopes.SINGLETON);
        newSetBinder(binder, Procedure.class).addBinding().toProvider(ApplyRetentionProcedure.class).in(Scopes.SINGLETON);
        newSetBinder(binder, Procedure.class).addBinding().toProvider(WarmCacheProcedure.class).in(Scopes.SINGLETON);
    }
}
