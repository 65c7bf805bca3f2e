package io.hybridlakehouse.plugin;

import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;

/**
 * Bytes a query read from storage and from the local cache, from the change of
 * {@code system.cache_stats} across it (one node).
 */
record CacheReadBytes(long storage, long cache)
{
    private static final String COUNTERS = "SELECT storage_read_bytes, cache_read_bytes FROM lakehouse.system.cache_stats";

    static CacheReadBytes of(QueryRunner queryRunner, Runnable query)
    {
        MaterializedRow before = queryRunner.execute(COUNTERS).getMaterializedRows().getFirst();
        query.run();
        MaterializedRow after = queryRunner.execute(COUNTERS).getMaterializedRows().getFirst();
        return new CacheReadBytes((long) after.getField(0) - (long) before.getField(0), (long) after.getField(1) - (long) before.getField(1));
    }
}
