package io.hybridlakehouse.plugin.split;

import io.trino.spi.connector.BucketFunction;
import io.trino.spi.connector.ConnectorBucketNodeMap;
import io.trino.spi.connector.ConnectorNodePartitioningProvider;
import io.trino.spi.connector.ConnectorPartitioningHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.type.Type;

import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

import static java.util.Objects.requireNonNull;

/**
 * Iceberg's bucketed execution (a table partitioned by {@code bucket(...)} only, one spec),
 * given the Iceberg split inside each split of ours. Hot segments are files of the table's
 * spec written per partition, and compaction merges a partition's segments only, so each
 * split of either tier lies in one bucket, as Iceberg's own splits do.
 */
public class HybridNodePartitioningProvider
        implements ConnectorNodePartitioningProvider
{
    private final ConnectorNodePartitioningProvider iceberg;

    public HybridNodePartitioningProvider(ConnectorNodePartitioningProvider iceberg)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
    }

    @Override
    public Optional<ConnectorBucketNodeMap> getBucketNodeMapping(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorPartitioningHandle partitioning)
    {
        return iceberg.getBucketNodeMapping(transaction, session, partitioning);
    }

    @Override
    public ToIntFunction<ConnectorSplit> getSplitBucketFunction(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorPartitioningHandle partitioning, int bucketCount)
    {
        ToIntFunction<ConnectorSplit> icebergBuckets = iceberg.getSplitBucketFunction(transaction, session, partitioning, bucketCount);
        return split -> icebergBuckets.applyAsInt(split instanceof HybridSplit hybrid ? hybrid.split() : split);
    }

    @Override
    public BucketFunction getBucketFunction(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorPartitioningHandle partitioning, List<Type> partitionChannelTypes, int bucketCount)
    {
        return iceberg.getBucketFunction(transaction, session, partitioning, partitionChannelTypes, bucketCount);
    }
}
