package io.hybridlakehouse.plugin.tiering;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestRetentionApplier
{
    @Test
    public void testPartitionStart()
    {
        Instant instant = Instant.parse("2026-11-25T13:45:12.345Z");
        assertThat(RetentionApplier.partitionStart("hour", instant)).isEqualTo(Instant.parse("2026-11-25T13:00:00Z"));
        assertThat(RetentionApplier.partitionStart("day", instant)).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThat(RetentionApplier.partitionStart("month", instant)).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(RetentionApplier.partitionStart("year", instant)).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThatThrownBy(() -> RetentionApplier.partitionStart("bucket[4]", instant)).hasMessageContaining("Not a time transform");
    }
}
