package io.hybridlakehouse.plugin.segment;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One immutable hot-tier data file as recorded in the segment metastore. A segment is
 * visible to readers pinned at metastore versions in {@code [createdVersion, droppedVersion)}.
 *
 * @param commitTask the writer's Iceberg {@code CommitTaskData} JSON: partition spec and data and per-column metrics
 */
public record Segment(
        long id,
        long createdVersion,
        Optional<Long> droppedVersion,
        Optional<String> dropReason,
        String path,
        long fileSize,
        long recordCount,
        String partitionKey,
        String commitTask,
        Instant createdAt)
{
    public static final String COMPACTED = "COMPACTED";
    public static final String TIERED = "TIERED";
    public static final String EXPIRED = "EXPIRED";
    // hidden by a CREATE OR REPLACE of the table
    public static final String REPLACED = "REPLACED";

    public Segment
    {
        requireNonNull(droppedVersion, "droppedVersion is null");
        requireNonNull(dropReason, "dropReason is null");
        requireNonNull(path, "path is null");
        requireNonNull(partitionKey, "partitionKey is null");
        requireNonNull(commitTask, "commitTask is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    public String state()
    {
        return dropReason.orElse("ACTIVE");
    }

    /**
     * Whether the hot tier owns this segment's file and deletes it once the segment is gone:
     * a tiered segment's file is an Iceberg data file now.
     */
    public boolean ownsFile()
    {
        return !dropReason.equals(Optional.of(TIERED));
    }
}
