package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoFileSystem;
import io.trino.filesystem.TrinoInput;
import io.trino.filesystem.TrinoInputFile;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.security.ConnectorIdentity;
import jakarta.annotation.PreDestroy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CONFIGURATION_ERROR;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadExecutor;

/**
 * Reads files through the cache of this node so later scans find them on local disk: on
 * demand ({@code warm_cache}) and right after the connector writes a file (hot segments,
 * compaction output), so fresh data is cached before its first query. Files the table's
 * policy does not admit pass the cache untouched.
 */
public class CacheWarmer
{
    private static final Logger log = Logger.get(CacheWarmer.class);
    private static final int CHUNK = 1 << 20;

    private final IcebergFileSystemFactory fileSystemFactory;
    private final CacheStats stats;
    private final ExecutorService writeThrough = newSingleThreadExecutor(daemonThreadsNamed("hybrid-cache-write-through"));

    @Inject
    public CacheWarmer(IcebergFileSystemFactory fileSystemFactory, CacheStats stats)
    {
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.stats = requireNonNull(stats, "stats is null");
    }

    public boolean isCacheEnabled()
    {
        return stats.isEnabled();
    }

    /**
     * Fails an operation that only makes sense with the cache on, telling how to turn it on.
     */
    public void checkCacheEnabled(String operation)
    {
        if (!isCacheEnabled()) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "The cache of this catalog is off: set hybrid.cache.enabled=true in its catalog file to use " + operation);
        }
    }

    /**
     * Reads the files through the cache; returns the bytes read.
     */
    public long warm(ConnectorIdentity identity, Map<String, String> fileIoProperties, List<String> paths)
            throws IOException
    {
        TrinoFileSystem fileSystem = fileSystemFactory.create(identity, fileIoProperties);
        long bytes = 0;
        byte[] buffer = new byte[CHUNK];
        for (String path : paths) {
            TrinoInputFile inputFile = fileSystem.newInputFile(Location.of(path));
            long length = inputFile.length();
            try (TrinoInput input = inputFile.newInput()) {
                for (long position = 0; position < length; position += CHUNK) {
                    input.readFully(position, buffer, 0, (int) Math.min(CHUNK, length - position));
                }
            }
            bytes += length;
            stats.recordWarmed(length);
        }
        return bytes;
    }

    /**
     * Caches newly written files in the background; the write itself never waits for it.
     */
    public void writeThrough(ConnectorIdentity identity, List<String> paths)
    {
        if (!isCacheEnabled() || paths.isEmpty()) {
            return;
        }
        writeThrough.execute(() -> {
            try {
                warm(identity, Map.of(), paths);
            }
            catch (IOException | RuntimeException e) {
                // the files are read from storage on first use instead
                log.debug(e, "Write-through of %s files to the cache failed", paths.size());
            }
        });
    }

    @PreDestroy
    public void shutdown()
    {
        writeThrough.shutdownNow();
    }
}
