package io.hybridlakehouse.cache;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The connector's cache settings. Storage of the cache itself is Trino's Alluxio page cache
 * ({@code fs.cache.*}, derived from these unless set explicitly); these add what stock Trino
 * lacks: a per-table policy and admission by file age, so one large scan of old data cannot
 * evict the working set.
 */
public class HybridCacheConfig
{
    private boolean enabled;
    private String directory;
    private int maxDiskUsagePercentage = 50;
    private CachePolicy defaultPolicy = CachePolicy.ALL;
    private Duration hotAge = new Duration(1, TimeUnit.DAYS);
    private Duration admissionMaxAge = new Duration(30, TimeUnit.DAYS);
    private int hotPartitions = 3;
    private boolean coordinatorMemory = true;

    public boolean isEnabled()
    {
        return enabled;
    }

    @Config("hybrid.cache.enabled")
    @ConfigDescription("Cache table files on local disk (Alluxio page cache)")
    public HybridCacheConfig setEnabled(boolean enabled)
    {
        this.enabled = enabled;
        return this;
    }

    public Optional<String> getDirectory()
    {
        return Optional.ofNullable(directory);
    }

    @Config("hybrid.cache.directory")
    @ConfigDescription("Local directory of the cache; default: a 'cache' directory beside the warehouse")
    public HybridCacheConfig setDirectory(String directory)
    {
        this.directory = directory;
        return this;
    }

    @Min(1)
    @Max(100)
    public int getMaxDiskUsagePercentage()
    {
        return maxDiskUsagePercentage;
    }

    @Config("hybrid.cache.max-disk-usage-percentage")
    @ConfigDescription("Share of the cache directory's disk the cache may fill")
    public HybridCacheConfig setMaxDiskUsagePercentage(int maxDiskUsagePercentage)
    {
        this.maxDiskUsagePercentage = maxDiskUsagePercentage;
        return this;
    }

    @NotNull
    public CachePolicy getDefaultPolicy()
    {
        return defaultPolicy;
    }

    @Config("hybrid.cache.default-policy")
    @ConfigDescription("Policy of tables without a cache property: NONE, HOT or ALL")
    public HybridCacheConfig setDefaultPolicy(CachePolicy defaultPolicy)
    {
        this.defaultPolicy = defaultPolicy;
        return this;
    }

    @NotNull
    public Duration getHotAge()
    {
        return hotAge;
    }

    @Config("hybrid.cache.hot-age")
    @ConfigDescription("Files written more recently than this count as hot (policy HOT)")
    public HybridCacheConfig setHotAge(Duration hotAge)
    {
        this.hotAge = hotAge;
        return this;
    }

    @NotNull
    public Duration getAdmissionMaxAge()
    {
        return admissionMaxAge;
    }

    @Config("hybrid.cache.admission.max-file-age")
    @ConfigDescription("Files older than this bypass the cache (policy ALL): scans of old partitions read storage and do not evict the working set")
    public HybridCacheConfig setAdmissionMaxAge(Duration admissionMaxAge)
    {
        this.admissionMaxAge = admissionMaxAge;
        return this;
    }

    @Min(0)
    public int getHotPartitions()
    {
        return hotPartitions;
    }

    @Config("hybrid.cache.hot-partitions")
    @ConfigDescription("Files of a table's newest partitions (by the value of its first partition field) count as hot (policy HOT)")
    public HybridCacheConfig setHotPartitions(int hotPartitions)
    {
        this.hotPartitions = hotPartitions;
        return this;
    }

    public boolean isCoordinatorMemory()
    {
        return coordinatorMemory;
    }

    @Config("hybrid.cache.coordinator-memory.enabled")
    @ConfigDescription("On a coordinator that also reads table data, serve files up to fs.memory-cache.max-content-length from memory in front of the disk cache, as Trino does on a coordinator without a disk cache")
    public HybridCacheConfig setCoordinatorMemory(boolean coordinatorMemory)
    {
        this.coordinatorMemory = coordinatorMemory;
        return this;
    }
}
