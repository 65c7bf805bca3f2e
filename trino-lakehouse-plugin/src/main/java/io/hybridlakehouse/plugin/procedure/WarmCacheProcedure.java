package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.cache.WarmCacheFiles;
import io.trino.spi.TrinoException;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.procedure.Procedure;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CONFIGURATION_ERROR;
import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.schemaTableName;
import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.tableNotFound;
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

    private final WarmCacheFiles files;
    private final CacheWarmer warmer;

    @Inject
    public WarmCacheProcedure(WarmCacheFiles files, CacheWarmer warmer)
    {
        this.files = requireNonNull(files, "files is null");
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
            warmer.checkCacheEnabled("warm_cache");
            WarmCacheFiles.Selection selection = files.select(session, name, Optional.ofNullable(filter));
            List<String> paths = selection.files().stream().map(WarmCacheFiles.File::path).toList();
            long bytes = warmer.warm(session.getIdentity(), selection.fileIoProperties(), paths);
            log.info("Warmed the cache with %s files (%s bytes) of %s", paths.size(), bytes, name);
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
        catch (IOException e) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Warming the cache failed: " + e.getMessage(), e);
        }
    }
}
