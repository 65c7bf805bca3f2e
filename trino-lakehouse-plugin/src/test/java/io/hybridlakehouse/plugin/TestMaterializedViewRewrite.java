package io.hybridlakehouse.plugin;

import io.hybridlakehouse.plugin.metastore.MetastoreConnection;
import io.hybridlakehouse.plugin.tiering.RetentionApplier;
import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static com.google.common.util.concurrent.Uninterruptibles.sleepUninterruptibly;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.stateTable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Aggregations over base tables answered from their synchronous materialized views: every
 * query runs with {@code mv_rewrite_enabled} on and off and must return the same rows, in
 * every tier state of bases and views, and the test asserts which queries a view answered
 * (its name in the plan's table scan), so a silent fall-back to the base fails it.
 */
public class TestMaterializedViewRewrite
        extends AbstractTestQueryFramework
{
    // ODS events: 37-minute steps over ~7 weeks from 2026-11-01, with sub-millisecond times on some rows
    private static final String EVENTS = """
            SELECT
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '37' MINUTE) + (x %% 11) * INTERVAL '0.000777' SECOND AS timestamp(6)) AS ts,
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '37' MINUTE) AS date) AS d,
                CASE WHEN x %% 13 = 0 THEN NULL ELSE element_at(ARRAY['beijing', 'shanghai', 'guangdong', 'overseas'], x %% 4 + 1) END AS region,
                element_at(ARRAY['ios', 'android', 'pc'], x %% 3 + 1) AS device,
                CAST(x %% 97 AS bigint) AS user_id,
                CAST(x %% 1000 / 10.0 AS decimal(12, 2)) AS amount,
                CASE WHEN x %% 5 = 0 THEN NULL ELSE CAST(x %% 7 AS integer) END AS score
            FROM UNNEST(sequence(%d, %d)) t(x)""";

    // what Superset charts read, with times just before midnight that CAST(ts AS TIMESTAMP) rounds to the next day
    private static final String CLICKS = """
            SELECT
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '23' MINUTE) - (x %% 2) * INTERVAL '0.000400' SECOND AS timestamp(6)) AS ts,
                element_at(ARRAY['beijing', 'shanghai', 'guangdong'], x %% 3 + 1) AS region,
                CAST(x %% 89 AS bigint) AS user_id,
                CAST(x %% 500 / 4.0 AS decimal(10, 2)) AS amount
            FROM UNNEST(sequence(%d, %d)) t(x)""";

    private static final String STITCH_BASE = """
            SELECT
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '53' MINUTE) AS timestamp(6)) AS ts,
                element_at(ARRAY['beijing', 'shanghai', 'guangdong', 'overseas'], x %% %d + 1) AS region,
                CAST(x %% 1000 / 10.0 AS decimal(12, 2)) AS amount,
                element_at(ARRAY['ios', 'android', 'pc'], x %% 3 + 1) AS device
            FROM UNNEST(sequence(%d, %d)) t(x)""";

    private record Case(String query, Optional<String> view) {}

    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-rewrite");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        QueryRunner queryRunner = LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .build();
        // a second catalog over the same metastore and warehouse, as clusters configure one without the cache
        queryRunner.createCatalog("lakehouse_second", HybridConnectorFactory.CONNECTOR_NAME, Map.of(
                "hybrid.warehouse", warehouse.toString(),
                "hybrid.tiering.enabled", "false",
                "iceberg.jdbc-catalog.catalog-name", LakehouseQueryRunner.CATALOG));
        return queryRunner;
    }

    @Test
    public void testDifferentialSuiteInEveryTierState()
    {
        assertUpdate("CREATE TABLE ods_events WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 0) + " WITH NO DATA", 0);
        assertUpdate("CREATE TABLE clicks WITH (partitioning = ARRAY['day(ts)']) AS " + CLICKS.formatted(0, 0) + " WITH NO DATA", 0);
        // likes only reach two regions, so the stitched view has keys without likes
        assertUpdate("CREATE TABLE plays WITH (partitioning = ARRAY['day(ts)']) AS " + STITCH_BASE.formatted(4, 0, 0) + " WITH NO DATA", 0);
        assertUpdate("CREATE TABLE likes WITH (partitioning = ARRAY['day(ts)']) AS " + STITCH_BASE.formatted(2, 0, 0) + " WITH NO DATA", 0);
        insertAll(0, 1499);

        assertUpdate("""
                CREATE MATERIALIZED VIEW dws_daily WITH (partitioning = ARRAY['month(day)']) AS
                SELECT date_trunc('day', ts) AS day, region, device,
                       count(*) AS events, count(score) AS scored, sum(amount) AS amount, sum(score) AS score_sum,
                       min(amount) AS low, max(amount) AS high, avg(amount) AS mean_amount, approx_distinct(user_id) AS users, max(ts) AS last_seen
                FROM ods_events
                GROUP BY date_trunc('day', ts), region, device""");
        assertUpdate("CREATE MATERIALIZED VIEW dws_hourly AS SELECT date_trunc('hour', ts) AS hour, region, count(*) AS events, sum(amount) AS amount FROM ods_events GROUP BY date_trunc('hour', ts), region");
        assertUpdate("CREATE MATERIALIZED VIEW dws_by_date AS SELECT d, region, count(*) AS events, sum(amount) AS amount, min(user_id) AS first_user FROM ods_events GROUP BY d, region");
        assertUpdate("CREATE MATERIALIZED VIEW dws_ms_daily AS SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS day, region, count(*) AS events, sum(amount) AS amount FROM ods_events GROUP BY date_trunc('day', CAST(ts AS TIMESTAMP)), region");
        // Superset groups by the day of CAST(ts AS TIMESTAMP) and filters on ts: a view keyed on both answers its charts exactly
        assertUpdate("""
                CREATE MATERIALIZED VIEW clicks_daily AS
                SELECT date_trunc('day', ts) AS day, date_trunc('day', CAST(ts AS TIMESTAMP)) AS chart_day, region, count(*) AS clicks, sum(amount) AS amount, approx_distinct(user_id) AS users
                FROM clicks GROUP BY date_trunc('day', ts), date_trunc('day', CAST(ts AS TIMESTAMP)), region""");
        // a day key written as BI tools write it: the date of the timestamp
        assertUpdate("CREATE MATERIALIZED VIEW clicks_by_date AS SELECT CAST(ts AS date) AS day, count(*) AS clicks, sum(amount) AS amount FROM clicks GROUP BY CAST(ts AS date)");
        assertUpdate("""
                CREATE MATERIALIZED VIEW engagement AS
                SELECT day, region, sum(plays) AS plays, sum(likes) AS likes, sum(play_amount) AS play_amount, max(play_amount) AS top_play
                FROM (
                    SELECT date_trunc('day', ts) AS day, region, 1 AS plays, 0 AS likes, amount AS play_amount FROM plays
                    UNION ALL
                    SELECT date_trunc('day', ts), region, 0, 1, NULL FROM likes)
                GROUP BY day, region""");
        insertAll(1500, 1799);

        List<Case> cases = cases();
        assertThat(cases.size()).isGreaterThanOrEqualTo(40);
        assertThat(cases.stream().filter(testCase -> testCase.view().isPresent()).count()).isGreaterThanOrEqualTo(35);

        // views and bases hot
        checkAll(cases);

        // mixed: part of every base and view tiered to Iceberg, new rows hot on top
        for (String table : List.of("ods_events", "clicks", "plays", "likes")) {
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
        }
        for (String view : List.of("dws_daily", "dws_hourly", "engagement")) {
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), view)));
        }
        insertAll(1800, 2199);
        checkAll(cases);

        // views mid-compaction: compacted state segments next to new deltas
        for (String view : List.of("dws_daily", "dws_by_date", "clicks_daily", "clicks_by_date", "engagement")) {
            assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), view)));
        }
        insertAll(2200, 2299);
        checkAll(cases);

        // everything cold
        for (String table : List.of("ods_events", "clicks", "plays", "likes")) {
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
        }
        for (String view : List.of("dws_daily", "dws_hourly", "dws_by_date", "dws_ms_daily", "clicks_daily", "clicks_by_date", "engagement")) {
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), view)));
        }
        checkAll(cases);

        // every decision is counted, with the reason of each miss
        assertThat((long) computeScalar("SELECT sum(queries) FROM system.mv_rewrites WHERE outcome = 'hit' AND view_name = 'dws_daily'")).isPositive();
        assertThat(computeActual("SELECT DISTINCT reason FROM system.mv_rewrites WHERE outcome = 'miss' AND view_name = 'dws_daily'").getOnlyColumnAsSet())
                .contains("session property mv_rewrite_enabled is false", "no view key gives user_id", "the view keeps no sum(user_id)");
        // a miss names what the view lacks: none comes of the rewriter failing on a query's shape
        assertThat(computeActual("SELECT DISTINCT reason FROM system.mv_rewrites WHERE outcome = 'miss'").getOnlyColumnAsSet())
                .noneMatch(reason -> ((String) reason).startsWith("the view could not be analyzed"));
    }

    private List<Case> cases()
    {
        List<Case> cases = new ArrayList<>();
        // same grain
        rewritten(cases, "dws_daily", "SELECT date_trunc('day', ts), region, device, count(*), sum(amount), approx_distinct(user_id) FROM ods_events GROUP BY 1, 2, 3");
        rewritten(cases, "dws_daily", "SELECT date_trunc('day', ts) AS day, region, device, min(amount), max(amount), max(ts) FROM ods_events GROUP BY date_trunc('day', ts), region, device");
        // roll-up to a subset of the keys
        rewritten(cases, "dws_daily", "SELECT region, count(*), sum(amount), avg(amount) FROM ods_events GROUP BY region");
        rewritten(cases, "dws_daily", "SELECT device, count(score), sum(score), avg(score) FROM ods_events GROUP BY device");
        rewritten(cases, "dws_daily", "SELECT region, device, approx_distinct(user_id) FROM ods_events GROUP BY region, device");
        rewritten(cases, "dws_daily", "SELECT count(*), sum(amount), min(amount), max(amount), approx_distinct(user_id) FROM ods_events");
        // several views answer: the one with the fewest rows (by date and region) wins
        rewritten(cases, "dws_by_date", "SELECT count(*) FROM ods_events");
        rewritten(cases, "dws_daily", "SELECT date_trunc('day', ts), approx_distinct(user_id) FROM ods_events GROUP BY 1");
        // roll-up to coarser time units
        rewritten(cases, "dws_daily", "SELECT date_trunc('week', ts), region, count(*), sum(amount) FROM ods_events GROUP BY 1, 2");
        rewritten(cases, "dws_daily", "SELECT date_trunc('month', ts), count(*), avg(amount), approx_distinct(user_id) FROM ods_events GROUP BY 1");
        rewritten(cases, "dws_daily", "SELECT date_trunc('quarter', ts), device, max(amount) FROM ods_events GROUP BY 1, 2");
        rewritten(cases, "dws_daily", "SELECT date_trunc('year', ts), sum(score) FROM ods_events GROUP BY 1");
        // the day of a timestamp as a date, as BI tools write it by hand
        rewritten(cases, "dws_daily", "SELECT CAST(ts AS date) AS day, region, count(*), sum(amount), approx_distinct(user_id) FROM ods_events GROUP BY 1, 2");
        rewritten(cases, "dws_daily", "SELECT date(ts), device, avg(amount) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-05 00:00:00' GROUP BY 1, 2");
        rewritten(cases, "engagement", "SELECT CAST(ts AS date), count(*) FROM likes WHERE region IS NOT NULL GROUP BY 1");
        rewritten(cases, "dws_hourly", "SELECT date_trunc('hour', ts), count(*) FROM ods_events GROUP BY 1");
        rewritten(cases, "dws_hourly", "SELECT date_trunc('hour', ts), region, sum(amount) FROM ods_events GROUP BY 1, 2");
        // a time filter not aligned to days but to hours: the hourly view answers
        rewritten(cases, "dws_hourly", "SELECT region, count(*) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-02 13:00:00' GROUP BY region");
        // the hourly view answers too, the daily one is smaller
        rewritten(cases, "dws_daily", "SELECT date_trunc('day', ts), region, count(*) FROM ods_events GROUP BY 1, 2");
        // filters on keys
        rewritten(cases, "dws_daily", "SELECT device, count(*), sum(amount) FROM ods_events WHERE region = 'beijing' GROUP BY device");
        rewritten(cases, "dws_daily", "SELECT region, count(*) FROM ods_events WHERE device IN ('ios', 'pc') GROUP BY region");
        rewritten(cases, "dws_daily", "SELECT count(*), sum(amount) FROM ods_events WHERE region <> 'overseas' AND device = 'android'");
        rewritten(cases, "dws_daily", "SELECT date_trunc('day', ts), sum(amount) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-05 00:00:00' AND ts < TIMESTAMP '2026-11-12 00:00:00' GROUP BY 1");
        rewritten(cases, "dws_daily", "SELECT region, count(*) FROM ods_events WHERE ts IS NULL GROUP BY 1");
        rewritten(cases, "dws_daily", "SELECT region, count(*) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-20 00:00:00' GROUP BY region");
        rewritten(cases, "dws_daily", "SELECT count(*) FROM ods_events WHERE ts < TIMESTAMP '2026-11-03 00:00:00' OR ts >= TIMESTAMP '2026-12-01 00:00:00'");
        rewritten(cases, "dws_daily", "SELECT date_trunc('month', ts), device, count(*) FROM ods_events WHERE ts BETWEEN TIMESTAMP '2026-11-01 00:00:00' AND TIMESTAMP '2026-11-30 23:59:59.999999' AND region = 'shanghai' GROUP BY 1, 2");
        // NULL keys group and filter as on the base; a global aggregation over no rows still returns its one row
        rewritten(cases, "dws_daily", "SELECT device, count(*), sum(amount) FROM ods_events WHERE region IS NULL GROUP BY device");
        rewritten(cases, "dws_daily", "SELECT device, count(*) FROM ods_events WHERE region IS NULL OR region = 'beijing' GROUP BY device");
        rewritten(cases, "dws_daily", "SELECT count(*), count(score), sum(amount), min(amount), avg(amount), approx_distinct(user_id) FROM ods_events WHERE region = 'nowhere'");
        rewritten(cases, "dws_daily", "SELECT device, count(*) FROM ods_events WHERE region = 'nowhere' GROUP BY device");
        // count of a key's column: the rows of the keys that are not NULL
        rewritten(cases, "dws_daily", "SELECT device, count(region), count(*) FROM ods_events GROUP BY device");
        rewritten(cases, "dws_daily", "SELECT count(ts), count(region), sum(amount) FROM ods_events WHERE device = 'pc'");
        rewritten(cases, "dws_by_date", "SELECT region, count(d) FROM ods_events GROUP BY region");
        rewritten(cases, "engagement", "SELECT date_trunc('month', ts), count(region), count(ts) FROM likes GROUP BY 1");
        notRewritten(cases, "SELECT count(user_id) FROM ods_events");
        // HAVING, ORDER BY and LIMIT over the aggregation
        rewritten(cases, "dws_by_date", "SELECT region, sum(amount) AS total FROM ods_events GROUP BY region HAVING count(*) > 100 ORDER BY total DESC LIMIT 2");
        rewritten(cases, "dws_daily", "SELECT device, avg(amount) AS mean FROM ods_events GROUP BY device ORDER BY mean DESC LIMIT 1001");
        // keys of a date column, truncated and cast
        rewritten(cases, "dws_by_date", "SELECT d, count(*), sum(amount) FROM ods_events GROUP BY d");
        rewritten(cases, "dws_by_date", "SELECT date_trunc('month', d), region, min(user_id) FROM ods_events GROUP BY 1, 2");
        rewritten(cases, "dws_by_date", "SELECT date_trunc('week', CAST(d AS TIMESTAMP)) AS __timestamp, sum(amount) FROM ods_events GROUP BY 1");
        rewritten(cases, "dws_by_date", "SELECT d, count(*) FROM ods_events WHERE d > DATE '2026-11-10' AND d <= DATE '2026-11-20' GROUP BY d");
        // Superset's shapes: the view keys on the same cast
        rewritten(cases, "dws_ms_daily", """
                SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS __timestamp, region AS region, sum(amount) AS "SUM(amount)"
                FROM ods_events GROUP BY date_trunc('day', CAST(ts AS TIMESTAMP)), region ORDER BY "SUM(amount)" DESC LIMIT 1001""");
        rewritten(cases, "dws_ms_daily", "SELECT date_trunc('month', CAST(ts AS TIMESTAMP)) AS __timestamp, count(*) AS count FROM ods_events GROUP BY date_trunc('month', CAST(ts AS TIMESTAMP)) ORDER BY count DESC LIMIT 1001");
        // Superset's shapes with its time range filters
        rewritten(cases, "clicks_daily", """
                SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS __timestamp, region AS region, count(*) AS count
                FROM clicks
                WHERE ts >= TIMESTAMP '2026-11-03 00:00:00.000000' AND ts < TIMESTAMP '2026-11-10 00:00:00.000000'
                GROUP BY date_trunc('day', CAST(ts AS TIMESTAMP)), region ORDER BY count DESC LIMIT 1001""");
        rewritten(cases, "clicks_daily", """
                SELECT date_trunc('week', CAST(ts AS TIMESTAMP)) AS __timestamp, sum(amount) AS "SUM(amount)", approx_distinct(user_id) AS "APPROX_COUNT_DISTINCT(user_id)"
                FROM clicks WHERE ts >= TIMESTAMP '2026-11-02 00:00:00' GROUP BY date_trunc('week', CAST(ts AS TIMESTAMP)) ORDER BY "SUM(amount)" DESC LIMIT 1001""");
        rewritten(cases, "clicks_daily", "SELECT region AS region, sum(amount) AS \"SUM(amount)\" FROM clicks WHERE region IN ('beijing', 'guangdong') GROUP BY region ORDER BY \"SUM(amount)\" DESC LIMIT 10000");
        // a view keyed on CAST(ts AS date) answers the date, and days, weeks and months of ts, and maps day-aligned filters on ts to dates
        rewritten(cases, "clicks_by_date", "SELECT CAST(ts AS date), count(*), sum(amount) FROM clicks GROUP BY 1");
        rewritten(cases, "clicks_by_date", "SELECT date_trunc('day', ts), sum(amount) FROM clicks WHERE ts < TIMESTAMP '2026-11-10 00:00:00' OR ts >= TIMESTAMP '2026-12-25 00:00:00' GROUP BY 1");
        rewritten(cases, "clicks_by_date", "SELECT date_trunc('month', ts), count(*) FROM clicks WHERE ts >= TIMESTAMP '2026-11-05 00:00:00' AND ts < TIMESTAMP '2026-12-20 00:00:00' GROUP BY 1");
        rewritten(cases, "clicks_by_date", "SELECT date_trunc('week', ts), sum(amount) FROM clicks WHERE ts BETWEEN TIMESTAMP '2026-11-02 00:00:00' AND TIMESTAMP '2026-11-30 23:59:59.999999' GROUP BY 1");
        rewritten(cases, "clicks_by_date", "SELECT count(*), sum(amount) FROM clicks WHERE ts >= TIMESTAMP '2026-12-01 00:00:00'");
        rewritten(cases, "clicks_by_date", "SELECT count(*) FROM clicks WHERE ts IS NOT NULL AND ts < TIMESTAMP '2026-11-03 00:00:00'");
        notRewritten(cases, "SELECT date_trunc('hour', ts), count(*) FROM clicks GROUP BY 1");
        notRewritten(cases, "SELECT ts, count(*) FROM clicks WHERE ts < TIMESTAMP '2026-11-02 00:00:00' GROUP BY 1");
        notRewritten(cases, "SELECT count(*) FROM clicks WHERE ts >= TIMESTAMP '2026-11-05 12:00:00'");
        // a view stitched from two bases answers each base where it keeps that base's row count
        rewritten(cases, "engagement", "SELECT date_trunc('day', ts), region, count(*), sum(amount), max(amount) FROM plays GROUP BY 1, 2");
        rewritten(cases, "engagement", "SELECT region, count(*) FROM likes GROUP BY region");
        rewritten(cases, "engagement", "SELECT date_trunc('month', ts), count(*) FROM likes GROUP BY 1");
        rewritten(cases, "engagement", "SELECT count(*) FROM likes WHERE region = 'overseas'");
        // calendar fields of a key at their unit or finer, as BI tools group by them
        rewritten(cases, "dws_daily", "SELECT year(ts), month(ts), region, count(*), sum(amount) FROM ods_events GROUP BY 1, 2, 3");
        rewritten(cases, "dws_daily", "SELECT day_of_week(ts), count(*), avg(amount), approx_distinct(user_id) FROM ods_events WHERE region = 'beijing' GROUP BY 1");
        rewritten(cases, "dws_daily", "SELECT extract(YEAR FROM ts), quarter(ts), count(*) FROM ods_events GROUP BY 1, 2");
        rewritten(cases, "dws_hourly", "SELECT hour(ts), count(*), sum(amount) FROM ods_events GROUP BY 1");
        rewritten(cases, "dws_by_date", "SELECT quarter(d), week(d), day(d), count(*) FROM ods_events GROUP BY 1, 2, 3");
        rewritten(cases, "clicks_by_date", "SELECT day_of_year(ts), year_of_week(ts), count(*), sum(amount) FROM clicks GROUP BY 1, 2");
        notRewritten(cases, "SELECT hour(ts), count(*) FROM clicks GROUP BY 1");
        notRewritten(cases, "SELECT month(ts), count(*) FROM ods_events WHERE user_id = 5 GROUP BY 1");
        // the least and greatest values of a key's own column
        rewritten(cases, "dws_by_date", "SELECT region, min(d), max(d), count(*) FROM ods_events GROUP BY region");
        rewritten(cases, "dws_by_date", "SELECT min(d), max(d) FROM ods_events WHERE region = 'beijing'");
        rewritten(cases, "dws_daily", "SELECT device, min(region), max(region) FROM ods_events GROUP BY device");
        notRewritten(cases, "SELECT min(region), max(region) FROM likes");
        // not derivable: answered from the base
        notRewritten(cases, "SELECT user_id, count(*) FROM ods_events GROUP BY user_id");
        notRewritten(cases, "SELECT region, sum(user_id) FROM ods_events GROUP BY region");
        notRewritten(cases, "SELECT region, count(DISTINCT user_id) FROM ods_events GROUP BY region");
        notRewritten(cases, "SELECT date_trunc('minute', ts), count(*) FROM ods_events GROUP BY 1");
        notRewritten(cases, "SELECT CAST(ts AS date), count(*) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-02 13:30:00' GROUP BY 1");
        notRewritten(cases, "SELECT region, count(*) FROM ods_events WHERE user_id = 5 GROUP BY region");
        notRewritten(cases, "SELECT region, count(*) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-02 13:30:00' GROUP BY region");
        notRewritten(cases, "SELECT count(*) FROM ods_events WHERE ts > TIMESTAMP '2026-11-02 00:00:00'");
        notRewritten(cases, "SELECT date_trunc('day', CAST(ts AS TIMESTAMP)), count(*) FROM ods_events WHERE ts >= TIMESTAMP '2026-11-02 00:00:00' GROUP BY 1");
        notRewritten(cases, "SELECT region, approx_distinct(user_id, 0.01) FROM ods_events GROUP BY region");
        notRewritten(cases, "SELECT region, count(*) FILTER (WHERE device = 'ios') FROM ods_events GROUP BY region");
        notRewritten(cases, "SELECT region, sum(amount) FROM likes GROUP BY region");
        notRewritten(cases, "SELECT device, count(*) FROM plays GROUP BY device");
        return cases;
    }

    private static void rewritten(List<Case> cases, String view, String query)
    {
        cases.add(new Case(query, Optional.of(view)));
    }

    private static void notRewritten(List<Case> cases, String query)
    {
        cases.add(new Case(query, Optional.empty()));
    }

    private void checkAll(List<Case> cases)
    {
        for (Case testCase : cases) {
            assertSameRowsAndRewrite(testCase.query(), testCase.view());
        }
    }

    @Test
    public void testMissesAnswerFromTheBase()
    {
        assertUpdate("CREATE TABLE misses WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 499), 500);
        assertUpdate("CREATE TABLE devices (device varchar, maker varchar)");
        assertUpdate("INSERT INTO devices VALUES ('ios', 'apple'), ('android', 'various'), ('pc', 'various')", 3);
        assertUpdate("CREATE MATERIALIZED VIEW misses_filtered AS SELECT region, count(*) AS events FROM misses WHERE amount > 10 GROUP BY region");
        assertUpdate("CREATE MATERIALIZED VIEW misses_joined AS SELECT m.device, count(*) AS events FROM misses m JOIN devices v ON m.device = v.device GROUP BY m.device");
        assertUpdate("INSERT INTO misses " + EVENTS.formatted(500, 599), 100);
        // a view that keeps only some base rows, or joins a dimension, answers no base query
        assertSameRowsAndRewrite("SELECT region, count(*) FROM misses GROUP BY region", Optional.empty());
        assertSameRowsAndRewrite("SELECT device, count(*) FROM misses GROUP BY device", Optional.empty());
        assertMiss("misses_filtered", "the view keeps only rows where");
        assertMiss("misses_joined", "the view joins dimension tables at write time");

        assertUpdate("CREATE MATERIALIZED VIEW misses_daily AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events, sum(amount) AS amount FROM misses GROUP BY date_trunc('day', ts), region");
        String query = "SELECT region, count(*), sum(amount) FROM misses GROUP BY region";
        assertSameRowsAndRewrite(query, Optional.of("misses_daily"));
        // aggregates no partial state derives are named as the query wrote them
        assertSameRowsAndRewrite("SELECT region, max_by(device, amount) FROM misses GROUP BY region", Optional.empty());
        assertMiss("misses_daily", "aggregate max_by(device, amount) is not over a base column");

        // the tiers apart, and time travel, read part of the base or another version of it
        Session hotOnly = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "read_cold_tier", "false").build();
        assertThat((String) computeScalar(hotOnly, "EXPLAIN " + query)).doesNotContain("materialized view answering");
        sleepUninterruptibly(1100, TimeUnit.MILLISECONDS);
        String asOf = "SELECT region, count(*) FROM misses FOR TIMESTAMP AS OF current_timestamp - INTERVAL '1' SECOND GROUP BY region";
        assertSameRowsAndRewrite(asOf, Optional.empty());
        assertMiss("misses_daily", "the query reads the base as of a past version");

        // while a view is being built (here: a build a coordinator crash left unfinished) it answers nothing
        setBuilding("misses_daily", true);
        assertSameRowsAndRewrite(query, Optional.empty());
        assertMiss("misses_daily", "the view is being built");
        setBuilding("misses_daily", false);
        assertSameRowsAndRewrite(query, Optional.of("misses_daily"));

        // nothing of this is left switched on by a miss: the base answers exactly
        assertQuery("SELECT count(*) FROM misses", "VALUES 600");
    }

    @Test
    public void testExtremesOfEveryOrderableType()
    {
        // min and max are kept per group, merged at each INSERT into an existing group and again when a query rolls groups up
        assertUpdate("CREATE TABLE extremes (region varchar, seen timestamp(6) with time zone, at_time time(6), code varbinary, flag boolean, id uuid)");
        assertUpdate("""
                CREATE MATERIALIZED VIEW extremes_by_region AS
                SELECT region, count(*) AS events,
                       min(seen) AS first_seen, max(seen) AS last_seen, min(at_time) AS earliest, max(at_time) AS latest,
                       min(code) AS low_code, max(code) AS high_code, min(flag) AS any_false, max(flag) AS any_true,
                       min(id) AS low_id, max(id) AS high_id
                FROM extremes GROUP BY region""");
        // the same instants written in other zones: later by the clock of Shanghai is earlier in time than a UTC value
        assertUpdate("""
                INSERT INTO extremes VALUES
                    ('north', TIMESTAMP '2026-11-10 01:00:00.000001 Asia/Shanghai', TIME '23:59:59.999999', X'ff', true, UUID 'ffffffff-0000-0000-0000-000000000000'),
                    ('south', TIMESTAMP '2026-11-09 20:00:00 UTC', TIME '00:00:00', X'00', false, UUID '00000000-0000-0000-0000-000000000001')""", 2);
        assertUpdate("""
                INSERT INTO extremes VALUES
                    ('north', TIMESTAMP '2026-11-09 20:00:00 UTC', TIME '12:00:00', X'0fff', false, UUID '10000000-0000-0000-0000-000000000000'),
                    ('south', TIMESTAMP '2026-11-10 01:00:00 America/New_York', TIME '12:00:00.000001', X'0100', true, UUID 'f0000000-0000-0000-0000-000000000000')""", 2);
        assertUpdate("INSERT INTO extremes VALUES ('north', NULL, NULL, NULL, NULL, NULL), ('east', TIMESTAMP '2026-11-11 00:00:00 Europe/Berlin', TIME '06:30:00', X'', true, UUID '12345678-1234-1234-1234-123456789abc')", 2);

        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        assertThat(computeActual("SELECT region, first_seen, last_seen, earliest, latest, low_code, high_code, any_false, any_true, low_id, high_id FROM extremes_by_region").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual(off, "SELECT region, min(seen), max(seen), min(at_time), max(at_time), min(code), max(code), min(flag), max(flag), min(id), max(id) FROM extremes GROUP BY region").getMaterializedRows());
        assertSameRowsAndRewrite("SELECT region, min(seen), max(seen), min(at_time), max(code), min(flag), max(id) FROM extremes GROUP BY region", Optional.of("extremes_by_region"));
        assertSameRowsAndRewrite("SELECT min(seen), max(seen), max(at_time), min(code), max(flag), min(id) FROM extremes", Optional.of("extremes_by_region"));
        assertSameRowsAndRewrite("SELECT max(seen) FROM extremes WHERE region <> 'east'", Optional.of("extremes_by_region"));
    }

    @Test
    public void testFloatingPointKeysGroupAsTrinoDoes()
    {
        // Trino puts -0.0 and 0.0 in one group and every NaN in another, however its bits were computed
        assertUpdate("CREATE TABLE floats (k double, r real, v bigint)");
        assertUpdate("CREATE MATERIALIZED VIEW floats_by_key AS SELECT k, r, count(*) AS c, sum(v) AS s FROM floats GROUP BY k, r");
        assertUpdate("INSERT INTO floats VALUES (0E0, REAL '0', 1), (-0E0, REAL '-0', 2), (nan(), CAST(nan() AS real), 4)", 3);
        assertUpdate("INSERT INTO floats VALUES (-0E0, REAL '-0', 8), (-nan(), -CAST(nan() AS real), 16), (1E0, REAL '1', 32)", 3);
        // adding zero makes -0.0 0.0: the rows compare whichever zero each plan met first
        List<String> queries = List.of(
                "SELECT k + 0E0, r + REAL '0', count(*), sum(v) FROM floats GROUP BY k, r",
                "SELECT r + REAL '0', sum(v) FROM floats GROUP BY r",
                "SELECT count(*) FROM (SELECT k FROM floats GROUP BY k)");
        for (String query : queries) {
            assertSameRowsAndRewrite(query, Optional.of("floats_by_key"));
        }
        // Trino's r IN (0, 1) leaves out -0.0 where its r = 0 takes it: filters on floating-point keys stay with the engine
        for (String filter : List.of("r IN (0, 1)", "r = 0", "k IN (0, 1)", "k > 0", "k <> 1")) {
            assertSameRowsAndRewrite("SELECT sum(v) FROM floats WHERE " + filter, Optional.empty());
        }
        assertThat(computeActual("SELECT k + 0E0, c, s FROM floats_by_key").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual("VALUES (0E0, BIGINT '3', BIGINT '11'), (nan(), 2, 20), (1E0, 1, 32)").getMaterializedRows());

        // compaction folds the state by the same keys
        assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), "floats_by_key")));
        assertThat(computeScalar("SELECT count(*) FROM \"%s\"".formatted(stateTable(getQueryRunner(), "floats_by_key")))).isEqualTo(3L);
        for (String query : queries) {
            assertSameRowsAndRewrite(query, Optional.of("floats_by_key"));
        }
        assertUpdate("DROP MATERIALIZED VIEW floats_by_key");
        assertUpdate("DROP TABLE floats");

        // a group of -0.0 alone shows -0.0, as Trino shows the value of the group's first row
        assertUpdate("CREATE TABLE negative_zeros (k double, v bigint)");
        assertUpdate("CREATE MATERIALIZED VIEW negative_zeros_by_key AS SELECT k, count(*) AS c FROM negative_zeros GROUP BY k");
        assertUpdate("INSERT INTO negative_zeros VALUES (-0E0, 1), (1E0, 2)", 2);
        assertUpdate("INSERT INTO negative_zeros VALUES (-0E0, 3)", 1);
        assertSameRowsAndRewrite("SELECT k, count(*) FROM negative_zeros GROUP BY k", Optional.of("negative_zeros_by_key"));
        assertThat(computeActual("SELECT k FROM negative_zeros GROUP BY k").getOnlyColumnAsSet()).containsExactlyInAnyOrder(-0.0, 1.0);
        assertUpdate("DROP MATERIALIZED VIEW negative_zeros_by_key");
        assertUpdate("DROP TABLE negative_zeros");
    }

    @Test
    public void testFieldsOfRowColumnsAreNotTheColumnsOfTheirName()
    {
        assertUpdate("CREATE TABLE nested (region varchar, n bigint, s ROW(region varchar, n bigint))");
        assertUpdate("CREATE MATERIALIZED VIEW nested_by_region AS SELECT region, count(*) AS c, sum(n) AS total FROM nested GROUP BY region");
        assertUpdate("INSERT INTO nested VALUES ('a', 1, ROW('x', 100)), ('a', 2, ROW('y', 200)), ('b', 4, ROW('x', 400))", 3);
        assertSameRowsAndRewrite("SELECT s.region, count(*) FROM nested GROUP BY s.region", Optional.empty());
        assertSameRowsAndRewrite("SELECT sum(s.n) FROM nested", Optional.empty());
        assertSameRowsAndRewrite("SELECT region, sum(s.n) FROM nested GROUP BY region", Optional.empty());
        assertSameRowsAndRewrite("SELECT count(*) FROM nested WHERE s.region = 'a'", Optional.empty());
        assertSameRowsAndRewrite("SELECT region, sum(n) FROM nested GROUP BY region", Optional.of("nested_by_region"));
        assertUpdate("DROP MATERIALIZED VIEW nested_by_region");
        assertUpdate("DROP TABLE nested");
    }

    @Test
    public void testSumOverflowFailsAsTrinoDoes()
    {
        assertUpdate("CREATE TABLE big_sums (region varchar, amount decimal(38, 10), hits bigint)");
        assertUpdate("CREATE MATERIALIZED VIEW big_sums_by_region AS SELECT region, sum(amount) AS amount, avg(amount) AS mean_amount, sum(hits) AS hits FROM big_sums GROUP BY region");
        // each INSERT's partial sums fit; their total passes 38 digits and the bigint range
        assertUpdate("INSERT INTO big_sums VALUES ('north', 5000000000000000000000000000.0000000000, 9223372036854775807), ('south', 1, 1)", 2);
        assertUpdate("INSERT INTO big_sums VALUES ('north', 5000000000000000000000000000.0000000000, 1), ('south', 2, 2)", 2);
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        for (Session session : List.of(getSession(), off)) {
            assertQueryFails(session, "SELECT region, sum(amount) FROM big_sums GROUP BY region", "Decimal overflow");
            assertQueryFails(session, "SELECT sum(hits) FROM big_sums WHERE region = 'north'", "bigint addition overflow: .*");
        }
        assertThat((String) computeScalar("EXPLAIN SELECT region, sum(amount) FROM big_sums GROUP BY region")).contains("materialized view answering");
        // compaction of the view's state keeps the key's rows apart where one row cannot hold their sums; reads fail as before
        assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), "big_sums_by_region")));
        assertQueryFails("SELECT region, sum(amount) FROM big_sums GROUP BY region", "Decimal overflow");
        assertQueryFails("SELECT sum(hits) FROM big_sums WHERE region = 'north'", "bigint addition overflow: .*");
        // avg keeps a wider sum, as Trino's does
        assertSameRowsAndRewrite("SELECT region, avg(amount) FROM big_sums GROUP BY region", Optional.of("big_sums_by_region"));
        assertSameRowsAndRewrite("SELECT sum(amount), sum(hits) FROM big_sums WHERE region = 'south'", Optional.of("big_sums_by_region"));

        // Trino's avg of bigint sums in double: no overflow where the bigint sum overflows
        assertUpdate("CREATE TABLE big_counts (region varchar, hits bigint)");
        assertUpdate("CREATE MATERIALIZED VIEW big_counts_by_region AS SELECT region, sum(hits) AS hits, count(hits) AS counted FROM big_counts GROUP BY region");
        assertUpdate("INSERT INTO big_counts VALUES ('north', 5000000000000000000)", 1);
        assertUpdate("INSERT INTO big_counts VALUES ('north', 5000000000000000000)", 1);
        assertSameRowsAndRewrite("SELECT region, avg(hits) FROM big_counts GROUP BY region", Optional.of("big_counts_by_region"));
        assertUpdate("DROP MATERIALIZED VIEW big_counts_by_region");
        assertUpdate("DROP TABLE big_counts");

        // one INSERT whose rows of one key sum past 38 digits keeps the key's sums in two rows: reads add them as Trino's sum and avg do
        assertUpdate("INSERT INTO big_sums VALUES ('east', 9000000000000000000000000000.0000000000, 1), ('east', 9000000000000000000000000000.0000000000, 1), ('east', -9000000000000000000000000000.0000000000, 1)", 3);
        for (Session session : List.of(getSession(), off)) {
            assertThat(computeActual(session, "SELECT sum(amount), avg(amount) FROM big_sums WHERE region = 'east'").getMaterializedRows())
                    .containsExactlyElementsOf(computeActual("SELECT CAST(DECIMAL '9000000000000000000000000000' AS decimal(38, 10)), CAST(DECIMAL '3000000000000000000000000000' AS decimal(38, 10))").getMaterializedRows());
        }
        assertSameRowsAndRewrite("SELECT region, avg(amount) FROM big_sums GROUP BY region", Optional.of("big_sums_by_region"));
        assertSameRowsAndRewrite("SELECT sum(amount) FROM big_sums WHERE region = 'east'", Optional.of("big_sums_by_region"));
        // a bigint sum fails on overflow on the way, in an order Trino's own sum does not fix: such an INSERT is refused, changing nothing
        assertQueryFails("INSERT INTO big_sums VALUES ('east', 1, 9223372036854775807), ('east', 1, 1), ('east', 1, -9223372036854775807)",
                "bigint addition overflow: rows of this INSERT with the same key of a materialized view over the table sum past the bigint range on the way .*");
        assertQuery("SELECT count(*) FROM big_sums", "VALUES 7");
        assertUpdate("DROP MATERIALIZED VIEW big_sums_by_region");
        assertUpdate("DROP TABLE big_sums");
    }

    @Test
    public void testReadingAverageWhoseSumPassesDigits()
    {
        String nines = "9".repeat(38);
        assertUpdate("CREATE TABLE wide_means (k varchar, x decimal(38, 0), y decimal(20, 2))");
        String definition = "SELECT k, avg(x) AS mean, avg(y) AS mean_y, count(*) AS n FROM wide_means GROUP BY k";
        assertUpdate("CREATE MATERIALIZED VIEW wide_means_by_k AS " + definition);
        // each INSERT keeps its own partial sum; the sums of 'a' pass 38 digits and 128 bits on the way, every average fits
        for (String row : List.of("('a', DECIMAL '%1$s', 1.25)", "('a', DECIMAL '%1$s', 1.25)", "('a', DECIMAL '%1$s', 0.01)", "('a', DECIMAL '-%1$s', 0.02)",
                "('b', -1, -0.01)", "('b', -2, -0.02)", "('c', NULL, NULL)")) {
            assertUpdate("INSERT INTO wide_means VALUES " + row.formatted(nines), 1);
        }
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        // half of 38 nines rounds half up; -1.5 and -0.015 round away from zero, as Trino's avg does
        assertThat(computeActual(off, definition).getMaterializedRows()).as("checked against literal values")
                .containsExactlyInAnyOrderElementsOf(computeActual("VALUES ('a', CAST(DECIMAL '5%s' AS decimal(38, 0)), CAST(0.63 AS decimal(20, 2)), BIGINT '4'), ('b', CAST(-2 AS decimal(38, 0)), CAST(-0.02 AS decimal(20, 2)), BIGINT '2'), ('c', NULL, NULL, BIGINT '1')"
                        .formatted("0".repeat(37))).getMaterializedRows());
        // a build adds the rows committed before it, whose sums of 'a' pass 128 bits
        assertUpdate("CREATE MATERIALIZED VIEW wide_means_built AS " + definition);
        assertThat(computeActual("SELECT * FROM wide_means_built").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual(off, definition).getMaterializedRows());
        assertUpdate("DROP MATERIALIZED VIEW wide_means_built");
        for (String step : List.of("hot", "compacted", "tiered")) {
            if (step.equals("compacted")) {
                assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), "wide_means_by_k")));
            }
            if (step.equals("tiered")) {
                assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), "wide_means_by_k")));
            }
            assertThat(computeActual("SELECT * FROM wide_means_by_k").getMaterializedRows()).as(step)
                    .containsExactlyInAnyOrderElementsOf(computeActual(off, definition).getMaterializedRows());
            assertSameRowsAndRewrite("SELECT k, avg(x), avg(y) FROM wide_means GROUP BY k", Optional.of("wide_means_by_k"));
        }
        assertUpdate("DROP MATERIALIZED VIEW wide_means_by_k");
        assertUpdate("DROP TABLE wide_means");
    }

    @Test
    public void testSumsPastDigitsOnTheWay()
    {
        String nines = "9".repeat(38);
        assertUpdate("CREATE TABLE wide_sums (k varchar, x decimal(38, 0))");
        assertUpdate("CREATE MATERIALIZED VIEW wide_sums_by_k AS SELECT k, sum(x) AS total, avg(x) AS mean, count(*) AS n FROM wide_sums GROUP BY k");
        // the running sum passes 38 digits and the 128 bits of a long decimal, the final one fits, as in Trino's sum
        assertUpdate("INSERT INTO wide_sums VALUES ('c', DECIMAL '%s'), ('d', 1)".formatted(nines), 2);
        assertUpdate("INSERT INTO wide_sums VALUES ('c', DECIMAL '%s'), ('d', 2)".formatted(nines), 2);
        assertUpdate("INSERT INTO wide_sums VALUES ('c', DECIMAL '-%s'), ('d', 3)".formatted(nines), 2);
        List<String> queries = List.of(
                "SELECT k, sum(x) FROM wide_sums GROUP BY k",
                "SELECT k, avg(x), count(*) FROM wide_sums GROUP BY k",
                "SELECT sum(x) FROM wide_sums WHERE k = 'c'");
        assertThat(computeActual(queries.getFirst()).getMaterializedRows()).as("checked against literal values")
                .containsExactlyInAnyOrderElementsOf(computeActual("VALUES ('c', DECIMAL '%s'), ('d', CAST(6 AS decimal(38, 0)))".formatted(nines)).getMaterializedRows());
        queries.forEach(query -> assertSameRowsAndRewrite(query, Optional.of("wide_sums_by_k")));
        // compaction and tiering of the view's state keep a key's partial sums apart where one row cannot hold them
        assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(stateTable(getQueryRunner(), "wide_sums_by_k")));
        queries.forEach(query -> assertSameRowsAndRewrite(query, Optional.of("wide_sums_by_k")));
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), "wide_sums_by_k")));
        assertUpdate("CALL system.tier_table('tpch', 'wide_sums')");
        queries.forEach(query -> assertSameRowsAndRewrite(query, Optional.of("wide_sums_by_k")));
        assertQuery("SELECT count(*) FROM \"%s\" WHERE k = 'd'".formatted(stateTable(getQueryRunner(), "wide_sums_by_k")), "VALUES 1");
        assertUpdate("DROP MATERIALIZED VIEW wide_sums_by_k");
        assertUpdate("DROP TABLE wide_sums");
    }

    @Test
    public void testRetentionSinceTheViewWasBuilt()
    {
        // 2026-11-01 .. 2026-11-16; retention of 10 days removes what lies before 2026-11-15 (today is later)
        assertUpdate("CREATE TABLE kept WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 0) + " WITH NO DATA", 0);
        assertUpdate("INSERT INTO kept " + EVENTS.formatted(0, 599), 600);
        assertUpdate("CREATE MATERIALIZED VIEW kept_daily AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events FROM kept GROUP BY date_trunc('day', ts), region");
        String query = "SELECT region, count(*) FROM kept GROUP BY region";
        assertSameRowsAndRewrite(query, Optional.of("kept_daily"));

        assertUpdate("ALTER TABLE kept SET PROPERTIES retention = '1d'");
        assertUpdate("CALL system.apply_retention('tpch', 'kept')");
        assertThat((long) computeScalar("SELECT count(*) FROM kept")).isLessThan(600L);
        // the view still holds the removed rows: only queries that filter them out may read it
        assertSameRowsAndRewrite(query, Optional.empty());
        assertMiss("kept_daily", "retention removed rows before");
        assertSameRowsAndRewrite("SELECT region, count(*) FROM kept WHERE ts >= TIMESTAMP '2030-01-01 00:00:00' GROUP BY region", Optional.of("kept_daily"));

        // REFRESH rebuilds the view from what the base holds now
        assertUpdate("REFRESH MATERIALIZED VIEW kept_daily");
        assertSameRowsAndRewrite(query, Optional.of("kept_daily"));
    }

    @Test
    public void testViewsStopAnsweringBeforeRetentionRemovesRows()
    {
        // 2026-11-01 .. 2026-11-16, all older than a day: the first half cold, the second hot
        assertUpdate("CREATE TABLE expiring WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 0) + " WITH NO DATA", 0);
        assertUpdate("INSERT INTO expiring " + EVENTS.formatted(0, 299), 300);
        assertUpdate("CALL system.tier_table('tpch', 'expiring')");
        assertUpdate("INSERT INTO expiring " + EVENTS.formatted(300, 599), 300);
        assertUpdate("CREATE MATERIALIZED VIEW expiring_daily AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events FROM expiring GROUP BY date_trunc('day', ts), region");
        String query = "SELECT region, count(*) FROM expiring GROUP BY region";
        assertSameRowsAndRewrite(query, Optional.of("expiring_daily"));

        // between retention's commits the base holds the hot rows only: the view, which still
        // counts all 600, must already have stopped answering for the removed times
        assertUpdate("ALTER TABLE expiring SET PROPERTIES retention = '1d'");
        RetentionApplier retention = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(RetentionApplier.class);
        AtomicBoolean checked = new AtomicBoolean();
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        retention.setAfterColdDeleteForTesting(() -> {
            assertQuery(off, "SELECT count(*) FROM expiring", "VALUES 300");
            assertSameRowsAndRewrite("SELECT count(*) FROM expiring", Optional.empty());
            assertSameRowsAndRewrite(query, Optional.empty());
            checked.set(true);
        });
        try {
            assertUpdate("CALL system.apply_retention('tpch', 'expiring')");
        }
        finally {
            retention.setAfterColdDeleteForTesting(() -> {});
        }
        assertThat(checked.get()).isTrue();
        assertQuery("SELECT count(*) FROM expiring", "VALUES 0");
        assertSameRowsAndRewrite(query, Optional.empty());
        assertUpdate("DROP MATERIALIZED VIEW expiring_daily");
        assertUpdate("DROP TABLE expiring");
    }

    @Test
    public void testRetentionCoverageNeedsTheRemovedTimes()
    {
        assertUpdate("CREATE TABLE kept_by_ts (ts timestamp(6), d date, v bigint) WITH (partitioning = ARRAY['day(ts)'])");
        assertUpdate("CREATE MATERIALIZED VIEW kept_by_ts_daily AS SELECT date_trunc('day', ts) AS day, d, count(*) AS c, sum(v) AS total FROM kept_by_ts GROUP BY date_trunc('day', ts), d");
        // d is another time than ts: a row retention removes by its ts may have a recent d
        assertUpdate("INSERT INTO kept_by_ts VALUES (TIMESTAMP '2020-01-01 10:00:00', DATE '2030-01-01', 1), (TIMESTAMP '2030-01-02 10:00:00', DATE '2030-01-02', 2), (TIMESTAMP '2020-01-02 10:00:00', DATE '2020-01-02', 4)", 3);
        assertUpdate("ALTER TABLE kept_by_ts SET PROPERTIES retention = '30d'");
        assertUpdate("CALL system.apply_retention('tpch', 'kept_by_ts')");
        assertQuery("SELECT count(*) FROM kept_by_ts", "VALUES 1");

        // a filter on d leaves in view rows whose base rows retention removed by ts
        assertSameRowsAndRewrite("SELECT count(*), sum(v) FROM kept_by_ts WHERE d >= DATE '2029-12-01'", Optional.empty());
        assertMiss("kept_by_ts_daily", "filter ts from there on");
        assertSameRowsAndRewrite("SELECT count(*), sum(v) FROM kept_by_ts WHERE ts >= TIMESTAMP '2029-12-01 00:00:00'", Optional.of("kept_by_ts_daily"));
        assertSameRowsAndRewrite("SELECT d, count(*) FROM kept_by_ts WHERE ts >= TIMESTAMP '2029-12-01 00:00:00' AND d >= DATE '2029-12-01' GROUP BY d", Optional.of("kept_by_ts_daily"));
        assertUpdate("DROP MATERIALIZED VIEW kept_by_ts_daily");
        assertUpdate("DROP TABLE kept_by_ts");
    }

    @Test
    public void testFilterOnViewKeysSkipsStateFiles()
    {
        assertUpdate("CREATE TABLE pruned_base WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 0) + " WITH NO DATA", 0);
        assertUpdate("CREATE MATERIALIZED VIEW pruned_daily AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events, sum(amount) AS total FROM pruned_base GROUP BY date_trunc('day', ts), region");
        // one INSERT per day: each adds a state segment whose key statistics cover its day only
        for (int day = 1; day <= 4; day++) {
            getQueryRunner().execute("INSERT INTO pruned_base SELECT * FROM (%s) WHERE date_trunc('day', ts) = TIMESTAMP '2026-11-0%d 00:00:00'".formatted(EVENTS.formatted(0, 299), day));
        }
        String oneDay = "SELECT region, count(*), sum(amount) FROM pruned_base WHERE ts >= TIMESTAMP '2026-11-03 00:00:00' AND ts < TIMESTAMP '2026-11-04 00:00:00' GROUP BY region";
        String allDays = "SELECT region, count(*), sum(amount) FROM pruned_base GROUP BY region";
        assertSameRowsAndRewrite(oneDay, Optional.of("pruned_daily"));
        assertSameRowsAndRewrite(allDays, Optional.of("pruned_daily"));
        assertThat(stateFilesRead(allDays)).isEqualTo(4);
        assertThat(stateFilesRead(oneDay)).isEqualTo(1);

        // tiered, the state is one Iceberg file, read with the filter as Iceberg's predicate
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), "pruned_daily")));
        assertSameRowsAndRewrite(oneDay, Optional.of("pruned_daily"));
        assertSameRowsAndRewrite(allDays, Optional.of("pruned_daily"));
        assertSameRowsAndRewrite("SELECT region, count(*) FROM pruned_base WHERE ts >= TIMESTAMP '2026-12-01 00:00:00' GROUP BY region", Optional.of("pruned_daily"));
        assertUpdate("DROP MATERIALIZED VIEW pruned_daily");

        // a view partitioned by its time key keeps one tiered file per day, and the filter skips the others
        assertUpdate("CREATE MATERIALIZED VIEW pruned_partitioned WITH (partitioning = ARRAY['day(day)']) AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events, sum(amount) AS total FROM pruned_base GROUP BY date_trunc('day', ts), region");
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(stateTable(getQueryRunner(), "pruned_partitioned")));
        assertSameRowsAndRewrite(oneDay, Optional.of("pruned_partitioned"));
        assertThat(stateFilesRead(allDays)).isEqualTo(4);
        assertThat(stateFilesRead(oneDay)).isEqualTo(1);
        assertUpdate("DROP MATERIALIZED VIEW pruned_partitioned");
        assertUpdate("DROP TABLE pruned_base");
    }

    private long stateFilesRead(String query)
    {
        String plan = (String) computeScalar("EXPLAIN ANALYZE VERBOSE " + query);
        Matcher matcher = Pattern.compile("'stateFilesRead' = LongCount\\{total=(\\d+)}").matcher(plan);
        assertThat(matcher.find()).as(plan).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    @Test
    public void testExplainAndSwitch()
    {
        assertUpdate("CREATE TABLE switch_base AS " + EVENTS.formatted(0, 199), 200);
        assertUpdate("CREATE MATERIALIZED VIEW switch_view AS SELECT region, count(*) AS events FROM switch_base GROUP BY region");
        String query = "SELECT region, count(*) FROM switch_base GROUP BY region";
        assertThat((String) computeScalar("EXPLAIN " + query))
                .contains("TableScan[table = lakehouse:tpch.switch_view (materialized view answering tpch.switch_base; group by [region]; aggregates [count(*)])]");
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        assertThat((String) computeScalar(off, "EXPLAIN " + query)).doesNotContain("switch_view");
        // system.mv_rewrites counts queries that ran: the EXPLAINs above planned both decisions and ran neither
        assertThat(decisions("switch_view", "hit")).isZero();
        assertThat(decisions("switch_view", "miss")).isZero();

        assertSameRowsAndRewrite(query, Optional.of("switch_view"));
        // the query with the rewrite on and the one with it off; their EXPLAIN again not
        assertThat(decisions("switch_view", "hit")).isEqualTo(1);
        assertThat(decisions("switch_view", "miss")).isEqualTo(1);
        assertThat(computeActual("EXPLAIN ANALYZE " + query).getOnlyValue().toString()).contains("switch_view");
        assertThat(decisions("switch_view", "hit")).isEqualTo(2);
    }

    private long decisions(String view, String outcome)
    {
        return (long) computeScalar("SELECT coalesce(sum(queries), 0) FROM system.mv_rewrites WHERE view_name = '%s' AND outcome = '%s'".formatted(view, outcome));
    }

    @Test
    public void testViewOfAnotherCatalogOverTheSameMetastore()
    {
        assertUpdate("CREATE TABLE shared_base WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 299), 300);
        assertUpdate("CREATE MATERIALIZED VIEW shared_daily AS SELECT date_trunc('day', ts) AS day, region, count(*) AS events, sum(amount) AS amount FROM shared_base GROUP BY date_trunc('day', ts), region");
        assertUpdate("INSERT INTO shared_base " + EVENTS.formatted(300, 399), 100);
        Session second = Session.builder(getSession()).setCatalog("lakehouse_second").build();
        Session secondOff = Session.builder(second).setCatalogSessionProperty("lakehouse_second", "mv_rewrite_enabled", "false").build();
        for (String query : List.of(
                "SELECT region, count(*), sum(amount) FROM shared_base GROUP BY region",
                "SELECT date_trunc('month', ts), count(*) FROM shared_base WHERE region = 'beijing' GROUP BY 1",
                "SELECT region, count(DISTINCT user_id) FROM shared_base GROUP BY region")) {
            assertThat(computeActual(second, query).getMaterializedRows()).as(query)
                    .containsExactlyInAnyOrderElementsOf(computeActual(secondOff, query).getMaterializedRows())
                    .containsExactlyInAnyOrderElementsOf(computeActual(query).getMaterializedRows());
        }
        assertThat((String) computeScalar(second, "EXPLAIN SELECT region, count(*) FROM shared_base GROUP BY region"))
                .contains("lakehouse_second:tpch.shared_daily (materialized view answering tpch.shared_base");

        // a view naming its tables with its catalog, maintained and changed through the other
        // catalog: the names are of the metastore both catalogs reach
        assertUpdate("CREATE TABLE shared_regions (region varchar, country varchar)");
        assertUpdate("INSERT INTO shared_regions VALUES ('beijing', 'cn'), ('overseas', 'us')", 2);
        String joined = "SELECT r.country, count(*) AS events, sum(b.amount) AS amount FROM lakehouse.tpch.shared_base b JOIN lakehouse.tpch.shared_regions r ON b.region = r.region GROUP BY r.country";
        assertUpdate("CREATE MATERIALIZED VIEW shared_by_country AS " + joined);
        assertUpdate(second, "INSERT INTO shared_base " + EVENTS.formatted(400, 499), 100);
        assertUpdate(second, "ALTER TABLE shared_regions ADD COLUMN continent varchar");
        assertUpdate(second, "CREATE TABLE shared_other (id bigint)");
        assertUpdate(second, "ALTER TABLE shared_other ADD COLUMN note varchar");
        assertQueryFails(second, "ALTER TABLE shared_regions DROP COLUMN country", ".*materialized view tpch.shared_by_country reads it at each INSERT and could no longer be maintained.*");
        assertUpdate(second, "REFRESH MATERIALIZED VIEW shared_by_country");
        assertUpdate(second, "INSERT INTO shared_base " + EVENTS.formatted(500, 599), 100);
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        assertThat(computeActual(second, "SELECT * FROM shared_by_country").getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual(off, joined.replace(" AS events", "").replace(" AS amount", "")).getMaterializedRows())
                .containsExactlyInAnyOrderElementsOf(computeActual("SELECT * FROM shared_by_country").getMaterializedRows());
        assertUpdate("DROP MATERIALIZED VIEW shared_by_country");
        assertUpdate("DROP TABLE shared_other");
        assertUpdate("DROP TABLE shared_regions");
    }

    @Test
    public void testCalendarFieldsAtTheEdgesOfTheCalendar()
    {
        // ISO weeks across year ends, leap days, the last microsecond before the epoch, the first and last days Trino writes
        assertUpdate("CREATE TABLE edge_times (ts timestamp(6), d date, amount bigint)");
        assertUpdate("""
                INSERT INTO edge_times
                SELECT ts, CAST(ts AS date), amount FROM (VALUES
                    (TIMESTAMP '1969-12-31 23:59:59.999999', 1), (TIMESTAMP '1970-01-01 00:00:00', 2), (TIMESTAMP '1900-02-28 23:30:00.5', 3),
                    (TIMESTAMP '2020-12-31 12:00:00', 4), (TIMESTAMP '2021-01-03 23:59:59.999999', 5), (TIMESTAMP '2021-01-04 00:00:00', 6),
                    (TIMESTAMP '2024-02-29 13:14:15', 7), (TIMESTAMP '2026-12-28 01:00:00', 8), (TIMESTAMP '2027-01-01 05:59:00', 9),
                    (TIMESTAMP '0001-01-01 00:00:00', 10), (TIMESTAMP '1582-10-15 00:00:00', 11), (TIMESTAMP '9999-12-31 23:59:59.999999', 12),
                    (TIMESTAMP '2008-12-29 00:00:00', 13), (TIMESTAMP '2010-01-03 10:10:10', 14), (CAST(NULL AS timestamp(6)), 15)) t(ts, amount)""", 15);
        assertUpdate("CREATE MATERIALIZED VIEW edge_hourly AS SELECT date_trunc('hour', ts) AS hour, d, count(*) AS events, sum(amount) AS amount FROM edge_times GROUP BY date_trunc('hour', ts), d");
        for (String field : List.of("year", "quarter", "month", "week", "week_of_year", "year_of_week", "yow", "day", "day_of_month", "day_of_week", "dow", "day_of_year", "doy", "hour", "minute")) {
            // answered from the view where its hourly key gives the field; computed by the scan otherwise (the view keeps no max)
            assertSameRowsAndRewrite("SELECT %s(ts), count(*), sum(amount) FROM edge_times GROUP BY 1".formatted(field), field.equals("minute") ? Optional.empty() : Optional.of("edge_hourly"));
            assertSameRowsAndRewrite("SELECT %s(ts), max(amount) FROM edge_times GROUP BY 1".formatted(field), Optional.empty());
            if (!field.equals("hour") && !field.equals("minute")) {
                assertSameRowsAndRewrite("SELECT %s(d), count(*) FROM edge_times GROUP BY 1".formatted(field), Optional.of("edge_hourly"));
                assertSameRowsAndRewrite("SELECT %s(d), max(amount) FROM edge_times GROUP BY 1".formatted(field), Optional.empty());
            }
        }
        assertSameRowsAndRewrite("SELECT min(d), max(d), count(*) FROM edge_times", Optional.of("edge_hourly"));
        assertUpdate("DROP MATERIALIZED VIEW edge_hourly");
        assertUpdate("DROP TABLE edge_times");
    }

    private void insertAll(int from, int to)
    {
        assertUpdate("INSERT INTO ods_events " + EVENTS.formatted(from, to), to - from + 1);
        assertUpdate("INSERT INTO clicks " + CLICKS.formatted(from, to), to - from + 1);
        assertUpdate("INSERT INTO plays " + STITCH_BASE.formatted(4, from, to), to - from + 1);
        assertUpdate("INSERT INTO likes " + STITCH_BASE.formatted(2, from, from + (to - from) / 3), (to - from) / 3 + 1);
    }

    private void assertSameRowsAndRewrite(String query, Optional<String> view)
    {
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        MaterializedResult expected = computeActual(off, query);
        MaterializedResult actual = computeActual(query);
        assertThat(actual.getMaterializedRows()).as(query).containsExactlyInAnyOrderElementsOf(expected.getMaterializedRows());
        String plan = (String) computeScalar("EXPLAIN " + query);
        if (view.isPresent()) {
            assertThat(plan).as(query).contains("lakehouse:tpch.%s (materialized view answering".formatted(view.get()));
        }
        else {
            assertThat(plan).as(query).doesNotContain("materialized view answering");
        }
    }

    private void assertMiss(String view, String reason)
    {
        assertThat(computeActual("SELECT reason FROM system.mv_rewrites WHERE outcome = 'miss' AND view_name = '%s'".formatted(view)).getOnlyColumnAsSet())
                .anySatisfy(value -> assertThat((String) value).contains(reason));
    }

    private void setBuilding(String view, boolean building)
    {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + warehouse.resolve(MetastoreConnection.EMBEDDED_DATABASE_FILE));
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE hybrid_materialized_views SET building = %d WHERE view_name = '%s'".formatted(building ? 1 : 0, view));
        }
        catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
