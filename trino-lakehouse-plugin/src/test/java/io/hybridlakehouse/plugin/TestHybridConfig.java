package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableMap;
import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;

public class TestHybridConfig
{
    @Test
    public void testDefaults()
    {
        assertRecordedDefaults(recordDefaults(HybridConfig.class)
                .setWarehouse(null)
                .setMetastoreUrl(null)
                .setMetastoreUser(null)
                .setMetastorePassword(null)
                .setCompactionSegmentThreshold(10)
                .setDimensionMaxRows(1_000_000)
                .setViewBuildLease(new Duration(2, MINUTES))
                .setColdPlanCacheMaxFiles(20_000));
    }

    @Test
    public void testExplicitPropertyMappings()
    {
        Map<String, String> properties = ImmutableMap.<String, String>builder()
                .put("hybrid.warehouse", "s3://bucket/lakehouse")
                .put("hybrid.metastore.url", "jdbc:postgresql://db:5432/lakehouse")
                .put("hybrid.metastore.user", "lakehouse")
                .put("hybrid.metastore.password", "secret")
                .put("hybrid.compaction.segment-threshold", "25")
                .put("hybrid.materialized-views.dimension-max-rows", "5000")
                .put("hybrid.materialized-views.build-lease", "30s")
                .put("hybrid.cold-plan-cache.max-files", "500")
                .buildOrThrow();

        HybridConfig expected = new HybridConfig()
                .setWarehouse("s3://bucket/lakehouse")
                .setMetastoreUrl("jdbc:postgresql://db:5432/lakehouse")
                .setMetastoreUser("lakehouse")
                .setMetastorePassword("secret")
                .setCompactionSegmentThreshold(25)
                .setDimensionMaxRows(5000)
                .setViewBuildLease(new Duration(30, SECONDS))
                .setColdPlanCacheMaxFiles(500);

        assertFullMapping(properties, expected);
    }
}
