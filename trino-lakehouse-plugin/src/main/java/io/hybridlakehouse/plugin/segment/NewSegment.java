package io.hybridlakehouse.plugin.segment;

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
}
