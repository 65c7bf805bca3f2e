package io.hybridlakehouse.plugin.segment;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the background service needs to know of one table's segment rows to tell whether it has
 * work there: when its oldest active segment was created (tiering), and when its earliest
 * dropped segment not yet purged was dropped (file clean-up).
 */
public record SegmentActivity(Optional<Instant> oldestActiveSegmentCreated, Optional<Instant> earliestUnpurgedDrop)
{
    public static final SegmentActivity NONE = new SegmentActivity(Optional.empty(), Optional.empty());

    public SegmentActivity
    {
        requireNonNull(oldestActiveSegmentCreated, "oldestActiveSegmentCreated is null");
        requireNonNull(earliestUnpurgedDrop, "earliestUnpurgedDrop is null");
    }
}
