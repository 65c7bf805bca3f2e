package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DELETE, UPDATE, MERGE and TRUNCATE on tables whose rows are hot, cold or both: each
 * statement moves the hot rows it may change to Iceberg first and changes exactly the rows a
 * stock Iceberg table would, while concurrent INSERTs and readers go on.
 */
public class TestHybridRowLevelChanges
        extends AbstractTestQueryFramework
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder().build();
    }

    @Test
    public void testDeleteHotRows()
    {
        assertUpdate("CREATE TABLE delete_hot (id bigint, name varchar)");
        assertUpdate("INSERT INTO delete_hot VALUES (1, 'a'), (2, 'b'), (3, 'c')", 3);
        assertUpdate("INSERT INTO delete_hot VALUES (4, 'd')", 1);
        assertUpdate("DELETE FROM delete_hot WHERE id = 2", 1);
        assertQuery("SELECT id, name FROM delete_hot", "VALUES (1, 'a'), (3, 'c'), (4, 'd')");
        assertThat(computeScalar("SELECT count(*) FROM \"delete_hot$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);

        // later INSERTs are hot again, and a second DELETE reaches them too
        assertUpdate("INSERT INTO delete_hot VALUES (5, 'e'), (6, 'f')", 2);
        assertUpdate("DELETE FROM delete_hot WHERE id IN (1, 6)", 2);
        assertQuery("SELECT id FROM delete_hot", "VALUES 3, 4, 5");
        assertUpdate("DELETE FROM delete_hot", 3);
        assertQuery("SELECT count(*) FROM delete_hot", "VALUES 0");
        assertUpdate("DROP TABLE delete_hot");
    }

    @Test
    public void testDeleteMatchesReferenceOnEveryTierState()
    {
        // a row-level predicate, whole partitions (a metadata delete, after the hot rows move to Iceberg files), and a predicate on both
        List<String> predicates = List.of("custkey % 7 = 0", "orderstatus = 'P'", "orderstatus <> 'P'", "orderstatus = 'F' AND totalprice > 100000");
        Set<String> wholePartitions = Set.of("orderstatus = 'P'", "orderstatus <> 'P'");
        String rows = "SELECT orderkey, custkey, orderstatus, totalprice, orderdate FROM tpch.tiny.orders";
        for (String predicate : predicates) {
            // the same rows cold (bulk load), hot (INSERT) and mixed
            assertUpdate("CREATE TABLE delete_cold WITH (partitioning = ARRAY['orderstatus']) AS " + rows, 15_000);
            assertUpdate("CREATE TABLE delete_hot_only WITH (partitioning = ARRAY['orderstatus']) AS " + rows + " WITH NO DATA", 0);
            assertUpdate("INSERT INTO delete_hot_only " + rows, 15_000);
            assertUpdate("CREATE TABLE delete_mixed WITH (partitioning = ARRAY['orderstatus']) AS " + rows + " WHERE orderkey % 2 = 0", "SELECT count(*) FROM orders WHERE orderkey % 2 = 0");
            assertUpdate("INSERT INTO delete_mixed " + rows + " WHERE orderkey % 2 = 1", "SELECT count(*) FROM orders WHERE orderkey % 2 = 1");
            for (String table : List.of("delete_cold", "delete_hot_only", "delete_mixed")) {
                assertUpdate("DELETE FROM %s WHERE %s".formatted(table, predicate), "SELECT count(*) FROM orders WHERE " + predicate);
                assertQuery("SELECT orderkey, custkey, orderstatus, totalprice, orderdate FROM " + table,
                        "SELECT orderkey, custkey, orderstatus, totalprice, orderdate FROM orders WHERE NOT (%s)".formatted(predicate));
                if (wholePartitions.contains(predicate)) {
                    // whole files dropped, none written
                    assertThat(computeScalar("SELECT count(*) FROM \"%s$files\" WHERE content <> 0".formatted(table))).as(table).isEqualTo(0L);
                }
                assertUpdate("DROP TABLE " + table);
            }
        }
    }

    @Test
    public void testUpdateAndMergeOnMixedTiers()
    {
        assertUpdate("CREATE TABLE update_mixed AS SELECT regionkey AS id, name, 0 AS version FROM tpch.tiny.region WHERE regionkey < 3", 3);
        assertUpdate("INSERT INTO update_mixed SELECT regionkey, name, 0 FROM tpch.tiny.region WHERE regionkey >= 3", 2);
        assertUpdate("UPDATE update_mixed SET version = version + 1 WHERE id IN (1, 4)", 2);
        assertQuery("SELECT id, version FROM update_mixed", "VALUES (0, 0), (1, 1), (2, 0), (3, 0), (4, 1)");

        assertUpdate("INSERT INTO update_mixed VALUES (5, 'ARCTIC', 0)", 1);
        assertUpdate("MERGE INTO update_mixed t USING (VALUES (4, 'X'), (5, 'Y'), (6, 'Z')) s (id, name) ON t.id = s.id " +
                "WHEN MATCHED AND s.id = 5 THEN DELETE " +
                "WHEN MATCHED THEN UPDATE SET name = s.name, version = t.version + 1 " +
                "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, 0)", 3);
        assertQuery("SELECT id, name, version FROM update_mixed",
                "VALUES (0, 'AFRICA', 0), (1, 'AMERICA', 1), (2, 'ASIA', 0), (3, 'EUROPE', 0), (4, 'X', 2), (6, 'Z', 0)");
        assertUpdate("DROP TABLE update_mixed");
    }

    @Test
    public void testTruncateHotAndColdRows()
    {
        assertUpdate("CREATE TABLE truncated AS SELECT * FROM tpch.tiny.nation", 25);
        assertUpdate("INSERT INTO truncated SELECT * FROM tpch.tiny.nation", 25);
        assertUpdate("TRUNCATE TABLE truncated");
        assertQuery("SELECT count(*) FROM truncated", "VALUES 0");
        assertUpdate("INSERT INTO truncated SELECT * FROM tpch.tiny.nation WHERE regionkey = 1", 5);
        assertQuery("SELECT count(*) FROM truncated", "VALUES 5");
        assertUpdate("DROP TABLE truncated");
    }

    @Test
    public void testBaseOfMaterializedViewKeepsItsRule()
    {
        assertUpdate("CREATE TABLE viewed_base (day date, amount bigint)");
        assertUpdate("INSERT INTO viewed_base VALUES (DATE '2026-11-25', 10)", 1);
        assertUpdate("CREATE MATERIALIZED VIEW viewed_daily AS SELECT day, sum(amount) AS amount FROM viewed_base GROUP BY day");
        assertQueryFails("DELETE FROM viewed_base WHERE amount = 10", ".*materialized view.*");
        assertQuery("SELECT amount FROM viewed_daily", "VALUES 10");
        assertUpdate("DROP MATERIALIZED VIEW viewed_daily");
        assertUpdate("DROP TABLE viewed_base");
    }

    @Test
    public void testDeleteWhileInsertsAndReadersRun()
            throws Exception
    {
        // stream 'a' exists before the DELETE, which removes its even ids; stream 'b' is inserted meanwhile and must all stay
        assertUpdate("CREATE TABLE busy (stream varchar, id bigint)");
        for (int batch = 0; batch < 10; batch++) {
            assertUpdate("INSERT INTO busy SELECT 'a', x FROM UNNEST(sequence(%d, %d)) t(x)".formatted(batch * 100, batch * 100 + 99), 100);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2);
        AtomicBoolean deleting = new AtomicBoolean(true);
        AtomicInteger insertedBatches = new AtomicInteger();
        List<Long> countsSeen = new ArrayList<>();
        try {
            Future<?> inserts = executor.submit(() -> {
                while (deleting.get()) {
                    int batch = insertedBatches.get();
                    getQueryRunner().execute("INSERT INTO busy SELECT 'b', x FROM UNNEST(sequence(%d, %d)) t(x)".formatted(batch * 10, batch * 10 + 9));
                    insertedBatches.incrementAndGet();
                }
            });
            Future<?> reads = executor.submit(() -> {
                while (deleting.get()) {
                    long count = (Long) getQueryRunner().execute("SELECT count(*) FROM busy WHERE stream = 'a'").getOnlyValue();
                    synchronized (countsSeen) {
                        countsSeen.add(count);
                    }
                }
            });
            while (insertedBatches.get() == 0) {
                Thread.sleep(10);
            }
            assertUpdate("DELETE FROM busy WHERE stream = 'a' AND id % 2 = 0", 500);
            deleting.set(false);
            inserts.get(2, TimeUnit.MINUTES);
            reads.get(2, TimeUnit.MINUTES);
        }
        finally {
            deleting.set(false);
            executor.shutdownNow();
        }
        // the odd ids 1..999
        assertQuery("SELECT count(*), sum(id) FROM busy WHERE stream = 'a'", "VALUES (500, 250000)");
        assertQuery("SELECT count(*) FROM busy WHERE stream = 'b'", "VALUES " + insertedBatches.get() * 10);
        // readers saw the rows of stream 'a' whole, then halved: never a state in between
        assertThat(countsSeen).allSatisfy(count -> assertThat(count).isIn(1000L, 500L));
        assertUpdate("DROP TABLE busy");
    }

    @Test
    public void testRowChangesWhileTieringCommits()
            throws Exception
    {
        // tiering appends rows inserted after a statement began, which the statement neither saw nor changes: it must not fail it
        assertUpdate("CREATE TABLE tiered_busy (stream varchar, id bigint)");
        assertUpdate("INSERT INTO tiered_busy SELECT 'a', x FROM UNNEST(sequence(0, 9999)) t(x)", 10_000);
        assertUpdate("CALL system.tier_table('tpch', 'tiered_busy')");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        AtomicBoolean changing = new AtomicBoolean(true);
        AtomicInteger insertedBatches = new AtomicInteger();
        try {
            Future<?> tiering = executor.submit(() -> {
                while (changing.get()) {
                    int batch = insertedBatches.get();
                    // rows the statements' filters could match (the same stream) but do not (ids ending in 9, from 100000 up)
                    getQueryRunner().execute("INSERT INTO tiered_busy SELECT 'a', 100000 + %d * 100 + x * 10 + 9 FROM UNNEST(sequence(0, 9)) t(x)".formatted(batch));
                    insertedBatches.incrementAndGet();
                    getQueryRunner().execute("CALL system.tier_table('tpch', 'tiered_busy')");
                }
            });
            while (insertedBatches.get() == 0) {
                Thread.sleep(10);
            }
            // each round changes other rows: ids ending in 0-2 deleted, 3-5 negated, 6-8 deleted by MERGE, 9 untouched
            for (int round = 0; round < 3; round++) {
                assertUpdate("DELETE FROM tiered_busy WHERE stream = 'a' AND id %% 10 = %d".formatted(round), 1000);
                assertUpdate("UPDATE tiered_busy SET id = -id WHERE stream = 'a' AND id %% 10 = %d".formatted(round + 3), 1000);
                assertUpdate("MERGE INTO tiered_busy t USING (SELECT x FROM UNNEST(sequence(0, 9999)) u(x) WHERE x %% 10 = %d) s ON t.stream = 'a' AND t.id = s.x WHEN MATCHED THEN DELETE".formatted(round + 6), 1000);
            }
            changing.set(false);
            tiering.get(2, TimeUnit.MINUTES);
        }
        finally {
            changing.set(false);
            executor.shutdownNow();
        }
        assertQuery("SELECT count(*), count_if(id < 0) FROM tiered_busy WHERE id < 100000", "VALUES (4000, 3000)");
        assertQuery("SELECT count(*), count(DISTINCT id) FROM tiered_busy WHERE id >= 100000", "VALUES (%1$d, %1$d)".formatted(insertedBatches.get() * 10));
        assertUpdate("DROP TABLE tiered_busy");
    }
}
