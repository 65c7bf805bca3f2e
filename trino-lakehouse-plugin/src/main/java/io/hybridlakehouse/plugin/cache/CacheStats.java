package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import alluxio.client.file.cache.CacheUsage;
import alluxio.metrics.MetricKey;
import alluxio.metrics.MetricsSystem;
import io.hybridlakehouse.cache.PageCacheObserver;
import io.trino.filesystem.alluxio.AlluxioCacheStats;
import org.weakref.jmx.Managed;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Cache numbers of this node, Trino's own (reads served from cache or storage) plus what
 * Trino lacks: the hit rate, reads that bypassed the cache by policy, and warming progress.
 * Exported over JMX and shown in {@code system.cache_stats}.
 */
public class CacheStats
        implements PageCacheObserver
{
    private final Optional<AlluxioCacheStats> alluxio;
    private final AtomicLong bypassedFiles = new AtomicLong();
    private final AtomicLong warmedFiles = new AtomicLong();
    private final AtomicLong warmedBytes = new AtomicLong();
    private final AtomicLong corruptPages = new AtomicLong();
    private final AtomicLong memoryHits = new AtomicLong();
    private volatile Supplier<Optional<CacheUsage>> usage = Optional::empty;

    @Inject
    public CacheStats(Injector injector)
    {
        this.alluxio = Optional.ofNullable(injector.getExistingBinding(Key.get(AlluxioCacheStats.class)))
                .map(binding -> binding.getProvider().get());
    }

    public boolean isEnabled()
    {
        return alluxio.isPresent();
    }

    @Managed
    public long getCacheReads()
    {
        return alluxio.map(stats -> (long) stats.getCacheReads().getAllTime().getCount()).orElse(0L);
    }

    @Managed
    public long getCacheReadBytes()
    {
        return alluxio.map(stats -> (long) stats.getCacheReads().getAllTime().getTotal()).orElse(0L);
    }

    @Managed
    public long getExternalReads()
    {
        return alluxio.map(stats -> (long) stats.getExternalReads().getAllTime().getCount()).orElse(0L);
    }

    @Managed
    public long getExternalReadBytes()
    {
        return alluxio.map(stats -> (long) stats.getExternalReads().getAllTime().getTotal()).orElse(0L);
    }

    /**
     * Share of bytes read from the cache rather than from storage.
     */
    @Managed
    public double getHitRate()
    {
        long cached = getCacheReadBytes();
        long total = cached + getExternalReadBytes();
        return total == 0 ? 0 : (double) cached / total;
    }

    @Managed
    public long getBypassedFiles()
    {
        return bypassedFiles.get();
    }

    @Managed
    public long getWarmedFiles()
    {
        return warmedFiles.get();
    }

    @Managed
    public long getWarmedBytes()
    {
        return warmedBytes.get();
    }

    @Managed
    public long getUsedBytes()
    {
        return usage.get().map(CacheUsage::used).orElse(0L);
    }

    @Managed
    public long getCapacityBytes()
    {
        return usage.get().map(CacheUsage::capacity).orElse(0L);
    }

    /**
     * Pages evicted from the page caches of this JVM (Alluxio keeps the count per process).
     */
    @Managed
    public long getEvictedPages()
    {
        return isEnabled() ? MetricsSystem.meter(MetricKey.CLIENT_CACHE_PAGES_EVICTED.getName()).getCount() : 0;
    }

    @Managed
    public long getEvictedBytes()
    {
        return isEnabled() ? MetricsSystem.meter(MetricKey.CLIENT_CACHE_BYTES_EVICTED.getName()).getCount() : 0;
    }

    @Override
    public void pageCacheStarted(Supplier<Optional<CacheUsage>> usage)
    {
        this.usage = requireNonNull(usage, "usage is null");
    }

    @Managed
    public long getCorruptPages()
    {
        return corruptPages.get();
    }

    @Override
    public void corruptPage(String path)
    {
        corruptPages.incrementAndGet();
    }

    /**
     * Data files opened from the coordinator's memory, which the page cache neither sees nor counts.
     */
    @Managed
    public long getMemoryHits()
    {
        return memoryHits.get();
    }

    void recordMemoryHit()
    {
        memoryHits.incrementAndGet();
    }

    void recordBypass()
    {
        bypassedFiles.incrementAndGet();
    }

    public void recordWarmed(long bytes)
    {
        warmedFiles.incrementAndGet();
        warmedBytes.addAndGet(bytes);
    }
}
