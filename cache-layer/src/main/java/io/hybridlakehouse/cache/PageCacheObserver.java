package io.hybridlakehouse.cache;

import alluxio.client.file.cache.CacheUsage;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the connector's statistics learn from the page cache: its space, and pages that failed their checksum.
 */
public interface PageCacheObserver
{
    void pageCacheStarted(Supplier<Optional<CacheUsage>> usage);

    void corruptPage(String path);
}
