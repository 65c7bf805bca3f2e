package io.hybridlakehouse.plugin.segment;

import java.time.Instant;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * What of a table's hot-tier history is gone: segments dropped before {@code droppedBefore}
 * have been purged, the highest of them {@code maxSegmentId} (unknown for segments purged
 * before the metastore recorded it). A read as of an earlier time sees only segments above its
 * snapshot's hand-off mark, so it misses nothing if every purged segment is at or below it.
 */
public record PurgedHistory(Instant droppedBefore, OptionalLong maxSegmentId)
{
    public PurgedHistory
    {
        requireNonNull(droppedBefore, "droppedBefore is null");
        requireNonNull(maxSegmentId, "maxSegmentId is null");
    }

    /**
     * Whether the hot segments visible at the point in time above the hand-off mark may have been purged.
     */
    public boolean mayHaveLost(Instant pointInTime, long tieredThrough)
    {
        return pointInTime.isBefore(droppedBefore) && (maxSegmentId.isEmpty() || maxSegmentId.getAsLong() > tieredThrough);
    }
}
