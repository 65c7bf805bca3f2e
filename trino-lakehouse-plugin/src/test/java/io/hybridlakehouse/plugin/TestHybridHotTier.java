package io.hybridlakehouse.plugin;

import io.trino.Session;
import io.trino.execution.QueryStats;
import io.trino.operator.OperatorStats;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.withoutOrphanFileMinimum;
import static io.trino.spi.StandardErrorCode.TABLE_NOT_FOUND;
import static io.trino.tpch.TpchTable.LINE_ITEM;
import static io.trino.tpch.TpchTable.ORDERS;
import static java.util.Locale.ENGLISH;
import static org.assertj.core.api.Assertions.assertThat;

public class TestHybridHotTier
        extends AbstractTestQueryFramework
{
    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-hot-tier");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .setInitialTables(List.of(ORDERS, LINE_ITEM))
                .build();
    }

    @Test
    public void testInsertIsVisibleAtOnceAsSegments()
    {
        assertUpdate("CREATE TABLE visible (id bigint, region varchar) WITH (partitioning = ARRAY['region'])");
        assertUpdate("INSERT INTO visible VALUES (1, 'a'), (2, 'b'), (3, 'a')", 3);
        assertQuery("SELECT region, count(*) FROM visible GROUP BY region", "VALUES ('a', 2), ('b', 1)");
        // one segment per partition touched, no Iceberg data file, ids from 1
        assertThat(computeActual("SELECT segment_id FROM \"visible$segments\"").getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L);
        assertThat(computeActual("SELECT record_count FROM \"visible$segments\"").getOnlyColumnAsSet()).containsExactlyInAnyOrder(1L, 2L);
        assertThat(computeActual("SELECT state FROM \"visible$segments\"").getOnlyColumnAsSet()).containsExactly("ACTIVE");
        assertThat(computeScalar("SELECT count(*) FROM \"visible$files\"")).isEqualTo(0L);
        assertUpdate("INSERT INTO visible VALUES (4, 'c')", 1);
        assertQuery("SELECT max(segment_id), count(*) FROM \"visible$segments\"", "VALUES (3, 3)");
        assertQuery("SELECT sum(id) FROM visible", "VALUES 10");
        assertUpdate("DROP TABLE visible");
    }

    @Test
    public void testUnregisterWaitsForHotRowsToBeTiered()
    {
        assertUpdate("CREATE TABLE handed_on (id bigint)");
        assertUpdate("INSERT INTO handed_on VALUES 1, 2, 3", 3);
        // the Iceberg metadata it would leave behind lacks the hot rows
        assertQueryFails("CALL system.unregister_table('tpch', 'handed_on')",
                "Cannot run CALL system\\.unregister_table on tpch\\.handed_on: 3 of its rows are still in hot segments, not in its Iceberg snapshot\\. Run CALL system\\.tier_table\\('tpch', 'handed_on'\\) first.*");
        assertQuery("SELECT count(*) FROM handed_on", "VALUES 3");
        assertUpdate("CALL system.tier_table('tpch', 'handed_on')");
        assertQuery("SELECT sum(record_count) FROM \"handed_on$files\"", "VALUES 3");
        assertUpdate("CALL system.unregister_table('tpch', 'handed_on')");
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).doesNotContain("handed_on");
    }

    @Test
    public void testModeProperty()
    {
        assertUpdate("CREATE TABLE lake_table (id bigint) WITH (mode = 'lake')");
        assertThat((String) computeScalar("SHOW CREATE TABLE lake_table")).contains("mode = 'lake'");
        assertUpdate("INSERT INTO lake_table VALUES 1, 2", 2);
        assertThat(computeScalar("SELECT count(*) FROM \"lake_table$segments\"")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM \"lake_table$files\"")).isEqualTo(1L);

        assertUpdate("ALTER TABLE lake_table SET PROPERTIES mode = 'hybrid'");
        assertThat((String) computeScalar("SHOW CREATE TABLE lake_table")).contains("mode = 'hybrid'");
        assertUpdate("INSERT INTO lake_table VALUES 3", 1);
        assertThat(computeScalar("SELECT count(*) FROM \"lake_table$segments\"")).isEqualTo(1L);
        assertThat(computeScalar("SELECT count(*) FROM \"lake_table$files\"")).isEqualTo(1L);
        assertQuery("SELECT sum(id) FROM lake_table", "VALUES 6");

        assertQueryFails("CREATE TABLE bad_mode (id bigint) WITH (mode = 'warehouse')",
                ".*Invalid value for table property 'mode': 'warehouse'. Valid values: 'hybrid', 'lake'.*");
        assertQueryFails("ALTER TABLE lake_table SET PROPERTIES mode = 'hot'", ".*Invalid value for table property 'mode': 'hot'.*");
        assertUpdate("DROP TABLE lake_table");
    }

    @Test
    public void testTypesRoundTripThroughBothTiers()
    {
        assertUpdate("""
                CREATE TABLE typed (
                    c_boolean boolean, c_tinyint tinyint, c_smallint smallint, c_integer integer, c_bigint bigint,
                    c_real real, c_double double, c_decimal decimal(20, 4), c_short_decimal decimal(9, 2), c_varchar varchar, c_varbinary varbinary,
                    c_date date, c_timestamp timestamp(6), c_timestamptz timestamp(6) with time zone,
                    c_array array(integer), c_map map(varchar, bigint), c_row row(x integer, y varchar))""");
        String values = """
                VALUES
                (true, TINYINT '1', SMALLINT '2', 3, BIGINT '4', REAL '5.5', DOUBLE '6.25', DECIMAL '1234567890123456.1234', DECIMAL '1234567.89', 'text', X'0102',
                 DATE '2026-11-25', TIMESTAMP '2026-11-25 10:11:12.123456', TIMESTAMP '2026-11-25 10:11:12.123456 UTC',
                 ARRAY[1, 2], MAP(ARRAY['k'], ARRAY[BIGINT '7']), CAST(ROW(8, 'nested') AS row(x integer, y varchar))),
                (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";
        assertUpdate("INSERT INTO typed " + values, 2);
        MaterializedResult hot = computeActual("SELECT * FROM typed");
        assertThat(hot.getMaterializedRows()).hasSize(2);
        assertThat(computeActual("SELECT * FROM (" + values + ") EXCEPT SELECT * FROM typed").getRowCount()).isZero();

        assertUpdate("CALL system.tier_table('tpch', 'typed')");
        assertThat(computeScalar("SELECT count(*) FROM \"typed$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertThat(computeActual("SELECT * FROM typed").getMaterializedRows()).containsExactlyInAnyOrderElementsOf(hot.getMaterializedRows());

        assertQueryFails("CREATE TABLE unsupported (t time(6) with time zone)", ".*(not supported|Unsupported).*");
        assertUpdate("DROP TABLE typed");
    }

    @Test
    public void testConcurrentInsertsNeverShowTornReads()
            throws Exception
    {
        // each INSERT writes 10 rows over 5 partitions, so 5 segments in one commit
        assertUpdate("CREATE TABLE torn (id bigint, part integer) WITH (partitioning = ARRAY['part'])");
        int inserts = 20;
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService executor = Executors.newFixedThreadPool(3);
        try {
            Future<?> writer = executor.submit(() -> {
                try {
                    for (int i = 0; i < inserts; i++) {
                        getQueryRunner().execute("INSERT INTO torn SELECT %d * 10 + n, n %% 5 FROM UNNEST(sequence(0, 9)) AS t(n)".formatted(i));
                    }
                }
                finally {
                    writing.set(false);
                }
            });
            List<Future<List<Long>>> readers = new ArrayList<>();
            for (int reader = 0; reader < 2; reader++) {
                readers.add(executor.submit(() -> {
                    List<Long> counts = new ArrayList<>();
                    while (writing.get()) {
                        counts.add((Long) getQueryRunner().execute("SELECT count(*) FROM torn").getOnlyValue());
                    }
                    return counts;
                }));
            }
            writer.get(5, TimeUnit.MINUTES);
            for (Future<List<Long>> reader : readers) {
                List<Long> counts = reader.get(1, TimeUnit.MINUTES);
                assertThat(counts).isNotEmpty();
                assertThat(counts).allSatisfy(count -> assertThat(count % 10).as("count %s is a committed prefix of INSERTs", count).isZero());
                assertThat(counts).isSorted();
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertQuery("SELECT count(*), count(DISTINCT id) FROM torn", "VALUES (%d, %d)".formatted(inserts * 10, inserts * 10));
        assertUpdate("DROP TABLE torn");
    }

    @Test
    public void testFailedInsertLeavesTableUnchanged()
            throws IOException
    {
        assertUpdate("CREATE TABLE failing (orderkey bigint, comment varchar)");
        assertUpdate("INSERT INTO failing VALUES (1, 'kept')", 1);
        long filesBefore = dataFiles();
        // the writer has written pages of earlier rows when the failure arrives
        assertQueryFails("INSERT INTO failing SELECT orderkey, CASE WHEN orderkey >= 50000 THEN CAST(fail('injected writer failure') AS varchar) ELSE comment END FROM lineitem",
                ".*injected writer failure.*");
        assertQuery("SELECT orderkey, comment FROM failing", "VALUES (1, 'kept')");
        assertThat(computeScalar("SELECT count(*) FROM \"failing$segments\"")).isEqualTo(1L);
        assertThat(dataFiles()).isEqualTo(filesBefore);
        assertUpdate("DROP TABLE failing");
    }

    @Test
    public void testHotSegmentPruning()
    {
        assertUpdate("CREATE TABLE pruned WITH (partitioning = ARRAY['returnflag']) AS SELECT * FROM lineitem WITH NO DATA", 0);
        for (String range : List.of("orderkey < 20000", "orderkey BETWEEN 20000 AND 39999", "orderkey >= 40000")) {
            assertUpdate("INSERT INTO pruned SELECT * FROM lineitem WHERE " + range, "SELECT count(*) FROM lineitem WHERE " + range);
        }
        long segments = (long) computeScalar("SELECT count(*) FROM \"pruned$segments\"");
        assertThat(segments).isEqualTo(9);
        // the splits a scan reads: a whole-table count(*) is otherwise answered from metadata
        Session hotOnly = Session.builder(getSession())
                .setCatalogSessionProperty("lakehouse", "read_cold_tier", "false")
                .setCatalogSessionProperty("lakehouse", "count_from_metadata_enabled", "false")
                .build();

        assertThat(scannedSplits(hotOnly, "SELECT count(*) FROM pruned")).isEqualTo(9);
        // partition values: 3 returnflags -> 1 partition of 3 segments
        assertThat(scannedSplits(hotOnly, "SELECT count(*) FROM pruned WHERE returnflag = 'R'")).isEqualTo(3);
        // per-segment min/max of orderkey
        assertThat(scannedSplits(hotOnly, "SELECT count(*) FROM pruned WHERE orderkey < 1000")).isEqualTo(3);
        assertThat(scannedSplits(hotOnly, "SELECT count(*) FROM pruned WHERE orderkey < 1000 AND returnflag = 'R'")).isEqualTo(1);
        assertQuery("SELECT count(*), sum(quantity) FROM pruned WHERE orderkey < 1000 AND returnflag = 'R'",
                "SELECT count(*), sum(quantity) FROM lineitem WHERE orderkey < 1000 AND returnflag = 'R'");
        assertUpdate("DROP TABLE pruned");
    }

    @Test
    public void testSignedZerosMatchInEveryTier()
    {
        // a file or stripe of -0.0 alone has the bounds [-0.0, -0.0], which Trino's domain of
        // d = 0 does not overlap: pruning by them must not skip rows SQL says are equal to 0
        assertUpdate("CREATE TABLE zeros_keys AS SELECT 0.0E0 AS d, REAL '0.0' AS r, 0.0E0 AS p", 1);
        Session waitForDynamicFilters = Session.builder(getSession())
                .setCatalogSessionProperty("lakehouse", "dynamic_filtering_wait_timeout", "1m")
                .build();
        for (String format : List.of("ORC", "PARQUET")) {
            String table = "zeros_" + format.toLowerCase(ENGLISH);
            assertUpdate("CREATE TABLE %s (id bigint, d double, r real, p double) WITH (format = '%s', partitioning = ARRAY['p'])".formatted(table, format));
            // one segment per INSERT, each of one sign, and a partition of each sign
            assertUpdate("INSERT INTO %s VALUES (1, 0.0E0, REAL '0.0', 0.0E0)".formatted(table), 1);
            assertUpdate("INSERT INTO %s VALUES (2, -0.0E0, REAL '-0.0', -0.0E0)".formatted(table), 1);
            assertUpdate("INSERT INTO %s VALUES (3, 1.5E0, REAL '1.5', 1.5E0)".formatted(table), 1);
            for (String tier : List.of("hot", "cold")) {
                for (String filter : List.of("d = 0", "d = -0.0E0", "r = 0", "r = REAL '-0.0'", "p = 0", "p = -0.0E0", "d IN (0, 7)", "d BETWEEN 0 AND 1", "d >= 0 AND d < 1", "r <= 0 AND r > -1", "p >= 0 AND p < 1")) {
                    assertQuery("SELECT id FROM %s WHERE %s".formatted(table, filter), "VALUES 1, 2");
                }
                assertQuery("SELECT id FROM %s WHERE d > 0".formatted(table), "VALUES 3");
                assertQueryReturnsEmptyResult("SELECT id FROM %s WHERE d < 0".formatted(table));
                // a join's dynamic filter of {0.0} prunes the files of the probe side alike
                for (String key : List.of("d", "r", "p")) {
                    assertQuery(waitForDynamicFilters, "SELECT t.id FROM %1$s t JOIN zeros_keys k ON t.%2$s = k.%2$s".formatted(table, key), "VALUES 1, 2");
                }
                assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
            }
            assertUpdate("DROP TABLE " + table);
        }
        assertUpdate("DROP TABLE zeros_keys");
    }

    @Test
    public void testCompactSegments()
    {
        assertUpdate("CREATE TABLE compacted (id bigint, part varchar) WITH (partitioning = ARRAY['part'])");
        for (int i = 0; i < 5; i++) {
            assertUpdate("INSERT INTO compacted VALUES (%d, 'a'), (%d, 'b')".formatted(2 * i, 2 * i + 1), 2);
        }
        assertThat(computeScalar("SELECT count(*) FROM \"compacted$segments\" WHERE state = 'ACTIVE'")).isEqualTo(10L);
        MaterializedResult before = computeActual("SELECT * FROM compacted");

        assertUpdate("CALL system.compact_segments('tpch', 'compacted')");
        // one segment per partition, taking the highest input id so the hand-off to Iceberg by id stays exact
        assertQuery("SELECT segment_id, record_count FROM \"compacted$segments\" WHERE state = 'ACTIVE'", "VALUES (9, 5), (10, 5)");
        assertThat(computeScalar("SELECT count(*) FROM \"compacted$segments\" WHERE state = 'COMPACTED'")).isEqualTo(10L);
        assertThat(computeActual("SELECT * FROM compacted").getMaterializedRows()).containsExactlyInAnyOrderElementsOf(before.getMaterializedRows());

        assertUpdate("INSERT INTO compacted VALUES (10, 'a')", 1);
        assertUpdate("CALL system.tier_table('tpch', 'compacted')");
        assertQuery("SELECT count(*), count(DISTINCT id), sum(id) FROM compacted", "VALUES (11, 11, 55)");
        assertThat(query("CALL system.compact_segments('tpch', 'missing')")).failure()
                .hasErrorCode(TABLE_NOT_FOUND)
                .hasMessageContaining("Table 'tpch.missing' does not exist");
        assertUpdate("DROP TABLE compacted");
    }

    @Test
    public void testAutomaticCompactionBoundsSegmentCount()
            throws InterruptedException
    {
        assertUpdate("CREATE TABLE auto_compacted (id bigint)");
        int inserts = 25;
        for (int i = 0; i < inserts; i++) {
            assertUpdate("INSERT INTO auto_compacted VALUES " + i, 1);
            assertThat(computeScalar("SELECT count(*) FROM auto_compacted")).isEqualTo((long) i + 1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long active;
        do {
            active = (long) computeScalar("SELECT count(*) FROM \"auto_compacted$segments\" WHERE state = 'ACTIVE'");
            if (active <= 10) {
                break;
            }
            Thread.sleep(200);
        }
        while (System.nanoTime() < deadline);
        assertThat(active).as("active segments after %s single-row INSERTs with threshold 10", inserts).isLessThanOrEqualTo(10);
        assertQuery("SELECT count(*), count(DISTINCT id), sum(id) FROM auto_compacted", "VALUES (25, 25, 300)");
        assertUpdate("DROP TABLE auto_compacted");
    }

    @Test
    public void testPartitionsTableCoversBothTiers()
    {
        assertUpdate("CREATE TABLE partitioned (ts timestamp(6), region varchar, amount bigint) WITH (partitioning = ARRAY['region', 'day(ts)'])");
        assertUpdate("INSERT INTO partitioned VALUES (TIMESTAMP '2026-11-24 01:00:00', 'a', 1), (TIMESTAMP '2026-11-24 02:00:00', 'a', 2), (TIMESTAMP '2026-11-25 01:00:00', 'b', 3)", 3);
        assertUpdate("CALL system.tier_table('tpch', 'partitioned')");
        assertUpdate("INSERT INTO partitioned VALUES (TIMESTAMP '2026-11-24 03:00:00', 'a', 4), (TIMESTAMP '2026-11-26 01:00:00', 'c', 5)", 2);
        assertThat(computeActual("SELECT column_name FROM information_schema.columns WHERE table_name = 'partitioned$partitions' ORDER BY ordinal_position").getOnlyColumn().toList())
                .containsExactly("region", "ts_day", "record_count", "file_count", "total_size", "hot_record_count");
        assertQuery("SELECT region, ts_day, record_count, file_count, hot_record_count FROM \"partitioned$partitions\"",
                "VALUES ('a', DATE '2026-11-24', 3, 2, 1), ('b', DATE '2026-11-25', 1, 1, 0), ('c', DATE '2026-11-26', 1, 1, 1)");
        assertUpdate("DROP TABLE partitioned");
    }

    @Test
    public void testOrphanSweepKeepsHotSegments()
    {
        assertUpdate("CREATE TABLE swept (id bigint)");
        assertUpdate("INSERT INTO swept VALUES 1, 2", 2);
        assertQueryFails("ALTER TABLE swept EXECUTE remove_orphan_files(retention_threshold => '0s')",
                ".*Retention specified \\(0\\.00s\\) is shorter than the minimum retention configured in the system \\(7\\.00d\\).*");
        assertUpdate(withoutOrphanFileMinimum(getSession()), "ALTER TABLE swept EXECUTE remove_orphan_files(retention_threshold => '0s')");
        assertQuery("SELECT sum(id) FROM swept", "VALUES 3");
        assertUpdate("DROP TABLE swept");
    }

    @Test
    public void testStatisticsCoverBothTiers()
    {
        assertUpdate("CREATE TABLE stats (id bigint, name varchar)");
        assertUpdate("INSERT INTO stats VALUES (1, 'a'), (2, NULL)", 2);
        assertUpdate("CALL system.tier_table('tpch', 'stats')");
        assertUpdate("INSERT INTO stats VALUES (3, NULL), (4, NULL)", 2);
        MaterializedResult stats = computeActual("SHOW STATS FOR stats");
        Object rowCount = stats.getMaterializedRows().stream()
                .filter(row -> row.getField(0) == null)
                .findFirst().orElseThrow().getField(4);
        assertThat(rowCount).isEqualTo(4.0);
        Object nameNulls = stats.getMaterializedRows().stream()
                .filter(row -> "name".equals(row.getField(0)))
                .findFirst().orElseThrow().getField(3);
        assertThat(nameNulls).isEqualTo(0.75);
        assertUpdate("DROP TABLE stats");
    }

    @Test
    public void testTierTableErrors()
    {
        assertThat(query("CALL system.tier_table('tpch', 'no_such_table')")).failure()
                .hasErrorCode(TABLE_NOT_FOUND)
                .hasMessageContaining("Table 'tpch.no_such_table' does not exist");
        assertThat(query("CALL system.apply_retention('tpch', 'no_such_table')")).failure()
                .hasErrorCode(TABLE_NOT_FOUND);
        assertQueryFails("CALL system.tier_table('tpch', '')", ".*table_name must be a table of schema 'tpch'.*");
    }

    private long scannedSplits(Session session, String sql)
    {
        long[] splits = new long[1];
        assertQueryStats(session, sql, queryStats -> splits[0] = tableScanDrivers(queryStats), _ -> {});
        return splits[0];
    }

    private static long tableScanDrivers(QueryStats queryStats)
    {
        return queryStats.getOperatorSummaries().stream()
                .filter(summary -> summary.getOperatorType().contains("Scan"))
                .mapToLong(OperatorStats::getTotalDrivers)
                .sum();
    }

    private long dataFiles()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(path -> path.toString().endsWith(".parquet")).count();
        }
    }
}
