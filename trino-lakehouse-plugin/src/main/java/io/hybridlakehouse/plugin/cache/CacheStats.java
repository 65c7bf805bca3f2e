package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import io.trino.filesystem.alluxio.AlluxioCacheStats;
import org.weakref.jmx.Managed;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cache numbers of this node, Trino's own (reads served from cache or storage) plus what
 * Trino lacks: the hit rate, reads that bypassed the cache by policy, and warming progress.
 * Exported over JMX and shown in {@code system.cache_stats}.
 */
public class CacheStats
{
    private final Optional<AlluxioCacheStats> alluxio;
    private final AtomicLong bypassedFiles = new AtomicLong();
    private final AtomicLong warmedFiles = new AtomicLong();
    private final AtomicLong warmedBytes = new AtomicLong();

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
