package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.cache.VerifiedAlluxioFileSystemCache;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoInput;
import io.trino.filesystem.TrinoInputFile;
import io.trino.filesystem.TrinoInputStream;
import io.trino.filesystem.cache.TrinoFileSystemCache;
import io.trino.filesystem.memory.MemoryFileSystemCache;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The local disk page cache for table data and, on the coordinator, Trino's in-memory cache
 * ({@code iceberg.metadata-cache.enabled}, {@code fs.memory-cache.*}) in front of it. Trino's
 * file system module uses its memory cache only when no other cache is configured: without a
 * disk cache, a coordinator that also runs splits (a single node) keeps every file of up to
 * {@code fs.memory-cache.max-content-length} in memory, table data included, and with ours on it
 * would read them all from disk pages and verify their checksums in every query instead.
 * <p>
 * Iceberg's metadata files are kept in memory only, as without a disk cache. A small data file
 * is loaded into memory through the disk cache, so the pages are filled (and verified) as
 * before and survive a restart; larger files go to the disk cache alone. With
 * {@code hybrid.cache.coordinator-memory.enabled=false} data files skip the memory.
 */
public class CoordinatorMemoryFileCache
        implements TrinoFileSystemCache
{
    private final TrinoFileSystemCache pages;
    private final Optional<MemoryFileSystemCache> memory;
    private final boolean dataInMemory;
    private final CacheStats stats;

    @Inject
    public CoordinatorMemoryFileCache(VerifiedAlluxioFileSystemCache pages, Optional<MemoryFileSystemCache> memory, HybridCacheConfig config, CacheStats stats)
    {
        this.pages = requireNonNull(pages, "pages is null");
        this.memory = requireNonNull(memory, "memory is null");
        this.dataInMemory = config.isCoordinatorMemory();
        this.stats = requireNonNull(stats, "stats is null");
    }

    @Override
    public TrinoInput cacheInput(TrinoInputFile delegate, String key)
            throws IOException
    {
        return read(delegate, key, TrinoFileSystemCache::cacheInput);
    }

    @Override
    public TrinoInputStream cacheStream(TrinoInputFile delegate, String key)
            throws IOException
    {
        return read(delegate, key, TrinoFileSystemCache::cacheStream);
    }

    private <T> T read(TrinoInputFile delegate, String key, CacheRead<T> read)
            throws IOException
    {
        if (memory.isEmpty()) {
            return read.from(pages, delegate, key);
        }
        if (TableCachePolicies.isTableMetadata(delegate.location().toString())) {
            return read.from(memory.get(), delegate, key);
        }
        if (dataInMemory) {
            PageCachedFile file = new PageCachedFile(delegate, key);
            T result = read.from(memory.get(), file, key);
            file.countMemoryHit();
            return result;
        }
        return read.from(pages, delegate, key);
    }

    @Override
    public long cacheLength(TrinoInputFile delegate, String key)
            throws IOException
    {
        if (memory.isPresent() && TableCachePolicies.isTableMetadata(delegate.location().toString())) {
            return memory.get().cacheLength(delegate, key);
        }
        // the length alone is no reason to load a data file into memory
        return pages.cacheLength(delegate, key);
    }

    @Override
    public void expire(Location location)
            throws IOException
    {
        pages.expire(location);
        if (memory.isPresent()) {
            memory.get().expire(location);
        }
    }

    @Override
    public void expire(Collection<Location> locations)
            throws IOException
    {
        pages.expire(locations);
        if (memory.isPresent()) {
            memory.get().expire(locations);
        }
    }

    private interface CacheRead<T>
    {
        T from(TrinoFileSystemCache cache, TrinoInputFile file, String key)
                throws IOException;
    }

    /**
     * A data file as the memory cache sees it: its bytes come through the disk cache, which
     * the memory cache reads once, when it loads the file, and for every read of a file too
     * large to hold.
     */
    private final class PageCachedFile
            implements TrinoInputFile
    {
        private final TrinoInputFile file;
        private final String key;
        private boolean opened;

        private PageCachedFile(TrinoInputFile file, String key)
        {
            this.file = requireNonNull(file, "file is null");
            this.key = requireNonNull(key, "key is null");
        }

        /**
         * Counts the file as served from memory if the memory cache had it (loading a file or
         * reading one too large to hold opens it here).
         */
        void countMemoryHit()
        {
            if (!opened) {
                stats.recordMemoryHit();
            }
        }

        @Override
        public TrinoInput newInput()
                throws IOException
        {
            opened = true;
            return pages.cacheInput(file, key);
        }

        @Override
        public TrinoInputStream newStream()
                throws IOException
        {
            opened = true;
            return pages.cacheStream(file, key);
        }

        @Override
        public long length()
                throws IOException
        {
            opened = true;
            return pages.cacheLength(file, key);
        }

        @Override
        public Instant lastModified()
                throws IOException
        {
            return file.lastModified();
        }

        @Override
        public boolean exists()
                throws IOException
        {
            return file.exists();
        }

        @Override
        public Location location()
        {
            return file.location();
        }
    }
}
