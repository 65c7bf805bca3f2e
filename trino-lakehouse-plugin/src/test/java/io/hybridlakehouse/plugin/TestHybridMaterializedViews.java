package io.hybridlakehouse.plugin;

import io.hybridlakehouse.plugin.mv.ViewMaintenance;
import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.stateTable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Synchronous materialized views: after every INSERT, and in every tier state of base and
 * view, {@code SELECT * FROM mv} equals the view's defining query run on its bases.
 */
public class TestHybridMaterializedViews
        extends AbstractTestQueryFramework
{
    private static final String EVENTS = """
            SELECT
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '37' MINUTE) AS timestamp(6)) AS ts,
                element_at(ARRAY['beijing', 'shanghai', 'guangdong', 'overseas'], x %% 4 + 1) AS region,
                CAST(x %% 97 AS bigint) AS user_id,
                CAST(x %% 1000 / 10.0 AS decimal(12, 2)) AS amount,
                CASE WHEN x %% 5 = 0 THEN NULL ELSE CAST(x %% 7 AS integer) END AS score,
                element_at(ARRAY['ios', 'android', 'pc'], x %% 3 + 1) AS device
            FROM UNNEST(sequence(%d, %d)) t(x)""";

    private static final String DAILY = """
            SELECT date_trunc('day', ts) AS day, region,
                   count(*) AS events, count(score) AS scored, sum(amount) AS amount, sum(score) AS score_sum,
                   min(amount) AS low, max(ts) AS last_seen, avg(amount) AS mean_amount, avg(score) AS mean_score,
                   approx_distinct(user_id) AS users
            FROM plays
            WHERE device <> 'pc' OR amount > 50
            GROUP BY date_trunc('day', ts), region""";

    private static final String STITCHED = """
            SELECT day, region, sum(plays) AS plays, sum(likes) AS likes, sum(shares) AS shares, approx_distinct(user_id) AS users, max(amount) AS top_amount
            FROM (
                SELECT date_trunc('day', ts) AS day, region, 1 AS plays, 0 AS likes, 0 AS shares, user_id, amount FROM plays
                UNION ALL
                SELECT date_trunc('day', ts), region, 0, 1, 0, user_id, amount FROM likes WHERE device IN ('ios', 'android')
                UNION ALL
                SELECT date_trunc('day', ts), region, 0, 0, 1, user_id, amount FROM shares)
            GROUP BY day, region""";

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path warehouse = Files.createTempDirectory("hybrid-mv");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .build();
    }

    @Test
    public void testSingleBaseViewEqualsItsQueryInEveryTierState()
    {
        createBase("plays");
        insert("plays", 0, 499);
        assertUpdate("CREATE MATERIALIZED VIEW daily_plays WITH (partitioning = ARRAY['day(day)']) AS " + DAILY);
        assertView("daily_plays", DAILY);

        insert("plays", 500, 650);
        assertView("daily_plays", DAILY);
        assertUpdate("CALL system.tier_table('tpch', 'plays')");
        assertView("daily_plays", DAILY);
        insert("plays", 651, 700);
        insert("plays", 20, 40);
        assertView("daily_plays", DAILY);

        // the state table compacts and tiers like any table
        String state = stateTable(getQueryRunner(), "daily_plays");
        assertThat((long) computeScalar("SELECT count(*) FROM \"%s\"".formatted(state))).isGreaterThan((long) computeScalar("SELECT count(*) FROM daily_plays"));
        assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(state));
        // compaction folds the deltas of each partition into one row per key
        assertThat(computeScalar("SELECT count(*) FROM \"%s\"".formatted(state))).isEqualTo(computeScalar("SELECT count(*) FROM daily_plays"));
        assertView("daily_plays", DAILY);
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(state));
        insert("plays", 701, 720);
        assertView("daily_plays", DAILY);

        // REFRESH rebuilds from the base rows
        assertUpdate("REFRESH MATERIALIZED VIEW daily_plays");
        assertView("daily_plays", DAILY);
        assertThat(stateTable(getQueryRunner(), "daily_plays")).isNotEqualTo(state);
        insert("plays", 721, 730);
        assertView("daily_plays", DAILY);

        assertUpdate("DROP MATERIALIZED VIEW daily_plays");
        assertThat(computeActual("SHOW TABLES LIKE '\\_mv\\_daily\\_plays%' ESCAPE '\\'").getRowCount()).isZero();
        assertUpdate("DROP TABLE plays");
    }

    @Test
    public void testMetricStitchingOfTwoBases()
            throws Exception
    {
        createBase("plays");
        createBase("likes");
        createBase("shares");
        insert("plays", 0, 300);
        insert("likes", 100, 250);
        insert("shares", 50, 60);
        assertUpdate("CREATE MATERIALIZED VIEW stitched AS " + STITCHED);
        assertView("stitched", STITCHED);
        insert("shares", 61, 90);
        assertView("stitched", STITCHED);
        assertThat(computeScalar("SELECT count(*) FROM \"stitched$segments\" WHERE state = 'ACTIVE'")).isNotEqualTo(0L);
        assertThat(computeScalar("SELECT sum(record_count) FROM \"stitched$partitions\""))
                .isEqualTo(computeScalar("SELECT count(*) FROM \"%s\"".formatted(stateTable(getQueryRunner(), "stitched"))));

        // concurrent INSERTs into two bases while the state compacts and tiers: exact at the end
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Future<?> plays = executor.submit(() -> {
                for (int i = 0; i < 6; i++) {
                    insert("plays", 1000 + i * 10, 1009 + i * 10);
                }
            });
            Future<?> likes = executor.submit(() -> {
                for (int i = 0; i < 6; i++) {
                    insert("likes", 2000 + i * 10, 2009 + i * 10);
                }
            });
            assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), "stitched")));
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), "stitched")));
            plays.get(2, TimeUnit.MINUTES);
            likes.get(2, TimeUnit.MINUTES);
        }
        finally {
            executor.shutdownNow();
        }
        assertView("stitched", STITCHED);
        assertUpdate("DROP MATERIALIZED VIEW stitched");
        assertUpdate("DROP TABLE plays");
        assertUpdate("DROP TABLE likes");
        assertUpdate("DROP TABLE shares");
    }

    @Test
    public void testCreateWhileInsertsGoOn()
            throws Exception
    {
        createBase("streaming");
        insert("streaming", 0, 2000);
        String definition = "SELECT region, device, count(*) AS events, sum(amount) AS amount, approx_distinct(user_id) AS users FROM streaming GROUP BY region, device";
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> stream = executor.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    insert("streaming", 3000 + i * 20, 3019 + i * 20);
                }
            });
            // the view registers at some point of the stream: INSERTs before it are built in, INSERTs after it maintain it
            assertUpdate("CREATE MATERIALIZED VIEW streaming_view AS " + definition);
            stream.get(2, TimeUnit.MINUTES);
        }
        finally {
            executor.shutdownNow();
        }
        assertView("streaming_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW streaming_view");
        assertUpdate("DROP TABLE streaming");
    }

    @Test
    public void testDimensionJoinedAtWriteTime()
    {
        createBase("orders_fact");
        assertUpdate("CREATE TABLE devices (device varchar, maker varchar, tier integer)");
        assertUpdate("INSERT INTO devices VALUES ('ios', 'apple', 1), ('android', 'various', 2)", 2);
        insert("orders_fact", 0, 200);
        String definition = """
                SELECT date_trunc('month', f.ts) AS month, d.maker, count(*) AS orders, sum(f.amount) AS amount, max(d.tier) AS tier
                FROM orders_fact f LEFT JOIN devices d ON f.device = d.device
                GROUP BY date_trunc('month', f.ts), d.maker""";
        String inner = "SELECT d.maker, f.region, count(*) AS orders FROM orders_fact f JOIN devices d ON f.device = d.device WHERE d.tier = 1 GROUP BY d.maker, f.region";
        assertUpdate("CREATE MATERIALIZED VIEW by_maker AS " + definition);
        assertUpdate("CREATE MATERIALIZED VIEW apple_regions AS " + inner);
        assertView("by_maker", definition);
        assertView("apple_regions", inner);
        insert("orders_fact", 201, 300);
        assertView("by_maker", definition);
        assertView("apple_regions", inner);

        // a dimension row is looked up as of each INSERT: changing it later does not rewrite what was aggregated
        List<?> before = computeActual("SELECT * FROM by_maker WHERE maker = 'apple'").getMaterializedRows();
        assertUpdate("INSERT INTO devices VALUES ('pc', 'lenovo', 3)", 1);
        assertThat(computeActual("SELECT * FROM by_maker WHERE maker = 'apple'").getMaterializedRows()).isEqualTo(before);
        insert("orders_fact", 301, 400);
        // pc rows inserted before the dimension knew 'pc' stay without maker, the ones after have it
        assertThat(computeScalar("SELECT sum(orders) FROM by_maker WHERE maker IS NULL"))
                .isEqualTo(computeScalar("SELECT count(*) FROM UNNEST(sequence(0, 300)) t(x) WHERE x % 3 = 2"));
        assertThat(computeScalar("SELECT sum(orders) FROM by_maker WHERE maker = 'lenovo'"))
                .isEqualTo(computeScalar("SELECT count(*) FROM UNNEST(sequence(301, 400)) t(x) WHERE x % 3 = 2"));
        assertThat(computeScalar("SELECT sum(orders) FROM by_maker")).isEqualTo(401L);

        // an INSERT that would give a join key a second row is refused, keeping nothing, so INSERTs into the base go on
        assertQueryFails("INSERT INTO devices VALUES ('ios', 'again', 4)",
                "Cannot INSERT into tpch.devices: it would give the join key \\[device\\] = ios a second row, and materialized view tpch.(by_maker|apple_regions) joins tpch.devices at write time on it, which needs one row per key\\. Nothing was inserted.*");
        assertQueryFails("INSERT INTO devices VALUES ('tv', 'sony', 5), ('tv', 'lg', 6)", "Cannot INSERT into tpch.devices: it would give the join key \\[device\\] = tv a second row.*");
        assertThat(computeScalar("SELECT count(*) FROM devices")).isEqualTo(3L);
        // NULL keys match nothing and may repeat
        assertUpdate("INSERT INTO devices VALUES ('tv', 'sony', 5), (NULL, 'unknown', 0), (NULL, 'unknown', 0)", 3);
        assertUpdate("ALTER TABLE devices SET PROPERTIES mode = 'lake'");
        assertQueryFails("INSERT INTO devices VALUES ('pc', 'dell', 7)", "Cannot INSERT into tpch.devices: it would give the join key \\[device\\] = pc a second row.*");
        assertUpdate("ALTER TABLE devices SET PROPERTIES mode = 'hybrid'");
        assertThat(computeScalar("SELECT count(*) FROM devices")).isEqualTo(6L);
        insert("orders_fact", 401, 420);
        assertThat(computeScalar("SELECT sum(orders) FROM by_maker")).isEqualTo(421L);
        assertThat(computeScalar("SELECT sum(orders) FROM by_maker WHERE maker = 'lenovo'"))
                .isEqualTo(computeScalar("SELECT count(*) FROM UNNEST(sequence(301, 420)) t(x) WHERE x % 3 = 2"));

        assertUpdate("DROP MATERIALIZED VIEW by_maker");
        assertUpdate("DROP MATERIALIZED VIEW apple_regions");
        assertUpdate("INSERT INTO devices VALUES ('ios', 'again', 4)", 1);
        assertQueryFails("CREATE MATERIALIZED VIEW duplicated AS " + inner, ".*Dimension table tpch.devices has more than one row for the join key \\[device\\].*");
        assertUpdate("DROP TABLE orders_fact");
        assertUpdate("DROP TABLE devices");
    }

    @Test
    public void testJoinKeysMatchAsTrinoComparesThem()
    {
        // Trino's join matches -0.0 with 0.0, and NaN with nothing
        assertUpdate("CREATE TABLE readings (sensor double, reading bigint)");
        assertUpdate("CREATE TABLE sensors (sensor double, site varchar)");
        assertUpdate("INSERT INTO sensors VALUES (-0E0, 'zero'), (nan(), 'nan'), (1E0, 'one')", 3);
        String inner = "SELECT s.site, count(*) AS readings, sum(r.reading) AS total FROM readings r JOIN sensors s ON r.sensor = s.sensor GROUP BY s.site";
        String left = "SELECT s.site, count(*) AS readings, sum(r.reading) AS total FROM readings r LEFT JOIN sensors s ON r.sensor = s.sensor GROUP BY s.site";
        assertUpdate("CREATE MATERIALIZED VIEW readings_by_site AS " + inner);
        assertUpdate("CREATE MATERIALIZED VIEW readings_by_site_or_none AS " + left);
        assertUpdate("INSERT INTO readings VALUES (0E0, 1), (-0E0, 2), (nan(), 4), (1E0, 8), (2E0, 16)", 5);
        assertView("readings_by_site", inner);
        assertView("readings_by_site_or_none", left);
        assertThat(computeActual("SELECT site FROM readings_by_site").getOnlyColumnAsSet()).containsExactlyInAnyOrder("zero", "one");

        // Trino compares a bigint with a double as doubles, a cast the write-time join does not guess
        assertUpdate("CREATE TABLE readings_by_id (sensor bigint, reading bigint)");
        assertRejected("CREATE MATERIALIZED VIEW by_id AS SELECT s.site, count(*) AS readings FROM readings_by_id r JOIN sensors s ON r.sensor = s.sensor GROUP BY s.site",
                "the join key .*sensor \\(bigint\\) = s\\.sensor \\(double\\) of different types.*cast the key");
        String cast = "SELECT s.site, count(*) AS readings FROM readings_by_id r JOIN sensors s ON CAST(r.sensor AS double) = s.sensor GROUP BY s.site";
        assertUpdate("CREATE MATERIALIZED VIEW by_id AS " + cast);
        assertUpdate("INSERT INTO readings_by_id VALUES (0, 1), (1, 2), (1, 4), (3, 8)", 4);
        assertView("by_id", cast);
        // exact numeric keys of different types compare by value, as Trino's decimal comparison does
        String exact = "SELECT s.site, count(*) AS readings FROM readings r JOIN exact_sites s ON r.reading = s.code GROUP BY s.site";
        assertUpdate("CREATE TABLE exact_sites (code decimal(10, 2), site varchar)");
        assertUpdate("INSERT INTO exact_sites VALUES (1.00, 'one'), (4.50, 'four and a half'), (16, 'sixteen')", 3);
        assertUpdate("CREATE MATERIALIZED VIEW by_code AS " + exact);
        assertUpdate("INSERT INTO readings VALUES (5E0, 1), (6E0, 4)", 2);
        assertView("by_code", exact);

        for (String view : List.of("readings_by_site", "readings_by_site_or_none", "by_id", "by_code")) {
            assertUpdate("DROP MATERIALIZED VIEW " + view);
        }
        for (String table : List.of("readings", "readings_by_id", "sensors", "exact_sites")) {
            assertUpdate("DROP TABLE " + table);
        }
    }

    @Test
    public void testFilterComparesFloatingPointAsTrinoDoes()
    {
        // NaN compares false with anything but <> (and IS DISTINCT FROM), -0.0 equals 0.0
        assertUpdate("CREATE TABLE measures (label varchar, x double, r real)");
        List<String> filters = List.of(
                "x > 1.0 OR x = 0",
                "x <> 2 AND x >= -1",
                "x IS DISTINCT FROM 0 AND NOT (x < 5)",
                "x IN (0, 10) OR x BETWEEN -7 AND -5",
                "r IS NULL OR x IS NULL");
        for (int index = 0; index < filters.size(); index++) {
            assertUpdate("CREATE MATERIALIZED VIEW measures_%s AS SELECT label, count(*) AS readings FROM measures WHERE %s GROUP BY label".formatted(index, filters.get(index)));
        }
        assertUpdate("INSERT INTO measures VALUES ('nan', nan(), nan()), ('negative zero', -0E0, REAL '-0'), ('two', 2, 2), ('minus six', -6, -6), ('ten', 10, 16777216), ('null', NULL, NULL)", 6);
        for (int index = 0; index < filters.size(); index++) {
            assertView("measures_" + index, "SELECT label, count(*) AS readings FROM measures WHERE %s GROUP BY label".formatted(filters.get(index)));
            assertUpdate("DROP MATERIALIZED VIEW measures_" + index);
        }
        // Trino's own r IN (0, 1) leaves out -0.0 where r = 0 takes it, and it unwraps casts of r
        for (String filter : List.of("r IN (0, 1)", "r = 0", "CAST(r AS double) IN (0, 1)", "x > 0 AND r BETWEEN 0 AND 1")) {
            assertRejected("CREATE MATERIALIZED VIEW by_real AS SELECT label, count(*) AS readings FROM measures WHERE %s GROUP BY label".formatted(filter), "comparing a real column in WHERE");
        }
        assertUpdate("DROP TABLE measures");
    }

    @Test
    public void testDefinitionsReadAsTrinoReadsThem()
    {
        assertUpdate("CREATE TABLE notes (ts timestamp(6), note varchar, amount bigint)");
        // without keys the view has its one row over no rows too: counts 0, sums NULL
        String global = "SELECT count(*) AS notes, count(note) AS noted, sum(amount) AS amount, approx_distinct(note) AS distinct_notes FROM notes WHERE amount > 100 GROUP BY ()";
        // literals as Trino writes them; LIKE by character, a character outside the BMP being one
        String literals = "SELECT note, count(*) AS notes FROM notes WHERE ts >= TIMESTAMP '2026-11-01' AND ts < TIMESTAMP '2026-11-3 8:00' AND ts <> TIMESTAMP '2026-11-02 00:00:00.5' OR note LIKE '\uD83D\uDE00_%' GROUP BY note";
        assertUpdate("CREATE MATERIALIZED VIEW notes_total AS " + global);
        assertUpdate("CREATE MATERIALIZED VIEW notes_by_literals AS " + literals);
        assertView("notes_total", global);
        assertUpdate("INSERT INTO notes VALUES (TIMESTAMP '2026-11-01 00:00:00', 'a', 1), (TIMESTAMP '2026-11-02 00:00:00.5', 'b', 2), (TIMESTAMP '2026-11-03 07:59:59', 'c', 3), (TIMESTAMP '2026-11-03 08:00:00', 'd', 4), (TIMESTAMP '2020-01-01 00:00:00', '\uD83D\uDE00x\uD83D\uDE00', 5)", 5);
        assertView("notes_total", global);
        assertView("notes_by_literals", literals);
        assertThat(computeActual("SELECT note FROM notes_by_literals").getOnlyColumnAsSet()).containsExactlyInAnyOrder("a", "c", "\uD83D\uDE00x\uD83D\uDE00");
        // finer than microseconds, the view could not compare as Trino does
        assertRejected("CREATE MATERIALIZED VIEW too_fine AS SELECT note, count(*) AS notes FROM notes WHERE ts >= TIMESTAMP '2026-11-01 00:00:00.0000001' GROUP BY note", "more than 6 fractional digits");
        // unqualified names are in the session's catalog, which is not this one
        Session tpch = Session.builder(getSession()).setCatalog("tpch").setSchema("tiny").build();
        assertQueryFails(tpch, "CREATE MATERIALIZED VIEW lakehouse.tpch.other_catalog AS SELECT orderstatus, count(*) AS orders FROM orders GROUP BY orderstatus",
                ".*the table orders, which names no catalog while the session's catalog is tpch.*");
        assertUpdate("DROP MATERIALIZED VIEW notes_total");
        assertUpdate("DROP MATERIALIZED VIEW notes_by_literals");
        assertUpdate("DROP TABLE notes");
    }

    @Test
    public void testDimensionColumnsKeepTheTypesViewsComputedThemWith()
    {
        createBase("retyped_fact");
        assertUpdate("CREATE TABLE retyped_devices (device varchar, weight integer, price bigint, tier integer, code integer)");
        assertUpdate("INSERT INTO retyped_devices VALUES ('ios', 1, 10, 1, 7), ('android', 2, 20, 2, 8)", 2);
        String definition = "SELECT tier, max(weight) AS heaviest, sum(price) AS price FROM retyped_fact f JOIN retyped_devices d ON f.device = d.device GROUP BY tier";
        assertUpdate("CREATE MATERIALIZED VIEW by_tier AS " + definition);
        insert("retyped_fact", 0, 20);

        // the view's max is an integer column and its sum a bigint one: refused before anything
        // changes, where every later INSERT into the base failed on a value the view could not hold
        assertQueryFails("ALTER TABLE retyped_devices ALTER COLUMN weight SET DATA TYPE bigint",
                "Cannot run ALTER TABLE \\.\\.\\. SET DATA TYPE on tpch.retyped_devices: materialized view tpch.by_tier reads it at each INSERT and could no longer be maintained " +
                        "\\(the argument of heaviest, of type integer, which would become bigint\\)\\. Drop the view first.*");
        assertQueryFails("ALTER TABLE retyped_devices ALTER COLUMN tier SET DATA TYPE bigint",
                ".*could no longer be maintained \\(the key tier, of type integer, which would become bigint\\).*");
        assertQueryFails("CREATE OR REPLACE TABLE retyped_devices (device varchar, weight integer, price double, tier integer)",
                "Cannot run CREATE OR REPLACE TABLE on tpch.retyped_devices: .*\\(the argument of price, of type bigint, which would become double\\).*");
        assertQuery("SELECT typeof(weight), typeof(price), typeof(tier), count(*) FROM retyped_devices GROUP BY 1, 2, 3", "VALUES ('integer', 'bigint', 'integer', 2)");

        // a column the view does not read changes freely, and the view goes on
        assertUpdate("ALTER TABLE retyped_devices ALTER COLUMN code SET DATA TYPE bigint");
        assertUpdate("CREATE OR REPLACE TABLE retyped_devices (device varchar, weight integer, price bigint, tier integer, released date)");
        assertUpdate("INSERT INTO retyped_devices VALUES ('ios', 3, 30, 1, DATE '2026-01-01')", 1);
        insert("retyped_fact", 21, 40);
        // rows of the first INSERT joined the dimension as it was then, those of the second as replaced
        assertThat(query("SELECT tier, heaviest, price FROM by_tier")).matches("SELECT tier, max(weight), sum(price) FROM (" +
                "SELECT d.* FROM retyped_fact f JOIN (VALUES ('ios', 1, BIGINT '10', 1), ('android', 2, BIGINT '20', 2)) d(device, weight, price, tier) ON f.device = d.device WHERE f.ts < TIMESTAMP '2026-11-01 12:30:00' " +
                "UNION ALL SELECT d.* FROM retyped_fact f JOIN (VALUES ('ios', 3, BIGINT '30', 1)) d(device, weight, price, tier) ON f.device = d.device WHERE f.ts >= TIMESTAMP '2026-11-01 12:30:00') GROUP BY tier");
        assertUpdate("DROP MATERIALIZED VIEW by_tier");
        assertUpdate("ALTER TABLE retyped_devices ALTER COLUMN weight SET DATA TYPE bigint");
        assertUpdate("DROP TABLE retyped_fact");
        assertUpdate("DROP TABLE retyped_devices");
    }

    @Test
    public void testTablesOfViewsChangeColumnsOnlyAsTheViewsCanFollow()
    {
        createBase("renamed_fact");
        assertUpdate("CREATE TABLE renamed_devices (device varchar, maker varchar, model varchar)");
        assertUpdate("INSERT INTO renamed_devices VALUES ('ios', 'apple', 'iphone'), ('android', 'google', 'pixel')", 2);
        String definition = "SELECT maker, count(*) AS orders, sum(amount) AS amount FROM renamed_fact f JOIN renamed_devices d ON f.device = d.device GROUP BY maker";
        assertUpdate("CREATE MATERIALIZED VIEW by_renamed_maker AS " + definition);
        insert("renamed_fact", 0, 20);

        // refused before anything changes: every later INSERT into the base would fail
        assertQueryFails("ALTER TABLE renamed_devices RENAME COLUMN maker TO brand",
                "Cannot run ALTER TABLE \\.\\.\\. RENAME COLUMN on tpch.renamed_devices: materialized view tpch.by_renamed_maker reads it at each INSERT and could no longer be maintained " +
                        "\\(the column maker, which none of the view's tables has\\)\\. Drop the view first.*");
        assertQueryFails("ALTER TABLE renamed_devices DROP COLUMN device",
                ".*could no longer be maintained \\(the join column device, which dimension table tpch.renamed_devices does not have\\).*");
        // maker is read unqualified: a base column of that name would make it ambiguous
        assertQueryFails("ALTER TABLE renamed_fact ADD COLUMN maker varchar",
                ".*ADD COLUMN on tpch.renamed_fact: .*\\(the column maker, which more than one of the view's tables has: it must be qualified with its table's name or alias\\).*");
        assertQuery("SELECT count(maker), count(model) FROM renamed_devices", "VALUES (2, 2)");
        assertQueryReturnsEmptyResult("SELECT column_name FROM information_schema.columns WHERE table_name = 'renamed_fact' AND column_name = 'maker'");

        // changes every view can follow
        assertUpdate("ALTER TABLE renamed_devices RENAME COLUMN model TO model_name");
        assertUpdate("ALTER TABLE renamed_devices ADD COLUMN launched date");
        assertUpdate("ALTER TABLE renamed_devices DROP COLUMN launched");
        assertUpdate("ALTER TABLE renamed_fact ADD COLUMN note varchar");
        assertUpdate("INSERT INTO renamed_fact (ts, region, user_id, amount, score, device) " + EVENTS.formatted(21, 40), 20);
        assertView("by_renamed_maker", definition);

        // a replaced dimension keeps its name: the same check on the new table's columns
        assertQueryFails("CREATE OR REPLACE TABLE renamed_devices (device varchar, brand varchar)",
                ".*Cannot run CREATE OR REPLACE TABLE on tpch.renamed_devices: .*\\(the column maker, which none of the view's tables has\\).*");
        assertQuery("SELECT count(maker) FROM renamed_devices", "VALUES 2");
        assertUpdate("CREATE OR REPLACE TABLE renamed_devices (device varchar, maker varchar)");
        assertUpdate("INSERT INTO renamed_devices VALUES ('ios', 'apple')", 1);
        assertUpdate("INSERT INTO renamed_fact (ts, region, user_id, amount, score, device) " + EVENTS.formatted(41, 50), 10);
        // rows aggregated before the replace keep the dimension rows of their INSERT; later ones see only 'ios'
        assertThat(computeScalar("SELECT sum(orders) FROM by_renamed_maker"))
                .isEqualTo(computeScalar("SELECT count_if(x <= 40 AND x % 3 IN (0, 1)) + count_if(x > 40 AND x % 3 = 0) FROM UNNEST(sequence(0, 50)) t(x)"));

        // each INSERT looks the dimension up by name
        assertQueryFails("DROP TABLE renamed_devices", ".*materialized views \\[tpch.by_renamed_maker\\] join it as a dimension.*");
        assertQueryFails("ALTER TABLE renamed_devices RENAME TO devices_elsewhere", ".*join it as a dimension.*");
        assertQueryFails("CALL system.unregister_table('tpch', 'renamed_devices')", ".*Cannot run CALL system\\.unregister_table on tpch.renamed_devices: materialized views \\[tpch.by_renamed_maker\\] join it as a dimension.*");
        assertRejected("CREATE MATERIALIZED VIEW self_joined AS SELECT d.maker, count(*) AS orders FROM renamed_devices f JOIN renamed_devices d ON f.device = d.device GROUP BY d.maker",
                "joined as a dimension: a dimension is another table");
        assertUpdate("DROP MATERIALIZED VIEW by_renamed_maker");
        // with the view gone, the columns are the tables' own again
        assertUpdate("ALTER TABLE renamed_devices RENAME COLUMN maker TO brand");
        assertUpdate("DROP TABLE renamed_fact");
        assertUpdate("DROP TABLE renamed_devices");
    }

    @Test
    public void testFieldsOfRowColumnsChangeOnlyWhereNoViewReadsThem()
    {
        assertUpdate("CREATE TABLE nested_base (region varchar, amount bigint, info row(device varchar, version integer))");
        assertUpdate("CREATE TABLE nested_dim (region varchar, zone varchar, meta row(owner varchar, since integer))");
        assertUpdate("INSERT INTO nested_dim VALUES ('north', 'z1', ROW('ann', 2020)), ('south', 'z2', ROW('bob', 2021))", 2);
        String definition = "SELECT d.zone, count(*) AS events, sum(b.amount) AS amount FROM nested_base b JOIN nested_dim d ON b.region = d.region GROUP BY d.zone";
        assertUpdate("CREATE MATERIALIZED VIEW nested_by_zone AS " + definition);

        // on a base with views, as its columns: no drop, no rename
        assertQueryFails("ALTER TABLE nested_base DROP COLUMN info.version",
                "Cannot run ALTER TABLE \\.\\.\\. DROP COLUMN info\\.version on tpch\\.nested_base: materialized views \\[tpch\\.nested_by_zone\\] are maintained from its INSERTs.*");
        assertQueryFails("ALTER TABLE nested_base RENAME COLUMN info.device TO platform",
                "Cannot run ALTER TABLE \\.\\.\\. RENAME COLUMN info\\.device on tpch\\.nested_base: materialized views \\[tpch\\.nested_by_zone\\].*");
        assertQueryFails("ALTER TABLE nested_base ALTER COLUMN info.version SET DATA TYPE bigint",
                "Cannot run ALTER TABLE \\.\\.\\. ALTER COLUMN info\\.version SET DATA TYPE on tpch\\.nested_base: materialized views \\[tpch\\.nested_by_zone\\].*");
        // an added field changes nothing the view reads
        assertUpdate("ALTER TABLE nested_base ADD COLUMN info.build varchar");
        // a dimension's row column no view reads changes freely
        assertUpdate("ALTER TABLE nested_dim ADD COLUMN meta.team varchar");
        assertUpdate("ALTER TABLE nested_dim ADD COLUMN meta.rank integer");
        assertUpdate("ALTER TABLE nested_dim ALTER COLUMN meta.since SET DATA TYPE bigint");
        assertUpdate("ALTER TABLE nested_dim DROP COLUMN meta.since");
        assertUpdate("ALTER TABLE nested_dim RENAME COLUMN meta.owner TO lead");

        assertUpdate("INSERT INTO nested_base VALUES ('north', 5, ROW('ios', 1, 'b1')), ('south', 7, ROW('pc', 2, NULL)), ('north', 1, NULL)", 3);
        assertView("nested_by_zone", definition);

        // a view reads whole columns, not fields of row columns
        assertRejected("CREATE MATERIALIZED VIEW by_version AS SELECT info.version AS version, count(*) AS events FROM nested_base GROUP BY info.version",
                "the field version of row column info: a view reads whole columns");
        assertRejected("CREATE MATERIALIZED VIEW by_since AS SELECT b.region, max(d.meta.rank) AS top FROM nested_base b JOIN nested_dim d ON b.region = d.region GROUP BY b.region",
                "the field rank of row column d.meta: a view reads whole columns");

        // a view that keys by the dimension's row column: no field of it changes
        String byLead = "SELECT d.meta AS meta, count(*) AS events FROM nested_base b JOIN nested_dim d ON b.region = d.region GROUP BY d.meta";
        assertUpdate("CREATE MATERIALIZED VIEW nested_by_lead AS " + byLead);
        assertQueryFails("ALTER TABLE nested_dim DROP COLUMN meta.team",
                "Cannot run ALTER TABLE \\.\\.\\. DROP COLUMN meta\\.team on tpch\\.nested_dim: materialized view tpch\\.nested_by_lead reads its column meta at each INSERT.*");
        assertQueryFails("ALTER TABLE nested_dim ADD COLUMN meta.site varchar", ".*materialized view tpch\\.nested_by_lead reads its column meta.*");
        assertQueryFails("ALTER TABLE nested_dim ALTER COLUMN meta.rank SET DATA TYPE bigint", ".*SET DATA TYPE on tpch\\.nested_dim: materialized view tpch\\.nested_by_lead reads its column meta.*");
        assertView("nested_by_lead", byLead);
        assertUpdate("DROP MATERIALIZED VIEW nested_by_lead");
        assertUpdate("DROP MATERIALIZED VIEW nested_by_zone");
        assertUpdate("DROP TABLE nested_base");
        assertUpdate("DROP TABLE nested_dim");
    }

    @Test
    public void testDropSchemaCascadeKeepsTablesViewsElsewhereRead()
    {
        assertUpdate("CREATE SCHEMA cascade_facts");
        assertUpdate("CREATE SCHEMA cascade_dims");
        createBase("cascade_facts.fact");
        assertUpdate("CREATE TABLE cascade_dims.devices (device varchar, maker varchar)");
        assertUpdate("INSERT INTO cascade_dims.devices VALUES ('ios', 'apple'), ('android', 'google')", 2);
        String definition = "SELECT d.maker, count(*) AS orders FROM cascade_facts.fact f JOIN cascade_dims.devices d ON f.device = d.device GROUP BY d.maker";
        assertUpdate("CREATE MATERIALIZED VIEW cascade_by_maker AS " + definition);
        assertUpdate("CREATE MATERIALIZED VIEW cascade_facts.daily AS SELECT date_trunc('day', ts) AS day, count(*) AS events FROM cascade_facts.fact GROUP BY date_trunc('day', ts)");
        insert("cascade_facts.fact", 0, 20);

        // Iceberg drops a schema's tables past DROP TABLE's checks: refused before anything is dropped
        assertQueryFails("DROP SCHEMA cascade_dims CASCADE",
                "Cannot run DROP SCHEMA \\.\\.\\. CASCADE on schema cascade_dims: materialized views \\[tpch.cascade_by_maker\\] in other schemas read its tables at each INSERT, as bases or dimensions\\. Drop them first.*");
        assertQueryFails("DROP SCHEMA cascade_facts CASCADE", ".*materialized views \\[tpch.cascade_by_maker\\] in other schemas read its tables.*");
        insert("cascade_facts.fact", 21, 40);
        assertView("cascade_by_maker", definition);
        assertQuery("SELECT sum(events) FROM cascade_facts.daily", "VALUES 41");

        // a view in the schema itself goes with it
        assertUpdate("DROP MATERIALIZED VIEW cascade_by_maker");
        assertUpdate("DROP SCHEMA cascade_facts CASCADE");
        assertUpdate("DROP SCHEMA cascade_dims CASCADE");
        assertThat(computeActual("SELECT schema_name FROM information_schema.schemata").getOnlyColumnAsSet()).doesNotContain("cascade_facts", "cascade_dims");
    }

    @Test
    public void testFailedInsertChangesNeitherBaseNorView()
    {
        createBase("failing");
        insert("failing", 0, 100);
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount FROM failing GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW failing_view AS " + definition);
        List<?> before = computeActual("SELECT * FROM failing_view ORDER BY region").getMaterializedRows();
        long baseRows = (long) computeScalar("SELECT count(*) FROM failing");
        ViewMaintenance maintenance = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(ViewMaintenance.class);
        maintenance.setBeforeInsertCommitForTesting(() -> {
            throw new RuntimeException("injected failure between writing view deltas and the commit");
        });
        try {
            assertQueryFails("INSERT INTO failing " + EVENTS.formatted(200, 300), ".*injected failure between writing view deltas and the commit.*");
        }
        finally {
            maintenance.setBeforeInsertCommitForTesting(() -> {});
        }
        assertThat(computeScalar("SELECT count(*) FROM failing")).isEqualTo(baseRows);
        assertThat(computeActual("SELECT * FROM failing_view ORDER BY region").getMaterializedRows()).isEqualTo(before);
        insert("failing", 200, 300);
        assertView("failing_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW failing_view");
        assertUpdate("DROP TABLE failing");
    }

    @Test
    public void testInsertCommittingAfterARefreshMaintainsTheNewState()
    {
        createBase("raced");
        insert("raced", 0, 100);
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount FROM raced GROUP BY region";
        ViewMaintenance maintenance = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(ViewMaintenance.class);
        // the INSERT found no view; one is created (and built from the rows committed before the INSERT) before it commits
        AtomicBoolean created = new AtomicBoolean();
        maintenance.setBeforeInsertCommitForTesting(() -> {
            if (created.compareAndSet(false, true)) {
                assertUpdate("CREATE MATERIALIZED VIEW raced_view AS " + definition);
            }
        });
        try {
            insert("raced", 101, 150);
        }
        finally {
            maintenance.setBeforeInsertCommitForTesting(() -> {});
        }
        assertThat(created.get()).isTrue();
        assertView("raced_view", definition);

        String stateBefore = stateTable(getQueryRunner(), "raced_view");
        // the INSERT computed its deltas for the state table the view had; a REFRESH then builds
        // a new one from the rows committed before the INSERT and switches the view to it
        AtomicBoolean refreshed = new AtomicBoolean();
        maintenance.setBeforeInsertCommitForTesting(() -> {
            if (refreshed.compareAndSet(false, true)) {
                assertUpdate("REFRESH MATERIALIZED VIEW raced_view");
            }
        });
        try {
            insert("raced", 200, 300);
        }
        finally {
            maintenance.setBeforeInsertCommitForTesting(() -> {});
        }
        assertThat(refreshed.get()).isTrue();
        assertThat(computeScalar("SELECT sum(events) FROM raced_view")).isEqualTo(252L);
        assertThat(stateTable(getQueryRunner(), "raced_view")).isNotEqualTo(stateBefore);
        assertView("raced_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW raced_view");
        assertUpdate("DROP TABLE raced");
    }

    @Test
    public void testRefreshAndReplaceKeepTheViewReadableThroughout()
            throws Exception
    {
        createBase("rebuilt");
        insert("rebuilt", 0, 300);
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount FROM rebuilt GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW rebuilt_view AS " + definition);

        // reads running all through REFRESHes and INSERTs never fail: a read that fetched the
        // view's definition before a REFRESH goes on reading the state table it named
        ExecutorService executor = Executors.newSingleThreadExecutor();
        AtomicBoolean refreshing = new AtomicBoolean(true);
        try {
            Future<Integer> reads = executor.submit(() -> {
                int count = 0;
                while (refreshing.get()) {
                    assertThat((long) computeScalar("SELECT sum(events) FROM rebuilt_view")).isGreaterThanOrEqualTo(301L);
                    count++;
                }
                return count;
            });
            for (int i = 0; i < 4; i++) {
                insert("rebuilt", 1000 + i * 10, 1009 + i * 10);
                assertUpdate("REFRESH MATERIALIZED VIEW rebuilt_view");
            }
            refreshing.set(false);
            assertThat(reads.get(60, TimeUnit.SECONDS)).isPositive();
        }
        finally {
            refreshing.set(false);
            executor.shutdownNow();
        }
        assertView("rebuilt_view", definition);

        // the former state table stays readable, and hidden, until the tiering service drops it a grace period later
        String before = stateTable(getQueryRunner(), "rebuilt_view");
        long stateRows = (long) computeScalar("SELECT count(*) FROM \"%s\"".formatted(before));
        assertUpdate("REFRESH MATERIALIZED VIEW rebuilt_view");
        assertThat(stateTable(getQueryRunner(), "rebuilt_view")).isNotEqualTo(before);
        assertThat(computeScalar("SELECT count(*) FROM \"%s\"".formatted(before))).isEqualTo(stateRows);
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).noneMatch(name -> ((String) name).startsWith("_mv_"));

        // a REFRESH whose build fails keeps the view: it answers from its base, and INSERTs go on maintaining it
        ViewMaintenance maintenance = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(ViewMaintenance.class);
        maintenance.setBeforeBuildCommitForTesting(() -> {
            throw new RuntimeException("injected failure before committing the built state");
        });
        try {
            assertQueryFails("REFRESH MATERIALIZED VIEW rebuilt_view",
                    "Building materialized view tpch.rebuilt_view failed: injected failure before committing the built state\\. The view answers from its base tables, correctly but without its stored state, until its build completes: " +
                            "the background service resumes it after hybrid.materialized-views.build-lease, or run REFRESH MATERIALIZED VIEW tpch.rebuilt_view");
        }
        finally {
            maintenance.setBeforeBuildCommitForTesting(() -> {});
        }
        assertView("rebuilt_view", definition);
        insert("rebuilt", 2000, 2050);
        assertView("rebuilt_view", definition);
        // its base's rows stay hot until the view is built again: tiering on demand says so
        assertQueryFails("CALL system.tier_table('tpch', 'rebuilt')",
                "Cannot tier tpch.rebuilt now: materialized views \\[tpch.rebuilt_view\\] are being built from its rows, which stay hot until the build is done\\. A build no statement runs any more is resumed by the background service.*");
        assertUpdate("REFRESH MATERIALIZED VIEW rebuilt_view");
        assertUpdate("CALL system.tier_table('tpch', 'rebuilt')");
        assertThat(computeScalar("SELECT count(*) FROM \"rebuilt$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertView("rebuilt_view", definition);
        insert("rebuilt", 2100, 2110);
        assertView("rebuilt_view", definition);

        // a replacement the connector cannot maintain leaves the view as it was; one it can replaces it
        assertQueryFails("CREATE OR REPLACE MATERIALIZED VIEW rebuilt_view AS SELECT * FROM rebuilt", ".*no GROUP BY.*");
        assertView("rebuilt_view", definition);
        String replacement = "SELECT device, max(amount) AS top FROM rebuilt GROUP BY device";
        assertUpdate("CREATE OR REPLACE MATERIALIZED VIEW rebuilt_view AS " + replacement);
        assertView("rebuilt_view", replacement);
        insert("rebuilt", 2200, 2210);
        assertView("rebuilt_view", replacement);
        assertUpdate("DROP MATERIALIZED VIEW rebuilt_view");
        assertUpdate("DROP TABLE rebuilt");

        // retired state tables do not keep their schema from being dropped
        assertUpdate("CREATE SCHEMA rebuilt_schema");
        assertUpdate("CREATE TABLE rebuilt_schema.facts (region varchar, amount bigint)");
        assertUpdate("INSERT INTO rebuilt_schema.facts VALUES ('a', 1), ('b', 2)", 2);
        assertUpdate("CREATE MATERIALIZED VIEW rebuilt_schema.totals AS SELECT region, sum(amount) AS amount FROM rebuilt_schema.facts GROUP BY region");
        assertUpdate("REFRESH MATERIALIZED VIEW rebuilt_schema.totals");
        assertUpdate("DROP MATERIALIZED VIEW rebuilt_schema.totals");
        assertUpdate("DROP TABLE rebuilt_schema.facts");
        assertUpdate("DROP SCHEMA rebuilt_schema");
        assertThat(computeActual("SELECT schema_name FROM information_schema.schemata").getOnlyColumnAsSet()).doesNotContain("rebuilt_schema");
    }

    @Test
    public void testOverlappingBuildsKeepWhatTheLaterStatementMade()
    {
        createBase("overlapped");
        insert("overlapped", 0, 200);
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount FROM overlapped GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW overlapped_view AS " + definition);
        ViewMaintenance maintenance = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(ViewMaintenance.class);

        // a second REFRESH, and an INSERT it maintains, while the first one builds: the first one's state must not take over
        AtomicBoolean overtake = new AtomicBoolean(true);
        maintenance.setBeforeBuildCommitForTesting(() -> {
            if (overtake.getAndSet(false)) {
                assertUpdate("REFRESH MATERIALIZED VIEW overlapped_view");
                insert("overlapped", 300, 350);
            }
        });
        try {
            assertQueryFails("REFRESH MATERIALIZED VIEW overlapped_view",
                    "Building tpch.overlapped_view failed: materialized view tpch.overlapped_view was refreshed or replaced by another statement while this one built it; nothing of this build was kept.*");
        }
        finally {
            maintenance.setBeforeBuildCommitForTesting(() -> {});
        }
        assertView("overlapped_view", definition);
        insert("overlapped", 400, 420);
        assertView("overlapped_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW overlapped_view");

        // a DROP while the view is created leaves no view
        overtake.set(true);
        maintenance.setBeforeBuildCommitForTesting(() -> {
            if (overtake.getAndSet(false)) {
                assertUpdate("DROP MATERIALIZED VIEW overlapped_view");
            }
        });
        try {
            assertQueryFails("CREATE MATERIALIZED VIEW overlapped_view AS " + definition,
                    "Building tpch.overlapped_view failed: materialized view tpch.overlapped_view was dropped by another statement while this one built it.*");
        }
        finally {
            maintenance.setBeforeBuildCommitForTesting(() -> {});
        }
        assertThat(computeActual("SELECT name FROM system.metadata.materialized_views WHERE catalog_name = 'lakehouse' AND schema_name = 'tpch'").getOnlyColumnAsSet())
                .doesNotContain("overlapped_view");
        insert("overlapped", 500, 510);
        assertUpdate("DROP TABLE overlapped");
    }

    @Test
    public void testBaseRetentionKeepsViewRows()
    {
        createBase("kept");
        insert("kept", 0, 400);
        String definition = "SELECT date_trunc('day', ts) AS day, count(*) AS events FROM kept GROUP BY date_trunc('day', ts)";
        assertUpdate("CREATE MATERIALIZED VIEW kept_daily WITH (retention = '3650d', partitioning = ARRAY['day(day)']) AS " + definition);
        List<?> before = computeActual("SELECT * FROM kept_daily ORDER BY day").getMaterializedRows();
        assertUpdate("ALTER TABLE kept SET PROPERTIES retention = '1d'");
        assertUpdate("CALL system.apply_retention('tpch', 'kept')");
        assertThat(computeScalar("SELECT count(*) FROM kept")).isEqualTo(0L);
        // the view has its own retention: the base's never deletes view rows
        assertThat(computeActual("SELECT * FROM kept_daily ORDER BY day").getMaterializedRows()).isEqualTo(before);
        assertThat((String) computeScalar("SHOW CREATE MATERIALIZED VIEW kept_daily")).contains("retention = '3650d'");
        assertUpdate("DROP MATERIALIZED VIEW kept_daily");
        assertUpdate("DROP TABLE kept");
    }

    @Test
    public void testPartitionedViewTakesWritesOverManyPartitions()
    {
        // more days than one Iceberg writer opens partitions for (max_partitions_per_writer, 100)
        String days = "SELECT TIMESTAMP '%s 00:00:00' + x * INTERVAL '1' DAY, x FROM UNNEST(sequence(1, 250)) t(x)";
        assertUpdate("CREATE TABLE backfilled (ts timestamp(6), amount bigint)");
        assertUpdate("INSERT INTO backfilled " + days.formatted("2020-01-01"), 250);
        String definition = "SELECT date_trunc('day', ts) AS day, count(*) AS events, sum(amount) AS amount FROM backfilled GROUP BY date_trunc('day', ts)";
        assertUpdate("CREATE MATERIALIZED VIEW backfilled_daily WITH (partitioning = ARRAY['day(day)']) AS " + definition);
        assertView("backfilled_daily", definition);

        assertUpdate("INSERT INTO backfilled " + days.formatted("2021-01-01"), 250);
        assertUpdate(Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "max_partitions_per_writer", "7").build(),
                "INSERT INTO backfilled " + days.formatted("2020-06-01"), 250);
        assertView("backfilled_daily", definition);
        assertThat(computeScalar("SELECT count(*) FROM backfilled_daily")).isEqualTo(computeScalar("SELECT count(DISTINCT date_trunc('day', ts)) FROM backfilled"));
        assertUpdate("DROP MATERIALIZED VIEW backfilled_daily");
        assertUpdate("DROP TABLE backfilled");
    }

    @Test
    public void testAlterViewProperties()
    {
        createBase("kept_long");
        insert("kept_long", 0, 400);
        String definition = "SELECT date_trunc('day', ts) AS day, count(*) AS events FROM kept_long GROUP BY date_trunc('day', ts)";
        assertUpdate("CREATE MATERIALIZED VIEW kept_long_daily WITH (partitioning = ARRAY['day(day)']) AS " + definition);
        assertQueryFails("CALL system.apply_retention('tpch', 'kept_long_daily')",
                "Materialized view tpch.kept_long_daily has no retention: set one with ALTER MATERIALIZED VIEW tpch.kept_long_daily SET PROPERTIES retention = '7d'");

        assertUpdate("ALTER MATERIALIZED VIEW kept_long_daily SET PROPERTIES retention = '1d', tier_after = '1h', cache = 'none'");
        assertThat((String) computeScalar("SHOW CREATE MATERIALIZED VIEW kept_long_daily"))
                .contains("retention = '1d'")
                .contains("tier_after = '1h'")
                .contains("cache = 'none'");
        // the view's retention removes its own rows; the base keeps its rows and its queries are answered from them
        assertUpdate("CALL system.apply_retention('tpch', 'kept_long_daily')");
        assertThat(computeScalar("SELECT count(*) FROM kept_long_daily")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM kept_long")).isEqualTo(401L);
        assertThat(computeActual(definition).getRowCount()).isPositive();

        // the state table's layout is fixed when the view is built
        assertQueryFails("ALTER MATERIALIZED VIEW kept_long_daily SET PROPERTIES partitioning = ARRAY[]",
                "Cannot change partitioning of materialized view tpch.kept_long_daily: ALTER MATERIALIZED VIEW ... SET PROPERTIES changes retention, tier_after, cache; for the others, CREATE OR REPLACE MATERIALIZED VIEW with them");
        assertUpdate("ALTER MATERIALIZED VIEW kept_long_daily SET PROPERTIES retention = DEFAULT");
        assertThat((String) computeScalar("SHOW CREATE MATERIALIZED VIEW kept_long_daily")).doesNotContain("retention");
        assertQueryFails("CALL system.apply_retention('tpch', 'kept_long_daily')", "Materialized view tpch.kept_long_daily has no retention: .*");
        // without a partitioning by time, a retention cannot be set on it: the advice says what can
        assertUpdate("CREATE MATERIALIZED VIEW kept_long_total AS SELECT date_trunc('day', ts) AS day, count(*) AS events FROM kept_long GROUP BY date_trunc('day', ts)");
        assertQueryFails("ALTER MATERIALIZED VIEW kept_long_total SET PROPERTIES retention = '1d'", ".*Table property 'retention' needs a table partitioned by time.*");
        assertQueryFails("CALL system.apply_retention('tpch', 'kept_long_total')",
                "Materialized view tpch.kept_long_total has no retention, and a retention needs a view partitioned by time: CREATE OR REPLACE MATERIALIZED VIEW tpch.kept_long_total WITH \\(partitioning = ARRAY\\['day\\(<time key>\\)'\\], retention = '7d'\\) AS \\.\\.\\.");
        assertUpdate("DROP MATERIALIZED VIEW kept_long_total");

        // retention drops whole partitions of time
        assertUpdate("CREATE MATERIALIZED VIEW kept_long_regions AS SELECT region, count(*) AS events FROM kept_long GROUP BY region");
        assertQueryFails("ALTER MATERIALIZED VIEW kept_long_regions SET PROPERTIES retention = '1d'", "Table property 'retention' needs a table partitioned by time.*");
        assertView("kept_long_regions", "SELECT region, count(*) AS events FROM kept_long GROUP BY region");
        assertUpdate("DROP MATERIALIZED VIEW kept_long_regions");
        assertUpdate("DROP MATERIALIZED VIEW kept_long_daily");
        assertUpdate("DROP TABLE kept_long");
    }

    @Test
    public void testProceduresTakeAViewsName()
    {
        createBase("kept_hot");
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount FROM kept_hot GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW kept_hot_view AS " + definition);
        insert("kept_hot", 0, 40);
        insert("kept_hot", 41, 80);
        String state = stateTable(getQueryRunner(), "kept_hot_view");
        String activeSegments = "SELECT count(*) FROM \"%s$segments\" WHERE state = 'ACTIVE'".formatted(state);
        assertThat((long) computeScalar(activeSegments)).isPositive();
        // the view's name stands for its state table, which holds its rows
        assertUpdate("CALL system.compact_segments('tpch', 'kept_hot_view')");
        assertUpdate("CALL system.tier_table('tpch', 'kept_hot_view')");
        assertQuery(activeSegments, "VALUES 0");
        assertView("kept_hot_view", definition);
        assertQueryFails("CALL system.apply_retention('tpch', 'kept_hot_view')", "Materialized view tpch.kept_hot_view has no retention, and a retention needs a view partitioned by time: CREATE OR REPLACE MATERIALIZED VIEW tpch.kept_hot_view .*");
        assertUpdate("DROP MATERIALIZED VIEW kept_hot_view");

        // a branch of a stitched view gives every key a value
        createBase("kept_other");
        assertQueryFails("CREATE MATERIALIZED VIEW stitched_null_key AS SELECT r, sum(a) AS a, sum(b) AS b FROM (SELECT region AS r, 1 AS a, 0 AS b FROM kept_hot UNION ALL SELECT NULL, 0, 1 FROM kept_other) GROUP BY r",
                ".*the key r is NULL in a UNION ALL branch: each branch gives every key a value, a column or a literal of type varchar.*");
        assertUpdate("DROP TABLE kept_other");
        assertUpdate("DROP TABLE kept_hot");
    }

    @Test
    public void testMetadataAndRefusals()
    {
        createBase("listed");
        insert("listed", 0, 50);
        // GROUP BY positions name the select items, as in Trino's queries
        String byPosition = "SELECT region, count(*) AS events, device, sum(amount) AS amount FROM listed GROUP BY 1, 3";
        assertUpdate("CREATE MATERIALIZED VIEW listed_by_position AS " + byPosition);
        insert("listed", 51, 80);
        assertView("listed_by_position", byPosition);
        assertUpdate("DROP MATERIALIZED VIEW listed_by_position");
        assertUpdate("CREATE MATERIALIZED VIEW listed_view COMMENT 'per region' AS SELECT region, count(*) AS events FROM listed GROUP BY region");
        assertUpdate("CREATE MATERIALIZED VIEW IF NOT EXISTS listed_view AS SELECT region, count(*) AS events FROM listed GROUP BY region");
        assertThat(computeActual("SELECT name FROM system.metadata.materialized_views WHERE catalog_name = 'lakehouse' AND schema_name = 'tpch'").getOnlyColumnAsSet())
                .contains("listed_view");
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).contains("listed_view").noneMatch(name -> ((String) name).startsWith("_mv_"));
        assertThat((String) computeScalar("SHOW CREATE MATERIALIZED VIEW listed_view")).contains("CREATE MATERIALIZED VIEW");
        // the columns listed schema-wide are the view's, as SHOW TABLES lists the view and not its state table
        assertThat(computeActual("SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'tpch' AND table_name LIKE '%listed%'").getOnlyColumnAsSet())
                .contains("listed_view.region", "listed_view.events", "listed.region")
                .noneMatch(column -> ((String) column).startsWith("_mv_"));
        assertThat(computeActual("SELECT table_name FROM information_schema.columns WHERE table_schema = 'tpch' AND column_name = 'events' AND table_name LIKE '%listed%'").getOnlyColumnAsSet())
                .containsExactly("listed_view");
        assertThat(computeActual("SELECT table_name FROM system.metadata.table_comments WHERE catalog_name = 'lakehouse' AND schema_name = 'tpch' AND comment = 'per region'").getOnlyColumnAsSet())
                .containsExactly("listed_view");

        assertQueryFails("DELETE FROM listed WHERE region = 'beijing'", ".*Cannot run DELETE on tpch.listed: materialized views \\[tpch.listed_view\\] are maintained from its INSERTs.*");
        assertQueryFails("UPDATE listed SET score = 1 WHERE device = 'pc'", ".*Cannot run DELETE, UPDATE and MERGE on tpch.listed: materialized views \\[tpch.listed_view\\] are maintained from its INSERTs.*");
        assertQueryFails("DROP TABLE listed", ".*Cannot run DROP TABLE on tpch.listed: materialized views.*");
        assertQueryFails("ALTER TABLE listed DROP COLUMN device", ".*Cannot run ALTER TABLE ... DROP COLUMN on tpch.listed: materialized views.*");
        assertQueryFails("ALTER TABLE listed RENAME COLUMN region TO area", ".*Cannot run ALTER TABLE ... RENAME COLUMN on tpch.listed.*");
        assertQueryFails("ALTER TABLE listed ALTER COLUMN score SET DATA TYPE bigint", ".*Cannot run ALTER TABLE ... SET DATA TYPE on tpch.listed.*");
        assertQueryFails("ALTER TABLE listed SET PROPERTIES mode = 'lake'", ".*Cannot run ALTER TABLE ... SET PROPERTIES mode = 'lake' on tpch.listed.*");
        String state = stateTable(getQueryRunner(), "listed_view");
        assertQueryFails("INSERT INTO \"%s\" VALUES ('x', 1)".formatted(state), ".*holds the state of a materialized view.*");
        // only the view's maintenance changes its state
        assertQueryFails("DELETE FROM \"%s\" WHERE region = 'beijing'".formatted(state),
                "Cannot run DELETE, UPDATE and MERGE on tpch.%s: it holds the state of materialized view tpch.listed_view, which only the view's own maintenance changes\\. Use REFRESH MATERIALIZED VIEW or DROP MATERIALIZED VIEW on tpch.listed_view".formatted(state));
        assertQueryFails("UPDATE \"%s\" SET events = 0".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("TRUNCATE TABLE \"%s\"".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("DROP TABLE \"%s\"".formatted(state), ".*Cannot run DROP TABLE on tpch.%s: it holds the state of materialized view.*".formatted(state));
        assertQueryFails("ALTER TABLE \"%s\" RENAME TO moved_state".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("ALTER TABLE \"%s\" ADD COLUMN extra integer".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("ALTER TABLE \"%s\" DROP COLUMN events".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("CREATE OR REPLACE TABLE \"%s\" (region varchar)".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        // Iceberg's procedures that change rows past INSERT
        long firstSnapshot = (long) computeScalar("SELECT min_by(snapshot_id, committed_at) FROM \"listed$snapshots\"");
        assertQueryFails("ALTER TABLE listed EXECUTE rollback_to_snapshot(snapshot_id => %s)".formatted(firstSnapshot),
                ".*Cannot run ALTER TABLE \\.\\.\\. EXECUTE rollback_to_snapshot on tpch.listed: materialized views \\[tpch.listed_view\\] are maintained from its INSERTs.*");
        long stateSnapshot = (long) computeScalar("SELECT min_by(snapshot_id, committed_at) FROM \"%s$snapshots\"".formatted(state));
        assertQueryFails("ALTER TABLE \"%s\" EXECUTE rollback_to_snapshot(snapshot_id => %s)".formatted(state, stateSnapshot), ".*it holds the state of materialized view tpch.listed_view.*");
        // and their CALL forms, which reach Iceberg's catalog without a statement of the connector's
        assertQueryFails("CALL system.rollback_to_snapshot('tpch', 'listed', %s)".formatted(firstSnapshot),
                ".*Cannot run CALL system\\.rollback_to_snapshot on tpch.listed: materialized views \\[tpch.listed_view\\] are maintained from its INSERTs.*");
        assertQueryFails("CALL system.rollback_to_snapshot('tpch', '%s', %s)".formatted(state, stateSnapshot), ".*Cannot run CALL system\\.rollback_to_snapshot on tpch.%s: it holds the state of materialized view tpch.listed_view.*".formatted(state));
        assertQueryFails("CALL system.unregister_table('tpch', 'listed')", ".*Cannot run CALL system\\.unregister_table on tpch.listed: materialized views \\[tpch.listed_view\\] are maintained from its INSERTs.*");
        assertQueryFails("CALL system.unregister_table('tpch', '%s')".formatted(state), ".*it holds the state of materialized view tpch.listed_view.*");
        assertQueryFails("CALL system.rollback_to_snapshot('tpch', 'no_such_table', 1)", ".*Table 'tpch.no_such_table' not found.*");
        assertView("listed_view", "SELECT region, count(*) AS events FROM listed GROUP BY region");

        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, count(DISTINCT user_id) AS users FROM listed GROUP BY region", "count\\(DISTINCT ...\\).*use approx_distinct");
        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, count(*) AS c FROM listed GROUP BY region ORDER BY region", "ORDER BY");
        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, count(*) AS c FROM listed GROUP BY region HAVING count(*) > 1", "HAVING");
        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, count(*) AS c FROM listed l JOIN tpch.tiny.orders o ON o.orderkey = l.user_id GROUP BY region", "a synchronous view reads tables of its own catalog");
        assertUpdate("CREATE TABLE lake_base (region varchar) WITH (mode = 'lake')");
        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, count(*) AS c FROM lake_base GROUP BY region", "not in hybrid mode");
        assertRejected("CREATE MATERIALIZED VIEW bad AS SELECT region, sum(amount * 2) AS c FROM listed GROUP BY region", "aggregate a column");
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).doesNotContain("bad");

        assertUpdate("DROP MATERIALIZED VIEW listed_view");
        assertUpdate("DROP TABLE listed");
        // on a table no view reads, the checked procedures do their own work as before
        assertUpdate("INSERT INTO lake_base VALUES 'first'", 1);
        long lakeSnapshot = (long) computeScalar("SELECT max_by(snapshot_id, committed_at) FROM \"lake_base$snapshots\"");
        assertUpdate("INSERT INTO lake_base VALUES 'second'", 1);
        assertUpdate("CALL system.rollback_to_snapshot('tpch', 'lake_base', %s)".formatted(lakeSnapshot));
        assertQuery("SELECT region FROM lake_base", "VALUES 'first'");
        assertUpdate("CALL system.unregister_table('tpch', 'lake_base')");
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).doesNotContain("lake_base");
    }

    private void assertRejected(String sql, String message)
    {
        assertQueryFails(sql, "(?s).*Materialized view not supported: .*" + message + ".*");
    }

    private void createBase(String name)
    {
        assertUpdate("CREATE TABLE %s (ts timestamp(6), region varchar, user_id bigint, amount decimal(12, 2), score integer, device varchar) WITH (partitioning = ARRAY['day(ts)'])".formatted(name));
    }

    private void insert(String table, int from, int to)
    {
        assertUpdate("INSERT INTO %s %s".formatted(table, EVENTS.formatted(from, to)), to - from + 1);
    }

    /**
     * The view's rows against its query on the bases, run with the rewrite off: else the query
     * would be answered from the view itself.
     */
    private void assertView(String view, String definition)
    {
        Session bases = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        assertThat(computeActual("SELECT * FROM " + view).getMaterializedRows()).as(view)
                .containsExactlyInAnyOrderElementsOf(computeActual(bases, definition).getMaterializedRows());
    }
}
