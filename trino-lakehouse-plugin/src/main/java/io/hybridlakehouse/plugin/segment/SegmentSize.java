package io.hybridlakehouse.plugin.segment;

import static java.util.Objects.requireNonNull;

/**
 * A segment's partition (its partition values as stored, {@link NewSegment#partitionKey}) and row count.
 */
public record SegmentSize(String partitionKey, long recordCount)
{
    public SegmentSize
    {
        requireNonNull(partitionKey, "partitionKey is null");
    }
}
