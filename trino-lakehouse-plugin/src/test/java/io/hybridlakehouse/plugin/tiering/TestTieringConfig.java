package io.hybridlakehouse.plugin.tiering;

import com.google.common.collect.ImmutableMap;
import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static io.airlift.units.DataSize.Unit.MEGABYTE;
import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;

public class TestTieringConfig
{
    @Test
    public void testDefaults()
    {
        assertRecordedDefaults(recordDefaults(TieringConfig.class)
                .setEnabled(true)
                .setInterval(new Duration(1, MINUTES))
                .setDefaultTierAfter(new Duration(1, HOURS))
                .setGracePeriod(new Duration(10, MINUTES))
                .setWriterMemory(DataSize.of(32, MEGABYTE))
                .setOrphanFileMinAge(new Duration(1, DAYS))
                .setOrphanFileSweepInterval(new Duration(6, HOURS))
                .setColdCompactionFileThreshold(10)
                .setColdCompactionTargetFileSize(DataSize.of(128, MEGABYTE)));
    }

    @Test
    public void testExplicitPropertyMappings()
    {
        Map<String, String> properties = ImmutableMap.<String, String>builder()
                .put("hybrid.tiering.enabled", "false")
                .put("hybrid.tiering.interval", "30s")
                .put("hybrid.tiering.default-tier-after", "15m")
                .put("hybrid.segments.grace-period", "2h")
                .put("hybrid.tiering.writer-memory", "8MB")
                .put("hybrid.orphan-files.min-age", "3d")
                .put("hybrid.orphan-files.sweep-interval", "1h")
                .put("hybrid.cold-compaction.file-threshold", "0")
                .put("hybrid.cold-compaction.target-file-size", "512MB")
                .buildOrThrow();

        assertFullMapping(properties, new TieringConfig()
                .setEnabled(false)
                .setInterval(new Duration(30, SECONDS))
                .setDefaultTierAfter(new Duration(15, MINUTES))
                .setGracePeriod(new Duration(2, HOURS))
                .setWriterMemory(DataSize.of(8, MEGABYTE))
                .setOrphanFileMinAge(new Duration(3, DAYS))
                .setOrphanFileSweepInterval(new Duration(1, HOURS))
                .setColdCompactionFileThreshold(0)
                .setColdCompactionTargetFileSize(DataSize.of(512, MEGABYTE)));
    }
}
