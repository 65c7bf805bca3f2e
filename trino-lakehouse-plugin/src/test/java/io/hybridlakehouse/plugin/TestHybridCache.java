package io.hybridlakehouse.plugin;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.trino.filesystem.tracing.FileSystemAttributes;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.trino.spi.StandardErrorCode.TABLE_NOT_FOUND;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local cache counted in bytes: what a scan reads from storage and from the cache, per
 * table policy, with warming.
 */
public class TestHybridCache
        extends AbstractTestQueryFramework
{
    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path cache = Files.createTempDirectory("hybrid-cache");
        closeAfterClass(() -> deleteRecursively(cache, ALLOW_INSECURE));
        warehouse = Files.createTempDirectory("hybrid-cache-warehouse");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        // one node: the counters read below are those of the node that scanned
        return LakehouseQueryRunner.builder()
                .setWorkerCount(0)
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.cache.enabled", "true")
                .addCatalogProperty("hybrid.cache.directory", cache.toString())
                // these tests count what the disk cache serves: small files stay out of the coordinator's memory
                .addCatalogProperty("hybrid.cache.coordinator-memory.enabled", "false")
                .build();
    }

    @Test
    public void testSecondScanReadsNothingFromStorage()
    {
        assertUpdate("CREATE TABLE cached (id bigint, comment varchar)");
        assertUpdate("INSERT INTO cached SELECT orderkey, comment FROM tpch.tiny.orders WHERE orderkey < 30000", 7503);
        assertUpdate("CALL system.tier_table('tpch', 'cached')");
        assertUpdate("INSERT INTO cached SELECT orderkey, comment FROM tpch.tiny.orders WHERE orderkey >= 30000", 7497);
        String scan = "SELECT count(*), sum(id), max(comment) FROM cached";

        readBytes(scan);
        CacheReadBytes second = readBytes(scan);
        assertThat(second.storage()).as("storage bytes read by the second scan").isZero();
        assertThat(second.cache()).isPositive();
        // counted independently of the cache's own statistics, by the file system under it
        FileReads third = fileReads(scan);
        assertThat(third.storage()).as("data file reads from storage by the third scan").isZero();
        assertThat(third.cache()).as("reads served by the cache in the third scan").isPositive();
        assertThat((double) computeScalar("SELECT hit_rate FROM lakehouse.system.cache_stats")).isBetween(0.0, 1.0);
        MaterializedRow space = computeActual("SELECT used_bytes, capacity_bytes FROM lakehouse.system.cache_stats").getMaterializedRows().getFirst();
        assertThat((long) space.getField(0)).as("used bytes").isPositive().isLessThanOrEqualTo((long) space.getField(1));
        assertUpdate("DROP TABLE cached");
    }

    @Test
    public void testNonePolicyAlwaysReadsStorage()
    {
        assertUpdate("CREATE TABLE uncached (id bigint, comment varchar) WITH (cache = 'none')");
        assertThat((String) computeScalar("SHOW CREATE TABLE uncached")).contains("cache = 'none'");
        assertUpdate("INSERT INTO uncached SELECT orderkey, comment FROM tpch.tiny.orders", 15000);
        String scan = "SELECT count(*), sum(id), max(comment) FROM uncached";
        readBytes(scan);
        assertThat(fileReads(scan).storage()).as("data file reads from storage by a repeated scan").isPositive();
        long bypassedBefore = (long) computeScalar("SELECT bypassed_files FROM lakehouse.system.cache_stats");
        CacheReadBytes second = readBytes(scan);
        // every data file is opened past the cache, on every scan
        assertThat(second.cache()).as("cache bytes read by the second scan").isZero();
        assertThat(second.storage()).as("reads past the cache are not cache misses").isZero();
        assertThat((long) computeScalar("SELECT bypassed_files FROM lakehouse.system.cache_stats")).isGreaterThan(bypassedBefore);
        assertQueryFails("ALTER TABLE uncached SET PROPERTIES cache = 'some'", ".*Invalid value for table property 'cache': 'some'. Valid values: 'none', 'hot', 'all'.*");
        // warming would read storage and cache nothing
        long warmedBefore = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats");
        assertQueryFails("CALL system.warm_cache('tpch', 'uncached')",
                "tpch.uncached has cache = 'none': warming it would cache nothing. Run ALTER TABLE tpch.uncached SET PROPERTIES cache = 'all' \\(or 'hot'\\) first");
        assertQueryFails("SELECT * FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'uncached'))", ".*tpch.uncached has cache = 'none'.*");
        assertThat((long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats")).isEqualTo(warmedBefore);
        assertUpdate("DROP TABLE uncached");
    }

    @Test
    public void testWarmCacheMakesFirstScanCacheOnly()
    {
        assertUpdate("CREATE TABLE warmed (id bigint, comment varchar)");
        assertUpdate("INSERT INTO warmed SELECT orderkey, comment FROM tpch.tiny.orders", 15000);
        long warmedBefore = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats");
        assertUpdate("CALL system.warm_cache('tpch', 'warmed')");
        assertThat((long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats")).isGreaterThan(warmedBefore);
        CacheReadBytes first = readBytes("SELECT count(*), sum(id), max(comment) FROM warmed");
        assertThat(first.storage()).as("storage bytes read by the first scan after warm_cache").isZero();
        assertThat(first.cache()).isPositive();
        assertUpdate("DROP TABLE warmed");
    }

    @Test
    public void testWarmCacheWithFilterWarmsMatchingPartitionsOnly()
    {
        // cache 'none' while loading, so no file is written through to the cache before warm_cache
        assertUpdate("CREATE TABLE warmed_partitions (id bigint, comment varchar, day date) WITH (partitioning = ARRAY['day'], cache = 'none')");
        // two days tiered to Iceberg, one day hot
        assertUpdate("INSERT INTO warmed_partitions SELECT orderkey, comment, DATE '2026-11-20' + (orderkey % 2) * INTERVAL '1' DAY FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'warmed_partitions')");
        assertUpdate("INSERT INTO warmed_partitions SELECT orderkey, comment, DATE '2026-11-22' FROM tpch.tiny.orders", 15000);
        assertUpdate("ALTER TABLE warmed_partitions SET PROPERTIES cache = 'all'");

        long filesBefore = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats");
        assertUpdate("CALL system.warm_cache('tpch', 'warmed_partitions', 'day >= DATE ''2026-11-21''')");
        long warmedFiles = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats") - filesBefore;
        long matchingFiles = (long) computeScalar("SELECT count(DISTINCT \"$path\") FROM warmed_partitions WHERE day >= DATE '2026-11-21'");
        assertThat(warmedFiles).as("files warmed").isEqualTo(matchingFiles);

        CacheReadBytes warmedDays = readBytes("SELECT count(*), max(comment) FROM warmed_partitions WHERE day >= DATE '2026-11-21'");
        assertThat(warmedDays.storage()).as("storage bytes read by a scan of the warmed days").isZero();
        CacheReadBytes coldDay = readBytes("SELECT count(*), max(comment) FROM warmed_partitions WHERE day = DATE '2026-11-20'");
        assertThat(coldDay.storage()).as("storage bytes read by a scan of the day not warmed").isPositive();

        assertQueryFails("CALL system.warm_cache('tpch', 'warmed_partitions', 'no_such_column = 1')",
                ".*Invalid warm_cache filter 'no_such_column = 1': the table has no column no_such_column.*");
        assertQueryFails("CALL system.warm_cache('tpch', 'warmed_partitions', 'day >= ')", ".*Invalid warm_cache filter 'day >= '.*");
        assertQueryFails("CALL system.warm_cache('tpch', 'warmed_partitions', 'day = ''yesterday''')", ".*'yesterday' is not a value of column day.*");
        assertUpdate("DROP TABLE warmed_partitions");
    }

    @Test
    public void testHotPolicyCachesTheNewestPartitions()
            throws Exception
    {
        assertUpdate("CREATE TABLE hot_days (id bigint, comment varchar, day date) WITH (partitioning = ARRAY['day'], cache = 'hot')");
        assertUpdate("INSERT INTO hot_days SELECT orderkey, comment, DATE '2026-11-20' + (orderkey % 5) * INTERVAL '1' DAY FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'hot_days')");
        // every data file written two days ago, past hybrid.cache.hot-age (1d): only the newest-partitions rule can keep them hot
        for (Object path : computeActual("SELECT file_path FROM \"hot_days$files\"").getOnlyColumnAsSet()) {
            Files.setLastModifiedTime(warehouse.resolve(((String) path).replaceFirst("^local:///", "")), FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        }
        // partitions are listed again at most every 5 seconds
        Thread.sleep(5_500);

        String newestDays = "SELECT count(*), max(comment) FROM hot_days WHERE day >= DATE '2026-11-22'";
        fileReads(newestDays);
        FileReads newest = fileReads(newestDays);
        assertThat(newest.storage()).as("data file reads from storage by a second scan of the 3 newest days").isZero();
        assertThat(newest.cache()).isPositive();

        String olderDays = "SELECT count(*), max(comment) FROM hot_days WHERE day < DATE '2026-11-22'";
        long bypassedBefore = (long) computeScalar("SELECT bypassed_files FROM lakehouse.system.cache_stats");
        fileReads(olderDays);
        assertThat(fileReads(olderDays).storage()).as("data file reads from storage by a second scan of older days").isPositive();
        assertThat((long) computeScalar("SELECT bypassed_files FROM lakehouse.system.cache_stats")).isGreaterThan(bypassedBefore);
        assertUpdate("DROP TABLE hot_days");
    }

    @Test
    public void testWarmCacheTableFunctionWarmsAndReportsEachFile()
    {
        assertUpdate("CREATE TABLE function_warmed (id bigint, comment varchar, day date) WITH (partitioning = ARRAY['day'], cache = 'none')");
        assertUpdate("INSERT INTO function_warmed SELECT orderkey, comment, DATE '2026-11-20' + (orderkey % 2) * INTERVAL '1' DAY FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'function_warmed')");
        assertUpdate("INSERT INTO function_warmed SELECT orderkey, comment, DATE '2026-11-22' FROM tpch.tiny.orders", 15000);
        assertUpdate("ALTER TABLE function_warmed SET PROPERTIES cache = 'all'");

        MaterializedResult warmed = computeActual("SELECT node_id, path, bytes FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'function_warmed', filter => 'day >= DATE ''2026-11-21'''))");
        Set<Object> matching = computeActual("SELECT DISTINCT \"$path\" FROM function_warmed WHERE day >= DATE '2026-11-21'").getOnlyColumnAsSet();
        assertThat(warmed.getMaterializedRows()).extracting(row -> row.getField(1)).containsExactlyInAnyOrderElementsOf(matching);
        assertThat(warmed.getMaterializedRows()).allSatisfy(row -> assertThat((long) row.getField(2)).isPositive());
        assertThat(readBytes("SELECT count(*), max(comment) FROM function_warmed WHERE day >= DATE '2026-11-21'").storage()).isZero();

        assertThat(query("SELECT * FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'no_such_table'))")).failure()
                .hasErrorCode(TABLE_NOT_FOUND)
                .hasMessageContaining("Table 'tpch.no_such_table' does not exist");
        assertQueryFails("SELECT * FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'function_warmed', filter => 'day >'))", ".*Invalid warm_cache filter 'day >'.*");
        assertUpdate("DROP TABLE function_warmed");

        // a materialized view is warmed by its own name: the files of its rows
        assertUpdate("CREATE TABLE warmed_base (id bigint, status varchar)");
        assertUpdate("CREATE MATERIALIZED VIEW warmed_view AS SELECT status, count(*) AS orders FROM warmed_base GROUP BY status");
        assertUpdate("INSERT INTO warmed_base SELECT orderkey, orderstatus FROM tpch.tiny.orders", 15000);
        MaterializedResult viewFiles = computeActual("SELECT path, bytes FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'warmed_view'))");
        assertThat(viewFiles.getRowCount()).isPositive();
        assertThat(viewFiles.getMaterializedRows()).allSatisfy(row -> assertThat((String) row.getField(0)).doesNotContain("/warmed_base"));
        long warmedBefore = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats");
        assertUpdate("CALL system.warm_cache('tpch', 'warmed_view')");
        assertThat((long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats")).isEqualTo(warmedBefore + viewFiles.getRowCount());
        assertThat(computeActual("SELECT status, orders FROM warmed_view").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual("SELECT orderstatus, count(*) FROM tpch.tiny.orders GROUP BY orderstatus").getMaterializedRows());
        assertUpdate("DROP MATERIALIZED VIEW warmed_view");
        assertUpdate("DROP TABLE warmed_base");

        // Iceberg's own table functions still read their own splits
        assertUpdate("CREATE TABLE changes WITH (mode = 'lake') AS SELECT 1 AS id", 1);
        assertUpdate("INSERT INTO changes VALUES 2", 1);
        List<Long> snapshots = computeActual("SELECT snapshot_id FROM \"changes$snapshots\" ORDER BY committed_at").getOnlyColumn().map(Long.class::cast).toList();
        assertQuery("SELECT id, _change_type FROM TABLE(system.table_changes('tpch', 'changes', %d, %d))".formatted(snapshots.getFirst(), snapshots.getLast()), "VALUES (2, 'insert')");
        assertUpdate("DROP TABLE changes");
    }

    @Test
    public void testNewSegmentsAreWrittenThroughToTheCache()
            throws InterruptedException
    {
        assertUpdate("CREATE TABLE written_through (id bigint, comment varchar)");
        long warmedBefore = (long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats");
        assertUpdate("INSERT INTO written_through SELECT orderkey, comment FROM tpch.tiny.orders", 15000);
        long segments = (long) computeScalar("SELECT count(*) FROM \"written_through$segments\"");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((long) computeScalar("SELECT warmed_files FROM lakehouse.system.cache_stats") < warmedBefore + segments) {
            assertThat(System.nanoTime()).as("write-through did not happen within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        long segmentBytes = (long) computeScalar("SELECT sum(file_size_in_bytes) FROM \"written_through$segments\"");
        CacheReadBytes first = readBytes("SELECT count(*), sum(id), max(comment) FROM written_through");
        // the segment files come from the cache; only the table's small Iceberg metadata file is read from storage once
        assertThat(first.cache()).as("cache bytes read by the first scan of freshly written rows").isGreaterThanOrEqualTo(segmentBytes);
        assertThat(first.storage()).as("storage bytes read by the first scan of freshly written rows").isLessThan(segmentBytes / 20);
        assertUpdate("DROP TABLE written_through");
    }

    /**
     * Reads of data files, counted from the trace of one query: reads of the storage file
     * system under the cache, and reads the cache served.
     */
    private record FileReads(long storage, long cache) {}

    private FileReads fileReads(String sql)
    {
        getQueryRunner().execute(sql);
        List<SpanData> spans = getDistributedQueryRunner().getSpans();
        long storage = spans.stream()
                .filter(span -> span.getName().startsWith("Input.read"))
                .filter(span -> String.valueOf(span.getAttributes().get(FileSystemAttributes.FILE_LOCATION)).endsWith(".parquet"))
                .count();
        long cache = spans.stream()
                .filter(span -> span.getName().equals("Alluxio.readCached"))
                .count();
        return new FileReads(storage, cache);
    }

    private CacheReadBytes readBytes(String sql)
    {
        return CacheReadBytes.of(getQueryRunner(), () -> computeActual(sql));
    }
}
