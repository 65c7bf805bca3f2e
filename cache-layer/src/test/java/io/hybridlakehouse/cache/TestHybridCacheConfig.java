package io.hybridlakehouse.cache;

import com.google.common.collect.ImmutableMap;
import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;

public class TestHybridCacheConfig
{
    @Test
    public void testDefaults()
    {
        assertRecordedDefaults(recordDefaults(HybridCacheConfig.class)
                .setEnabled(false)
                .setDirectory(null)
                .setMaxDiskUsagePercentage(50)
                .setDefaultPolicy(CachePolicy.ALL)
                .setHotAge(new Duration(1, DAYS))
                .setAdmissionMaxAge(new Duration(30, DAYS))
                .setHotPartitions(3)
                .setCoordinatorMemory(true));
    }

    @Test
    public void testExplicitPropertyMappings()
    {
        Map<String, String> properties = ImmutableMap.<String, String>builder()
                .put("hybrid.cache.enabled", "true")
                .put("hybrid.cache.directory", "/mnt/ssd/cache")
                .put("hybrid.cache.max-disk-usage-percentage", "80")
                .put("hybrid.cache.default-policy", "HOT")
                .put("hybrid.cache.hot-age", "6h")
                .put("hybrid.cache.admission.max-file-age", "7d")
                .put("hybrid.cache.hot-partitions", "7")
                .put("hybrid.cache.coordinator-memory.enabled", "false")
                .buildOrThrow();

        assertFullMapping(properties, new HybridCacheConfig()
                .setEnabled(true)
                .setDirectory("/mnt/ssd/cache")
                .setMaxDiskUsagePercentage(80)
                .setDefaultPolicy(CachePolicy.HOT)
                .setHotAge(new Duration(6, HOURS))
                .setAdmissionMaxAge(new Duration(7, DAYS))
                .setHotPartitions(7)
                .setCoordinatorMemory(false));
    }
}
