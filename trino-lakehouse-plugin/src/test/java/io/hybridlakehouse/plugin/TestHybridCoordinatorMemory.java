package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache on a coordinator that also runs splits: files up to the memory cache's limit are
 * served from memory after their first read, which fills the disk cache under it; larger files
 * are read from the disk cache as before.
 */
public class TestHybridCoordinatorMemory
        extends AbstractTestQueryFramework
{
    private static final long MEMORY_FILE_LIMIT = 64 * 1024;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path cache = Files.createTempDirectory("hybrid-coordinator-memory");
        closeAfterClass(() -> deleteRecursively(cache, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWorkerCount(0)
                .addCatalogProperty("hybrid.cache.enabled", "true")
                .addCatalogProperty("hybrid.cache.directory", cache.toString())
                .addCatalogProperty("fs.memory-cache.max-content-length", MEMORY_FILE_LIMIT / 1024 + "kB")
                .build();
    }

    @Test
    public void testSmallFilesAreServedFromMemoryAndLargeOnesFromDisk()
    {
        assertUpdate("CREATE TABLE small_items (id bigint, name varchar)");
        assertUpdate("INSERT INTO small_items SELECT nationkey, name FROM tpch.tiny.nation", 25);
        assertUpdate("CALL system.tier_table('tpch', 'small_items')");
        assertUpdate("INSERT INTO small_items VALUES (100, 'hot')", 1);
        assertUpdate("CREATE TABLE large_orders (id bigint, comment varchar)");
        assertUpdate("INSERT INTO large_orders SELECT orderkey, comment FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'large_orders')");
        assertThat((long) computeScalar("SELECT max(file_size_in_bytes) FROM \"small_items$files\"")).isLessThan(MEMORY_FILE_LIMIT);
        assertThat((long) computeScalar("SELECT min(file_size_in_bytes) FROM \"large_orders$files\"")).isGreaterThan(MEMORY_FILE_LIMIT);

        String small = "SELECT count(*), sum(id), max(name) FROM small_items";
        MaterializedResult firstSmall = computeActual(small);
        long hitsBefore = memoryHits();
        CacheReadBytes second = CacheReadBytes.of(getQueryRunner(), () -> assertThat(computeActual(small)).isEqualTo(firstSmall));
        assertThat(memoryHits() - hitsBefore).as("files of the small table opened from memory").isEqualTo(2);
        assertThat(second.storage()).as("storage bytes read by a repeated scan of a small table").isZero();
        assertThat(second.cache()).as("disk cache bytes read by a repeated scan of a small table").isZero();
        assertQuery(small, "VALUES (26, 400, 'hot')");

        String large = "SELECT count(*), sum(id), max(comment) FROM large_orders";
        MaterializedResult firstLarge = computeActual(large);
        hitsBefore = memoryHits();
        CacheReadBytes repeated = CacheReadBytes.of(getQueryRunner(), () -> assertThat(computeActual(large)).isEqualTo(firstLarge));
        assertThat(memoryHits()).as("files too large for memory").isEqualTo(hitsBefore);
        assertThat(repeated.storage()).as("storage bytes read by a repeated scan of a large table").isZero();
        assertThat(repeated.cache()).as("disk cache bytes read by a repeated scan of a large table").isPositive();
        assertThat(firstLarge.getMaterializedRows()).isEqualTo(computeActual("SELECT count(*), sum(orderkey), max(comment) FROM tpch.tiny.orders").getMaterializedRows());

        assertUpdate("DROP TABLE small_items");
        assertUpdate("DROP TABLE large_orders");
    }

    private long memoryHits()
    {
        return (long) computeScalar("SELECT memory_hits FROM lakehouse.system.cache_stats");
    }
}
