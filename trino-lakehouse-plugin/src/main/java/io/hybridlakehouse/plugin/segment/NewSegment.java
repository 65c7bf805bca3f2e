package io.hybridlakehouse.plugin.segment;

import io.airlift.slice.Slice;
import io.trino.plugin.iceberg.CommitTaskData;

import static java.util.Objects.requireNonNull;

/**
 * A written data file about to become a segment; it gets its id when its commit succeeds.
 */
public record NewSegment(String path, long fileSize, long recordCount, String partitionKey, String commitTask)
{
    public NewSegment
    {
        requireNonNull(path, "path is null");
        requireNonNull(partitionKey, "partitionKey is null");
        requireNonNull(commitTask, "commitTask is null");
    }

    /**
     * A file Iceberg's page sink wrote, from its fragment (the commit task JSON).
     */
    public static NewSegment of(Slice fragment, CommitTaskData task)
    {
        return new NewSegment(
                task.path(),
                task.fileSizeInBytes(),
                task.metrics().recordCount(),
                task.partitionDataJson().orElse(""),
                fragment.toStringUtf8());
    }
}
