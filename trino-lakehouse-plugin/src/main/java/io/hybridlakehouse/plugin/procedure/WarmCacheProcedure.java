package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.procedure.Procedure;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CONFIGURATION_ERROR;
import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.schemaTableName;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.lang.invoke.MethodHandles.lookup;
import static java.util.Objects.requireNonNull;

/**
 * {@code CALL lakehouse.system.warm_cache('schema', 'table' [, 'filter'])}: reads the files of
 * the table (hot segments and the current Iceberg snapshot) that may hold rows matching the
 * optional filter through the cache of the node running the call, so the first query finds
 * them on local disk. Progress (files, bytes) shows in
 * {@code system.cache_stats} and the server log.
 */
public class WarmCacheProcedure
        implements Provider<Procedure>
{
    private static final Logger log = Logger.get(WarmCacheProcedure.class);
    private static final MethodHandle WARM_CACHE;

    static {
        try {
            WARM_CACHE = lookup().unreflect(WarmCacheProcedure.class.getMethod("warmCache", ConnectorSession.class, ConnectorAccessControl.class, String.class, String.class, String.class));
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final CacheWarmer warmer;
    private final HotSegmentSplits segments;

    @Inject
    public WarmCacheProcedure(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, CacheWarmer warmer, JsonCodec<CommitTaskData> commitTaskCodec)
    {
        this.segments = new HotSegmentSplits(commitTaskCodec);
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.warmer = requireNonNull(warmer, "warmer is null");
    }

    @Override
    public Procedure get()
    {
        return new Procedure(
                "system",
                "warm_cache",
                ImmutableList.of(
                        new Procedure.Argument("SCHEMA_NAME", VARCHAR),
                        new Procedure.Argument("TABLE_NAME", VARCHAR),
                        new Procedure.Argument("FILTER", VARCHAR, false, null)),
                WARM_CACHE.bindTo(this));
    }

    public void warmCache(ConnectorSession session, ConnectorAccessControl accessControl, String schema, String table, String filter)
    {
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(getClass().getClassLoader())) {
            SchemaTableName name = schemaTableName(schema, table);
            accessControl.checkCanSelectFromColumns(null, name, java.util.Set.of());
            if (!warmer.isCacheEnabled()) {
                throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "The cache of this catalog is off: set hybrid.cache.enabled=true in its catalog file to use warm_cache");
            }
            Table icebergTable = catalogFactory.create(session.getIdentity()).loadTable(session, name);
            Expression predicate = filter == null ? Expressions.alwaysTrue() : WarmCacheFilter.parse(filter, icebergTable.schema());
            List<String> files = new ArrayList<>();
            if (icebergTable.currentSnapshot() != null) {
                try (CloseableIterable<FileScanTask> tasks = icebergTable.newScan().filter(predicate).planFiles()) {
                    tasks.forEach(task -> files.add(task.file().location()));
                }
            }
            HotSegmentSplits.Pruner pruner = HotSegmentSplits.pruner(icebergTable.schema(), predicate);
            segmentStore.getTable(icebergTable.uuid().toString()).ifPresent(state ->
                    segmentStore.visibleSegments(state.tableUuid(), state.version(), HotTierPin.tieredThrough(icebergTable.properties())).stream()
                            .filter(segment -> pruner.mayMatch(segments.decode(segment)))
                            .map(Segment::path)
                            .forEach(files::add));

            long bytes = warmer.warm(session.getIdentity(), icebergTable.io().properties(), files);
            log.info("Warmed the cache with %s files (%s bytes) of %s", files.size(), bytes, name);
        }
        catch (IOException e) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Warming the cache failed: " + e.getMessage(), e);
        }
    }
}
