package io.hybridlakehouse.plugin.system;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.cache.CacheStats;
import io.trino.spi.NodeManager;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.BooleanType.BOOLEAN;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * {@code system.cache_stats}: one row per node, read on every node.
 */
public class CacheStatsTable
        implements SystemTable
{
    private static final ConnectorTableMetadata METADATA = new ConnectorTableMetadata(
            new SchemaTableName("system", "cache_stats"),
            ImmutableList.of(
                    new ColumnMetadata("node_id", VARCHAR),
                    new ColumnMetadata("cache_enabled", BOOLEAN),
                    new ColumnMetadata("cache_reads", BIGINT),
                    new ColumnMetadata("cache_read_bytes", BIGINT),
                    new ColumnMetadata("storage_reads", BIGINT),
                    new ColumnMetadata("storage_read_bytes", BIGINT),
                    new ColumnMetadata("hit_rate", DOUBLE),
                    new ColumnMetadata("bypassed_files", BIGINT),
                    new ColumnMetadata("warmed_files", BIGINT),
                    new ColumnMetadata("warmed_bytes", BIGINT),
                    new ColumnMetadata("evicted_pages", BIGINT),
                    new ColumnMetadata("evicted_bytes", BIGINT),
                    new ColumnMetadata("used_bytes", BIGINT),
                    new ColumnMetadata("capacity_bytes", BIGINT),
                    new ColumnMetadata("corrupt_pages", BIGINT),
                    new ColumnMetadata("memory_hits", BIGINT)));

    private final CacheStats stats;
    private final String nodeId;

    @Inject
    public CacheStatsTable(CacheStats stats, NodeManager nodeManager)
    {
        this.stats = requireNonNull(stats, "stats is null");
        this.nodeId = nodeManager.getCurrentNode().getNodeIdentifier();
    }

    @Override
    public Distribution getDistribution()
    {
        return Distribution.ALL_NODES;
    }

    @Override
    public ConnectorTableMetadata getTableMetadata()
    {
        return METADATA;
    }

    @Override
    public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint)
    {
        return InMemoryRecordSet.builder(METADATA)
                .addRow(nodeId, stats.isEnabled(), stats.getCacheReads(), stats.getCacheReadBytes(), stats.getExternalReads(), stats.getExternalReadBytes(),
                        stats.getHitRate(), stats.getBypassedFiles(), stats.getWarmedFiles(), stats.getWarmedBytes(),
                        stats.getEvictedPages(), stats.getEvictedBytes(), stats.getUsedBytes(), stats.getCapacityBytes(), stats.getCorruptPages(),
                        stats.getMemoryHits())
                .build()
                .cursor();
    }
}
