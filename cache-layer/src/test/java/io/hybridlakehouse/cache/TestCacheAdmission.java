package io.hybridlakehouse.cache;

import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static org.assertj.core.api.Assertions.assertThat;

public class TestCacheAdmission
{
    private final CacheAdmission admission = new CacheAdmission(new HybridCacheConfig()
            .setHotAge(new Duration(1, HOURS))
            .setAdmissionMaxAge(new Duration(7, DAYS)));
    private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    public void testPolicies()
    {
        Instant fresh = now.minusSeconds(60);
        Instant day = now.minusSeconds(86_400);
        Instant month = now.minusSeconds(30 * 86_400L);

        assertThat(admission.cacheKey("/t/data/a.parquet", fresh, CachePolicy.NONE, true, now)).isEmpty();
        assertThat(admission.cacheKey("/t/data/a.parquet", fresh, CachePolicy.HOT, false, now)).isPresent();
        assertThat(admission.cacheKey("/t/data/a.parquet", day, CachePolicy.HOT, false, now)).isEmpty();
        // an old file of one of the newest partitions is hot
        assertThat(admission.cacheKey("/t/data/a.parquet", month, CachePolicy.HOT, true, now)).isPresent();
        assertThat(admission.cacheKey("/t/data/a.parquet", day, CachePolicy.ALL, false, now)).isPresent();
        // a scan of old partitions bypasses the cache
        assertThat(admission.cacheKey("/t/data/a.parquet", month, CachePolicy.ALL, false, now)).isEmpty();
    }

    @Test
    public void testKeyCarriesVersion()
    {
        Optional<String> first = admission.cacheKey("/t/data/a.parquet", now.minusSeconds(10), CachePolicy.ALL, false, now);
        Optional<String> rewritten = admission.cacheKey("/t/data/a.parquet", now.minusSeconds(5), CachePolicy.ALL, false, now);
        assertThat(first).isPresent();
        assertThat(rewritten).isPresent();
        assertThat(first).isNotEqualTo(rewritten);
    }
}
