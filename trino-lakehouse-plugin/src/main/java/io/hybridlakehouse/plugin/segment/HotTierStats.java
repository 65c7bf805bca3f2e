package io.hybridlakehouse.plugin.segment;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Totals of a table's active hot segments.
 */
public record HotTierStats(long segments, long rows, long bytes, Optional<Instant> oldestSegmentCreated)
{
    public static final HotTierStats NONE = new HotTierStats(0, 0, 0, Optional.empty());

    public HotTierStats
    {
        requireNonNull(oldestSegmentCreated, "oldestSegmentCreated is null");
    }
}
