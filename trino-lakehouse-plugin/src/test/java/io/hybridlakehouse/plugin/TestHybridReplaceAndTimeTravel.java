package io.hybridlakehouse.plugin;

import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.connector.SchemaTableName;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Statements that replace a table's contents or read it as of a past point must see exactly
 * the rows of one table state: the hot segments of a replaced table never reappear, and a
 * query as of a time includes the hot rows visible then. The stock Iceberg connector on the
 * same rows is the reference where it applies.
 */
public class TestHybridReplaceAndTimeTravel
        extends AbstractTestQueryFramework
{
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path warehouse = Files.createTempDirectory("hybrid-replace");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        DistributedQueryRunner queryRunner = LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.tiering.interval", "1s")
                .addCatalogProperty("hybrid.segments.grace-period", "5s")
                .withStockIcebergCatalog()
                .build();
        queryRunner.execute("CREATE SCHEMA iceberg.tpch");
        return queryRunner;
    }

    @Test
    public void testCreateOrReplaceAsSelectLeavesOnlyTheNewRows()
    {
        assertUpdate("CREATE TABLE replaced (id bigint, region varchar) WITH (partitioning = ARRAY['region'])");
        assertUpdate("INSERT INTO replaced SELECT orderkey, orderpriority FROM tpch.tiny.orders ORDER BY orderkey LIMIT 100", 100);
        assertThat(computeScalar("SELECT count(*) FROM \"replaced$segments\" WHERE state = 'ACTIVE'")).isNotEqualTo(0L);

        assertUpdate("CREATE OR REPLACE TABLE replaced AS SELECT orderkey AS id, orderpriority AS region FROM tpch.tiny.orders WHERE orderkey <= 5", 5);
        assertQuery("SELECT count(*), sum(id) FROM replaced", "VALUES (5, 15)");
        assertThat(computeScalar("SELECT count(*) FROM \"replaced$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM \"replaced$segments\" WHERE state = 'REPLACED'")).isNotEqualTo(0L);

        // the replacement is a hybrid table like any other: new INSERTs land hot and are read once
        assertUpdate("INSERT INTO replaced VALUES (1000000, 'x')", 1);
        assertQuery("SELECT count(*) FROM replaced", "VALUES 6");

        // the same statements on the stock connector give the same rows
        assertUpdate("CREATE TABLE iceberg.tpch.replaced (id bigint, region varchar) WITH (partitioning = ARRAY['region'])");
        assertUpdate("INSERT INTO iceberg.tpch.replaced SELECT orderkey, orderpriority FROM tpch.tiny.orders ORDER BY orderkey LIMIT 100", 100);
        assertUpdate("CREATE OR REPLACE TABLE iceberg.tpch.replaced AS SELECT orderkey AS id, orderpriority AS region FROM tpch.tiny.orders WHERE orderkey <= 5", 5);
        assertUpdate("INSERT INTO iceberg.tpch.replaced VALUES (1000000, 'x')", 1);
        assertThat(computeActual("SELECT * FROM replaced ORDER BY id").getMaterializedRows())
                .isEqualTo(computeActual("SELECT * FROM iceberg.tpch.replaced ORDER BY id").getMaterializedRows());
        assertUpdate("DROP TABLE iceberg.tpch.replaced");

        // replaced by an empty table with another schema: none of the old rows come back
        assertUpdate("CREATE OR REPLACE TABLE replaced (id bigint, extra varchar)");
        assertQuery("SELECT count(*) FROM replaced", "VALUES 0");
        assertUpdate("INSERT INTO replaced VALUES (7, 'seven')", 1);
        assertQuery("SELECT * FROM replaced", "VALUES (7, 'seven')");
        assertUpdate("DROP TABLE replaced");
    }

    @Test
    public void testCreateOrReplaceWithTieredAndHotRows()
    {
        assertUpdate("CREATE TABLE replaced_mixed (id bigint)");
        assertUpdate("INSERT INTO replaced_mixed SELECT orderkey FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'replaced_mixed')");
        assertUpdate("INSERT INTO replaced_mixed VALUES 1, 2, 3", 3);
        assertQuery("SELECT count(*) FROM replaced_mixed", "VALUES 15003");
        assertUpdate("CREATE OR REPLACE TABLE replaced_mixed AS SELECT BIGINT '42' AS id", 1);
        assertQuery("SELECT * FROM replaced_mixed", "VALUES 42");
        // tiering after the replace moves nothing of the old table
        assertUpdate("INSERT INTO replaced_mixed VALUES 43", 1);
        assertUpdate("CALL system.tier_table('tpch', 'replaced_mixed')");
        assertQuery("SELECT * FROM replaced_mixed", "VALUES 42, 43");
        // replacing with lake mode takes the replacement's settings
        assertUpdate("CREATE OR REPLACE TABLE replaced_mixed (id bigint) WITH (mode = 'lake')");
        assertThat((String) computeScalar("SHOW CREATE TABLE replaced_mixed")).contains("mode = 'lake'");
        assertQuery("SELECT count(*) FROM replaced_mixed", "VALUES 0");
        assertUpdate("DROP TABLE replaced_mixed");
    }

    @Test
    public void testConcurrentReadersSeeTheOldOrTheNewTable()
            throws Exception
    {
        assertUpdate("CREATE TABLE generations (generation bigint, id bigint)");
        assertUpdate("INSERT INTO generations SELECT 0, x FROM UNNEST(sequence(1, 100)) t(x)", 100);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int reader = 0; reader < 2; reader++) {
                readers.add(executor.submit(() -> {
                    int reads = 0;
                    while (!done.get()) {
                        MaterializedRow row = computeActual("SELECT count(DISTINCT generation), count(*) FROM generations").getMaterializedRows().getFirst();
                        // one generation per read; each has 7 rows from its CREATE OR REPLACE plus 100 hot rows once inserted
                        assertThat((long) row.getField(0)).isEqualTo(1L);
                        assertThat((long) row.getField(1)).isIn(7L, 100L, 107L);
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int generation = 1; generation <= 8; generation++) {
                assertUpdate("CREATE OR REPLACE TABLE generations AS SELECT BIGINT '%d' AS generation, x AS id FROM UNNEST(sequence(1, 7)) t(x)".formatted(generation), 7);
                assertUpdate("INSERT INTO generations SELECT %d, x FROM UNNEST(sequence(8, 107)) t(x)".formatted(generation), 100);
            }
            done.set(true);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
            }
        }
        finally {
            done.set(true);
            executor.shutdownNow();
        }
        assertQuery("SELECT generation, count(*) FROM generations GROUP BY generation", "VALUES (8, 107)");
        assertUpdate("DROP TABLE generations");
    }

    @Test
    public void testDropCreateRenameAndDropSchemaCascade()
    {
        assertUpdate("CREATE TABLE reused (id bigint)");
        assertUpdate("INSERT INTO reused VALUES 1, 2, 3", 3);
        assertUpdate("DROP TABLE reused");
        assertUpdate("CREATE TABLE reused (id bigint)");
        assertQuery("SELECT count(*) FROM reused", "VALUES 0");
        assertQuery("SELECT count(*) FROM \"reused$segments\"", "VALUES 0");

        // a table renamed onto the name of a dropped one brings its own rows only
        assertUpdate("INSERT INTO reused VALUES 4", 1);
        assertUpdate("CREATE TABLE other (id bigint)");
        assertUpdate("INSERT INTO other VALUES 10, 20", 2);
        assertUpdate("DROP TABLE reused");
        assertUpdate("ALTER TABLE other RENAME TO reused");
        assertQuery("SELECT * FROM reused", "VALUES 10, 20");
        assertUpdate("DROP TABLE reused");

        // DROP SCHEMA ... CASCADE drops the hot tiers of its tables too
        assertUpdate("CREATE SCHEMA cascaded");
        assertUpdate("CREATE TABLE cascaded.hot (id bigint)");
        assertUpdate("INSERT INTO cascaded.hot VALUES 1, 2", 2);
        assertUpdate("DROP SCHEMA cascaded CASCADE");
        assertThat(segmentStore().listTables()).noneMatch(table -> table.name().getSchemaName().equals("cascaded"));
        assertUpdate("CREATE SCHEMA cascaded");
        assertUpdate("CREATE TABLE cascaded.hot (id bigint)");
        assertQuery("SELECT count(*) FROM cascaded.hot", "VALUES 0");
        assertUpdate("DROP SCHEMA cascaded CASCADE");
    }

    @Test
    public void testTimeTravelIncludesTheHotRowsVisibleThen()
            throws Exception
    {
        assertUpdate("CREATE TABLE travel (id bigint, region varchar) WITH (partitioning = ARRAY['region'])");
        assertUpdate("INSERT INTO travel SELECT orderkey, orderpriority FROM tpch.tiny.orders", 15000);
        assertUpdate("CALL system.tier_table('tpch', 'travel')");
        long tieredSnapshot = (long) computeScalar("SELECT snapshot_id FROM \"travel$snapshots\" ORDER BY committed_at DESC LIMIT 1");
        Instant afterTiering = waitForNextMillisecond();
        assertUpdate("INSERT INTO travel VALUES (100001, 'a')", 1);
        Instant afterFirstHot = waitForNextMillisecond();
        assertUpdate("INSERT INTO travel VALUES (100002, 'b'), (100003, 'b')", 2);

        // just now: every row, as the plain query sees them
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF " + literal(waitForNextMillisecond()), "VALUES 15003");
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s".formatted(literal(afterFirstHot)), "VALUES 15001");
        assertQuery("SELECT count(*), max(id) FROM travel FOR TIMESTAMP AS OF %s".formatted(literal(afterTiering)), "VALUES (15000, 60000)");
        // a snapshot id: the table when that snapshot was committed
        assertQuery("SELECT count(*) FROM travel FOR VERSION AS OF " + tieredSnapshot, "VALUES 15000");

        // compaction and tiering move rows between segments and files, the past stays as it was
        assertUpdate("CALL system.compact_segments('tpch', 'travel')");
        Instant afterCompaction = waitForNextMillisecond();
        assertUpdate("CALL system.tier_table('tpch', 'travel')");
        long secondTiering = (long) computeScalar("SELECT snapshot_id FROM \"travel$snapshots\" ORDER BY committed_at DESC LIMIT 1");
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s".formatted(literal(afterFirstHot)), "VALUES 15001");
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s".formatted(literal(afterCompaction)), "VALUES 15003");
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF " + literal(waitForNextMillisecond()), "VALUES 15003");
        assertQuery("SELECT count(*) FROM travel", "VALUES 15003");

        // a query reading the table now and as of a past time keeps the two apart
        assertQuery("SELECT (SELECT count(*) FROM travel), (SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s)".formatted(literal(afterFirstHot)), "VALUES (15003, 15001)");
        assertQuery("SELECT (SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s), (SELECT count(*) FROM travel)".formatted(literal(afterFirstHot)), "VALUES (15001, 15003)");

        // once the dropped segments are purged (grace period 5s), that history is gone: a clear error, not fewer rows
        long waitUntil = System.currentTimeMillis() + 60_000;
        while (!segmentStore().purgedHistory(tableUuid("travel")).map(purged -> purged.droppedBefore().isAfter(afterCompaction)).orElse(false) && System.currentTimeMillis() < waitUntil) {
            Thread.sleep(500);
        }
        assertQueryFails("SELECT count(*) FROM travel FOR TIMESTAMP AS OF %s".formatted(literal(afterFirstHot)),
                "Cannot read tpch.travel as of .*: its hot tier is kept as of .* or later only .*hybrid.segments.grace-period.*Query a later point in time");
        assertQuery("SELECT count(*) FROM travel FOR TIMESTAMP AS OF " + literal(waitForNextMillisecond()), "VALUES 15003");
        // the snapshot that tiered the purged segments holds them: it reads as of its own commit, a moment before they were dropped
        assertQuery("SELECT count(*) FROM travel FOR VERSION AS OF " + secondTiering, "VALUES 15003");
        assertUpdate("DROP TABLE travel");
    }

    @Test
    public void testTimeTravelToBeforeAReplace()
            throws Exception
    {
        List<String> catalogs = List.of("lakehouse", "iceberg");
        for (String catalog : catalogs) {
            assertUpdate("CREATE TABLE %s.tpch.replaced_travel (a integer)".formatted(catalog));
            assertUpdate("INSERT INTO %s.tpch.replaced_travel VALUES 1, 2".formatted(catalog), 2);
        }
        Instant beforeReplace = waitForNextMillisecond();
        for (String catalog : catalogs) {
            assertUpdate("CREATE OR REPLACE TABLE %s.tpch.replaced_travel (a integer, b varchar)".formatted(catalog));
            assertUpdate("INSERT INTO %s.tpch.replaced_travel VALUES (3, 'x')".formatted(catalog), 1);
        }
        Instant beforeSecondReplace = waitForNextMillisecond();
        for (String catalog : catalogs) {
            assertUpdate("CREATE OR REPLACE TABLE %1$s.tpch.replaced_travel AS SELECT a * 10 AS a, b FROM %1$s.tpch.replaced_travel".formatted(catalog), 1);
        }
        Instant now = waitForNextMillisecond();

        // each point reads the table that was there then, hot rows included, as the stock connector does
        assertQuery("SELECT * FROM replaced_travel FOR TIMESTAMP AS OF " + literal(beforeReplace), "VALUES 1, 2");
        assertQuery("SELECT * FROM replaced_travel FOR TIMESTAMP AS OF " + literal(beforeSecondReplace), "VALUES (3, 'x')");
        assertQuery("SELECT * FROM replaced_travel FOR TIMESTAMP AS OF " + literal(now), "VALUES (30, 'x')");
        for (Instant point : List.of(beforeReplace, beforeSecondReplace, now)) {
            assertThat(computeActual("SELECT * FROM lakehouse.tpch.replaced_travel FOR TIMESTAMP AS OF " + literal(point)).getMaterializedRows())
                    .as("as of %s", point)
                    .containsExactlyInAnyOrderElementsOf(computeActual("SELECT * FROM iceberg.tpch.replaced_travel FOR TIMESTAMP AS OF " + literal(point)).getMaterializedRows());
        }
        for (String catalog : catalogs) {
            assertUpdate("DROP TABLE %s.tpch.replaced_travel".formatted(catalog));
        }
    }

    @Test
    public void testTimeTravelReadsHotRowsWithTheSchemaOfTheirTime()
            throws Exception
    {
        List<String> catalogs = List.of("lakehouse", "iceberg");
        List<String> statements = List.of(
                "CREATE TABLE %s.tpch.evolving (id integer, v bigint)",
                "INSERT INTO %s.tpch.evolving VALUES (0, 0)",
                "ALTER TABLE %s.tpch.evolving DROP COLUMN v",
                "ALTER TABLE %s.tpch.evolving ADD COLUMN v varchar",
                "INSERT INTO %s.tpch.evolving VALUES (1, 'new')",
                "ALTER TABLE %s.tpch.evolving ADD COLUMN extra bigint",
                "INSERT INTO %s.tpch.evolving VALUES (2, 'two', 60)",
                "ALTER TABLE %s.tpch.evolving RENAME COLUMN v TO w",
                "INSERT INTO %s.tpch.evolving VALUES (3, 'three', 70)",
                "ALTER TABLE %s.tpch.evolving ALTER COLUMN id SET DATA TYPE bigint",
                "INSERT INTO %s.tpch.evolving VALUES (5000000000, 'big', 80)",
                "ALTER TABLE %s.tpch.evolving ADD COLUMN later double");
        List<Instant> points = new ArrayList<>();
        for (String statement : statements) {
            for (String catalog : catalogs) {
                getQueryRunner().execute(statement.formatted(catalog));
            }
            points.add(waitForNextMillisecond());
        }
        // the stock connector commits each INSERT as a snapshot with the schema of its time; ours keeps them hot
        assertThat((long) computeScalar("SELECT count(*) FROM \"evolving$segments\" WHERE state = 'ACTIVE'")).isGreaterThanOrEqualTo(4L);
        for (Instant point : points.subList(1, points.size())) {
            assertThat(computeActual("SELECT * FROM lakehouse.tpch.evolving FOR TIMESTAMP AS OF " + literal(point)).getMaterializedRows())
                    .as("as of %s", point)
                    .containsExactlyInAnyOrderElementsOf(computeActual("SELECT * FROM iceberg.tpch.evolving FOR TIMESTAMP AS OF " + literal(point)).getMaterializedRows());
        }
        assertQuery("SELECT id, w, extra FROM evolving FOR TIMESTAMP AS OF " + literal(points.get(10)),
                "VALUES (0, NULL, NULL), (1, 'new', NULL), (2, 'two', 60), (3, 'three', 70), (5000000000, 'big', 80)");
        for (String catalog : catalogs) {
            assertUpdate("DROP TABLE %s.tpch.evolving".formatted(catalog));
        }
    }

    @Test
    public void testRollbackWaitsForHotRowsToBeTiered()
    {
        List<String> catalogs = List.of("lakehouse", "iceberg");
        for (String catalog : catalogs) {
            assertUpdate("CREATE TABLE %s.tpch.rolled (a integer)".formatted(catalog));
            assertUpdate("INSERT INTO %s.tpch.rolled VALUES 1".formatted(catalog), 1);
        }
        assertUpdate("CALL system.tier_table('tpch', 'rolled')");
        String latestSnapshot = "SELECT snapshot_id FROM %s.tpch.\"rolled$snapshots\" ORDER BY committed_at DESC LIMIT 1";
        long ours = (long) computeScalar(latestSnapshot.formatted("lakehouse"));
        long stock = (long) computeScalar(latestSnapshot.formatted("iceberg"));
        for (String catalog : catalogs) {
            assertUpdate("INSERT INTO %s.tpch.rolled VALUES 2".formatted(catalog), 1);
        }

        // the hot row would outlive a rollback of the Iceberg table: refused, nothing changed
        assertQueryFails("ALTER TABLE rolled EXECUTE rollback_to_snapshot(snapshot_id => %s)".formatted(ours),
                ".*Cannot run ALTER TABLE \\.\\.\\. EXECUTE rollback_to_snapshot on tpch.rolled: 1 of its rows are still in hot segments, not in its Iceberg snapshot\\. Run CALL system.tier_table\\('tpch', 'rolled'\\) first, then the rollback .*");
        assertQueryFails("CALL system.rollback_to_snapshot('tpch', 'rolled', %s)".formatted(ours),
                ".*Cannot run CALL system\\.rollback_to_snapshot on tpch.rolled: 1 of its rows are still in hot segments.*");
        assertQuery("SELECT * FROM rolled", "VALUES 1, 2");

        // tiered, it rolls back as the stock connector does
        assertUpdate("CALL system.tier_table('tpch', 'rolled')");
        assertUpdate("ALTER TABLE rolled EXECUTE rollback_to_snapshot(snapshot_id => %s)".formatted(ours));
        assertUpdate("ALTER TABLE iceberg.tpch.rolled EXECUTE rollback_to_snapshot(snapshot_id => %s)".formatted(stock));
        assertQuery("SELECT * FROM rolled", "VALUES 1");
        for (String catalog : catalogs) {
            assertUpdate("INSERT INTO %s.tpch.rolled VALUES 3".formatted(catalog), 1);
        }
        assertThat(computeActual("SELECT * FROM lakehouse.tpch.rolled").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual("SELECT * FROM iceberg.tpch.rolled").getMaterializedRows());
        for (String catalog : catalogs) {
            assertUpdate("DROP TABLE %s.tpch.rolled".formatted(catalog));
        }
    }

    private String tableUuid(String table)
    {
        return segmentStore().getTable(new SchemaTableName("tpch", table)).orElseThrow().tableUuid();
    }

    private SegmentStore segmentStore()
    {
        return ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(SegmentStore.class);
    }

    private static Instant waitForNextMillisecond()
            throws InterruptedException
    {
        Thread.sleep(20);
        Instant now = Instant.now();
        Thread.sleep(20);
        return now;
    }

    private static String literal(Instant instant)
    {
        return "TIMESTAMP '%s UTC'".formatted(TIMESTAMP.format(instant));
    }
}
