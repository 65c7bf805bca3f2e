package io.hybridlakehouse.cache;

import alluxio.client.file.CacheContext;
import alluxio.client.file.URIStatus;
import alluxio.client.file.cache.CacheManager;
import alluxio.conf.AlluxioConfiguration;
import alluxio.wire.FileInfo;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.opentelemetry.api.trace.Tracer;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoInput;
import io.trino.filesystem.TrinoInputFile;
import io.trino.filesystem.TrinoInputStream;
import io.trino.filesystem.alluxio.AlluxioCacheStats;
import io.trino.filesystem.alluxio.AlluxioConfigurationFactory;
import io.trino.filesystem.alluxio.AlluxioFileSystemCacheConfig;
import io.trino.filesystem.alluxio.AlluxioInput;
import io.trino.filesystem.alluxio.AlluxioInputStream;
import io.trino.filesystem.alluxio.TracingCacheManager;
import io.trino.filesystem.cache.TrinoFileSystemCache;
import jakarta.annotation.PreDestroy;

import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Trino's Alluxio page cache ({@code trino-filesystem-cache-alluxio}: its configuration,
 * inputs, statistics and tracing) with every page checksummed, see {@link ChecksummedPages}.
 * It takes the place of Trino's {@code AlluxioFileSystemCache}, which builds its page cache
 * internally and so cannot be given a verifying one.
 */
public class VerifiedAlluxioFileSystemCache
        implements TrinoFileSystemCache
{
    private static final Logger log = Logger.get(VerifiedAlluxioFileSystemCache.class);

    private final Tracer tracer;
    private final AlluxioConfiguration config;
    private final long pageSize;
    private final CacheManager cacheManager;
    private final AlluxioCacheStats statistics;
    private final PageCacheObserver observer;
    private final HashFunction hashFunction = Hashing.murmur3_128();
    private final ThreadLocal<byte[]> scratch;
    private final AtomicBoolean corruptionLogged = new AtomicBoolean();

    @Inject
    public VerifiedAlluxioFileSystemCache(Tracer tracer, AlluxioFileSystemCacheConfig config, AlluxioCacheStats statistics, PageCacheObserver observer)
            throws IOException
    {
        this.tracer = requireNonNull(tracer, "tracer is null");
        this.config = AlluxioConfigurationFactory.create(requireNonNull(config, "config is null"));
        this.pageSize = config.getCachePageSize().toBytes();
        this.cacheManager = CacheManager.Factory.create(this.config);
        this.statistics = requireNonNull(statistics, "statistics is null");
        this.observer = requireNonNull(observer, "observer is null");
        observer.pageCacheStarted(cacheManager::getUsage);
        this.scratch = ThreadLocal.withInitial(() -> new byte[ChecksummedPages.storedLength(pageSize, ChecksummedPages.CHUNK_BYTES)]);
    }

    @Override
    public TrinoInput cacheInput(TrinoInputFile delegate, String key)
            throws IOException
    {
        URIStatus status = uriStatus(delegate, key);
        return new AlluxioInput(tracer, delegate, key, status, pages(key, status), config, statistics);
    }

    @Override
    public TrinoInputStream cacheStream(TrinoInputFile delegate, String key)
            throws IOException
    {
        URIStatus status = uriStatus(delegate, key);
        return new AlluxioInputStream(tracer, delegate, key, status, pages(key, status), config, statistics);
    }

    @Override
    public long cacheLength(TrinoInputFile delegate, String key)
            throws IOException
    {
        return delegate.length();
    }

    @Override
    public void expire(Location source)
    {
        // keys carry the file's version: a changed file is a new key, old pages age out
    }

    @Override
    public void expire(Collection<Location> locations)
    {
    }

    @PreDestroy
    public void shutdown()
            throws Exception
    {
        cacheManager.close();
    }

    private CacheManager pages(String key, URIStatus status)
    {
        return new TracingCacheManager(tracer, key, io.airlift.units.DataSize.ofBytes(pageSize),
                new ChecksummedPages(cacheManager, status.getLength(), pageSize, ChecksummedPages.CHUNK_BYTES, scratch, () -> recordCorruptPage(status.getPath())));
    }

    private void recordCorruptPage(String path)
    {
        observer.corruptPage(path);
        if (corruptionLogged.compareAndSet(false, true)) {
            log.warn("A cached page of %s failed its checksum; it was dropped and read from storage. Later corrupt pages are counted in system.cache_stats (corrupt_pages) without a log line", path);
        }
    }

    private URIStatus uriStatus(TrinoInputFile file, String key)
            throws IOException
    {
        FileInfo info = new FileInfo()
                .setPath(file.location().toString())
                .setLength(file.length());
        return new URIStatus(info, CacheContext.defaults().setCacheIdentifier(hashFunction.hashString(ChecksummedPages.LAYOUT + "|" + key, UTF_8).toString()));
    }
}
