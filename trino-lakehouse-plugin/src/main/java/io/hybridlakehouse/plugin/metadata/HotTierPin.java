package io.hybridlakehouse.plugin.metadata;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a query reads of a table's hot tier: the segments visible at metastore
 * {@code version} whose ids are above {@code tieredThrough}, the hand-off mark of the Iceberg
 * snapshot read alongside. The version is pinned before the snapshot is loaded, so a
 * tiering that commits in between can only add rows to the snapshot that the hot side still
 * holds, which the mark then excludes: every row is read exactly once.
 * <p>
 * A query as of a past time ({@code FOR TIMESTAMP AS OF}, {@code FOR VERSION AS OF}) reads
 * instead the segments visible at {@code asOf}, above the mark of the snapshot it reads.
 * <p>
 * {@code highestSegmentId} is the highest id the table had handed out at {@code version}:
 * when the mark has reached it, the pin sees no hot segment without asking the metastore.
 */
public record HotTierPin(String tableUuid, long version, long tieredThrough, long highestSegmentId, Optional<Instant> asOf)
{
    public static final String TIERED_THROUGH_PROPERTY = "hybrid.tiered-through";

    public HotTierPin
    {
        requireNonNull(tableUuid, "tableUuid is null");
        requireNonNull(asOf, "asOf is null");
    }

    public HotTierPin(String tableUuid, long version, long tieredThrough, long highestSegmentId)
    {
        this(tableUuid, version, tieredThrough, highestSegmentId, Optional.empty());
    }

    /**
     * The hot tier as of a past point: the ids handed out by then are not recorded, so the metastore is asked.
     */
    public static HotTierPin asOf(String tableUuid, long tieredThrough, Instant pointInTime)
    {
        return new HotTierPin(tableUuid, 0, tieredThrough, Long.MAX_VALUE, Optional.of(pointInTime));
    }

    public HotTierPin withTieredThrough(long newTieredThrough)
    {
        return new HotTierPin(tableUuid, version, newTieredThrough, highestSegmentId, asOf);
    }

    /**
     * Whether segments above the hand-off mark may exist: ids only grow, and tiering moves them as a prefix.
     */
    public boolean mayHaveHotSegments()
    {
        return highestSegmentId > tieredThrough;
    }

    /**
     * The hand-off mark recorded in Iceberg table properties: hot segments with ids up to it are in the snapshot.
     */
    public static long tieredThrough(Map<String, String> icebergTableProperties)
    {
        String value = icebergTableProperties.get(TIERED_THROUGH_PROPERTY);
        return value == null ? 0 : Long.parseLong(value);
    }
}
