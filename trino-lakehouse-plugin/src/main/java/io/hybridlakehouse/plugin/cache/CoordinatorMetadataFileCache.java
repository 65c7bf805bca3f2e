package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import io.hybridlakehouse.cache.VerifiedAlluxioFileSystemCache;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoInput;
import io.trino.filesystem.TrinoInputFile;
import io.trino.filesystem.TrinoInputStream;
import io.trino.filesystem.cache.TrinoFileSystemCache;
import io.trino.filesystem.memory.MemoryFileSystemCache;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The local disk page cache for table data, and on the coordinator Trino's in-memory cache
 * ({@code iceberg.metadata-cache.enabled}, {@code fs.memory-cache.*}) for Iceberg's metadata
 * files. Trino's file system module uses its memory cache only when no other cache is
 * configured, so with the disk cache on, every query's table-metadata and manifest reads would
 * go to disk pages and their checksums, where the stock connector reads them from memory.
 */
public class CoordinatorMetadataFileCache
        implements TrinoFileSystemCache
{
    private final TrinoFileSystemCache pages;
    private final Optional<MemoryFileSystemCache> memory;

    @Inject
    public CoordinatorMetadataFileCache(VerifiedAlluxioFileSystemCache pages, Optional<MemoryFileSystemCache> memory)
    {
        this.pages = requireNonNull(pages, "pages is null");
        this.memory = requireNonNull(memory, "memory is null");
    }

    @Override
    public TrinoInput cacheInput(TrinoInputFile delegate, String key)
            throws IOException
    {
        return cacheFor(delegate).cacheInput(delegate, key);
    }

    @Override
    public TrinoInputStream cacheStream(TrinoInputFile delegate, String key)
            throws IOException
    {
        return cacheFor(delegate).cacheStream(delegate, key);
    }

    @Override
    public long cacheLength(TrinoInputFile delegate, String key)
            throws IOException
    {
        return cacheFor(delegate).cacheLength(delegate, key);
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

    private TrinoFileSystemCache cacheFor(TrinoInputFile file)
    {
        if (memory.isPresent() && TableCachePolicies.isTableMetadata(file.location().toString())) {
            return memory.get();
        }
        return pages;
    }
}
