package io.hybridlakehouse.harness;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static io.hybridlakehouse.harness.JdbcResults.scalar;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * The server {@code ./lakehouse up} starts (same classes, same staged distribution, same
 * etc-catalog files), driven through the real trino-cli executable jar.
 */
@TestInstance(PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class TestLakehouseServerEndToEnd
{
    private static final long CRASH_BATCH_ROWS = 100_000;

    private Path home;
    private LakehouseServer server;
    private TrinoCli cli;

    @BeforeAll
    public void startServer()
            throws Exception
    {
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        home = Files.createTempDirectory("lakehouse-e2e");
        ServerConfiguration configuration = new ServerConfiguration(
                home,
                TestingPorts.freePort(),
                "2G",
                repository.resolve("etc-catalog"));
        server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        server.up(message -> System.out.println("[e2e] " + message));
        cli = server.cli();
    }

    @AfterAll
    public void stopServer()
            throws IOException
    {
        if (server != null) {
            assertThat(server.down()).isTrue();
            assertThat(server.runningProcess()).isEmpty();
        }
        if (home != null) {
            MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
        }
    }

    @Test
    public void testDemoDataLoadedOnceAndPluginLoaded()
            throws Exception
    {
        assertThat(query("SELECT count(*) FROM lakehouse.demo.ods_events")).containsExactly("\"300000\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.dim_item")).containsExactly("\"1000\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.\"ods_events$snapshots\"")).containsExactly("\"1\"");

        // a second `up` finds the server running and the data loaded: nothing is loaded twice
        List<String> progress = new ArrayList<>();
        server.up(progress::add);
        assertThat(progress).anyMatch(line -> line.startsWith("Server already running"));
        assertThat(progress).contains("Demo table lakehouse.demo.ods_events already loaded");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.\"ods_events$snapshots\"")).containsExactly("\"1\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.ods_events")).containsExactly("\"300000\"");

        // the catalog runs on the plugin this build produced
        assertThat(query("SELECT connector_name FROM system.metadata.catalogs WHERE catalog_name = 'lakehouse'"))
                .containsExactly("\"hybrid_lakehouse\"");
        assertThat(server.configuration().serverDirectory().resolve("plugin/hybrid_lakehouse").toRealPath())
                .isEqualTo(TrinoDistribution.fromSystemProperty().plugins().get("hybrid_lakehouse").toRealPath());
    }

    @Test
    public void testStatementsThroughCli()
            throws Exception
    {
        cli.execute("CREATE SCHEMA lakehouse.e2e").assertSuccess();
        assertThat(query("SHOW SCHEMAS FROM lakehouse LIKE 'e2e'")).containsExactly("\"e2e\"");
        cli.execute("""
                CREATE TABLE lakehouse.e2e.events (
                    event_time timestamp(6) COMMENT 'when it happened',
                    user_id bigint,
                    region varchar)
                COMMENT 'e2e events'
                WITH (partitioning = ARRAY['day(event_time)'])""").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e.events VALUES (TIMESTAMP '2026-11-24 10:00:00', 1, 'beijing'), (TIMESTAMP '2026-11-25 10:00:00', 2, 'shanghai')").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e.events VALUES (TIMESTAMP '2026-11-25 11:00:00', 3, 'beijing')").assertSuccess();

        assertThat(query("SELECT region, count(*) FROM lakehouse.e2e.events GROUP BY region ORDER BY region"))
                .containsExactly("\"beijing\",\"2\"", "\"shanghai\",\"1\"");
        assertThat(query("DESCRIBE lakehouse.e2e.events"))
                .containsExactly("\"event_time\",\"timestamp(6)\",\"\",\"when it happened\"", "\"user_id\",\"bigint\",\"\",\"\"", "\"region\",\"varchar\",\"\",\"\"");
        assertThat(String.join("\n", query("SHOW CREATE TABLE lakehouse.e2e.events")))
                .contains("COMMENT 'e2e events'")
                .contains("partitioning = ARRAY['day(event_time)']");
        assertThat(query("SELECT count(*) FROM lakehouse.e2e.\"events$partitions\"")).containsExactly("\"2\"");

        cli.execute("CREATE TABLE lakehouse.e2e.by_region AS SELECT region, count(*) AS events FROM lakehouse.demo.ods_events GROUP BY region").assertSuccess();
        assertThat(query("SELECT sum(events) FROM lakehouse.e2e.by_region")).containsExactly("\"300000\"");

        TrinoCli.Result missing = cli.execute("SELECT * FROM lakehouse.e2e.no_such_table");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.error()).contains("Table 'lakehouse.e2e.no_such_table' does not exist");

        cli.execute("DROP TABLE lakehouse.e2e.by_region").assertSuccess();
        cli.execute("DROP TABLE lakehouse.e2e.events").assertSuccess();
        cli.execute("DROP SCHEMA lakehouse.e2e").assertSuccess();
        assertThat(query("SHOW SCHEMAS FROM lakehouse LIKE 'e2e'")).isEmpty();
    }

    @Test
    public void testHybridTableAcrossTiersThroughCli()
            throws Exception
    {
        cli.execute("CREATE SCHEMA lakehouse.e2e_hybrid").assertSuccess();
        cli.execute("CREATE TABLE lakehouse.e2e_hybrid.events (event_time timestamp(6), user_id bigint, amount decimal(12, 2)) " +
                "WITH (partitioning = ARRAY['day(event_time)'])").assertSuccess();
        assertThat(String.join("\n", query("SHOW CREATE TABLE lakehouse.e2e_hybrid.events"))).contains("mode = 'hybrid'");
        for (int i = 1; i <= 5; i++) {
            cli.execute("INSERT INTO lakehouse.e2e_hybrid.events VALUES (TIMESTAMP '2026-11-2%d 10:00:00', %d, %d.50)".formatted(i % 2 + 4, i, i)).assertSuccess();
            // each INSERT is visible to the very next query
            assertThat(query("SELECT count(*), sum(user_id) FROM lakehouse.e2e_hybrid.events")).containsExactly("\"%d\",\"%d\"".formatted(i, i * (i + 1) / 2));
        }
        assertThat(query("SELECT state, count(*) FROM lakehouse.e2e_hybrid.\"events$segments\" GROUP BY state")).containsExactly("\"ACTIVE\",\"5\"");

        cli.execute("CALL lakehouse.system.tier_table('e2e_hybrid', 'events')").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.e2e_hybrid.\"events$segments\" WHERE state = 'ACTIVE'")).containsExactly("\"0\"");
        assertThat(query("SELECT count(*) > 0 FROM lakehouse.e2e_hybrid.\"events$files\"")).containsExactly("\"true\"");

        cli.execute("INSERT INTO lakehouse.e2e_hybrid.events VALUES (TIMESTAMP '2026-11-26 10:00:00', 6, 6.50), (TIMESTAMP '2026-11-26 11:00:00', 7, 7.50)").assertSuccess();
        // cold rows from Iceberg and hot rows from segments, each exactly once
        assertThat(query("SELECT count(*), count(DISTINCT user_id), sum(amount) FROM lakehouse.e2e_hybrid.events")).containsExactly("\"7\",\"7\",\"31.50\"");
        assertThat(query("SELECT CAST(event_time AS date), count(*) FROM lakehouse.e2e_hybrid.events WHERE event_time >= TIMESTAMP '2026-11-25 00:00:00' GROUP BY 1 ORDER BY 1"))
                .containsExactly("\"2026-11-25\",\"3\"", "\"2026-11-26\",\"2\"");
        cli.execute("DROP TABLE lakehouse.e2e_hybrid.events").assertSuccess();
        cli.execute("DROP SCHEMA lakehouse.e2e_hybrid").assertSuccess();
    }

    @Test
    public void testRowLevelChangesOnHotRowsThroughCli()
            throws Exception
    {
        cli.execute("CREATE SCHEMA lakehouse.e2e_changes").assertSuccess();
        cli.execute("CREATE TABLE lakehouse.e2e_changes.orders (id bigint, status varchar, amount bigint) WITH (partitioning = ARRAY['status'])").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e_changes.orders VALUES (1, 'open', 10), (2, 'open', 20), (3, 'done', 30)").assertSuccess();
        cli.execute("CALL lakehouse.system.tier_table('e2e_changes', 'orders')").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e_changes.orders VALUES (4, 'open', 40), (5, 'done', 50)").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.e2e_changes.\"orders$segments\" WHERE state = 'ACTIVE'")).containsExactly("\"2\"");

        // cold and hot rows alike, as the user wrote them
        cli.execute("UPDATE lakehouse.e2e_changes.orders SET amount = amount + 1 WHERE id IN (2, 4)").assertSuccess();
        cli.execute("DELETE FROM lakehouse.e2e_changes.orders WHERE status = 'done' AND amount > 40").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e_changes.orders VALUES (6, 'new', 60)").assertSuccess();
        cli.execute("MERGE INTO lakehouse.e2e_changes.orders t USING (VALUES (6, 61), (7, 70)) s (id, amount) ON t.id = s.id " +
                "WHEN MATCHED THEN UPDATE SET amount = s.amount WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'new', s.amount)").assertSuccess();
        assertThat(query("SELECT id, status, amount FROM lakehouse.e2e_changes.orders ORDER BY id")).containsExactly(
                "\"1\",\"open\",\"10\"", "\"2\",\"open\",\"21\"", "\"3\",\"done\",\"30\"", "\"4\",\"open\",\"41\"", "\"6\",\"new\",\"61\"", "\"7\",\"new\",\"70\"");

        cli.execute("INSERT INTO lakehouse.e2e_changes.orders VALUES (8, 'open', 80)").assertSuccess();
        cli.execute("TRUNCATE TABLE lakehouse.e2e_changes.orders").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.e2e_changes.orders")).containsExactly("\"0\"");
        cli.execute("DROP TABLE lakehouse.e2e_changes.orders").assertSuccess();
        cli.execute("DROP SCHEMA lakehouse.e2e_changes").assertSuccess();
    }

    @Test
    public void testTieringServiceRetentionAndModeSwitchThroughCli()
            throws Exception
    {
        cli.execute("CREATE SCHEMA lakehouse.e2e_tiering").assertSuccess();
        cli.execute("CREATE TABLE lakehouse.e2e_tiering.events (ts timestamp(6), id bigint) " +
                "WITH (partitioning = ARRAY['day(ts)'], tier_after = '1s', retention = '3d')").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e_tiering.events VALUES (current_timestamp(6) AT TIME ZONE 'UTC', 1), (current_timestamp(6) AT TIME ZONE 'UTC' - INTERVAL '10' DAY, 2)").assertSuccess();
        TrinoCli.Result badValue = cli.execute("ALTER TABLE lakehouse.e2e_tiering.events SET PROPERTIES tier_after = 'soon'");
        assertThat(badValue.exitCode()).isNotZero();
        assertThat(badValue.error()).contains("Invalid value for table property 'tier_after': 'soon'. Use a duration such as '15m', '1h' or '7d'");

        // the server's tiering service (every 10 s in etc-catalog) moves the segments and applies retention
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!query("SELECT hot_segments, hot_rows FROM lakehouse.system.tiering_status WHERE table_schema = 'e2e_tiering' AND table_name = 'events'").equals(List.of("\"0\",\"0\""))
                || !query("SELECT count(*) FROM lakehouse.e2e_tiering.events").equals(List.of("\"1\""))) {
            assertThat(System.nanoTime()).as("tiering service did not tier within 90 s").isLessThan(deadline);
            Thread.sleep(1000);
        }
        assertThat(query("SELECT id FROM lakehouse.e2e_tiering.events")).containsExactly("\"1\"");
        assertThat(query("SELECT last_tiering_result LIKE 'tiered %' FROM lakehouse.system.tiering_status WHERE table_name = 'events' AND table_schema = 'e2e_tiering'"))
                .containsExactly("\"true\"");

        cli.execute("ALTER TABLE lakehouse.e2e_tiering.events SET PROPERTIES mode = 'lake'").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e_tiering.events VALUES (current_timestamp(6) AT TIME ZONE 'UTC', 3)").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.e2e_tiering.\"events$segments\" WHERE state = 'ACTIVE'")).containsExactly("\"0\"");
        assertThat(query("SELECT count(*), sum(id) FROM lakehouse.e2e_tiering.events")).containsExactly("\"2\",\"4\"");
        cli.execute("DROP TABLE lakehouse.e2e_tiering.events").assertSuccess();
        cli.execute("DROP SCHEMA lakehouse.e2e_tiering").assertSuccess();
    }

    @Test
    public void testCacheStatsAcrossTwoScans()
            throws Exception
    {
        String stats = "SELECT cache_enabled, storage_read_bytes, cache_read_bytes, memory_hits FROM lakehouse.system.cache_stats";
        String scan = "SELECT count(*), sum(amount), count(DISTINCT user_id) FROM lakehouse.demo.ods_events WHERE region = 'beijing'";
        List<String> before = query(stats);
        assertThat(query(scan)).hasSize(1);
        List<String> afterFirst = query(stats);
        assertThat(query(scan)).isEqualTo(query(scan));
        List<String> afterSecond = query(stats);
        System.out.printf("[measure] cache_stats (enabled, storage bytes, cache bytes, memory hits): before %s, after first scan %s, after repeated scans %s%n", before, afterFirst, afterSecond);
        assertThat(afterFirst.getFirst()).startsWith("\"true\"");
        long[] first = counters(afterFirst.getFirst());
        long[] second = counters(afterSecond.getFirst());
        // repeated scans are served from the local cache: no new storage bytes; the single node
        // reads the demo's small files from memory, larger ones from disk pages
        assertThat(second[0]).isEqualTo(first[0]);
        assertThat(second[1] > first[1] || second[2] > first[2]).as("repeated scans read the disk cache or memory: %s, then %s", afterFirst, afterSecond).isTrue();

        // warming through the table function reports every file of the table it read
        List<String> warmed = query("SELECT count(*), sum(bytes) > 0 FROM TABLE(lakehouse.system.warm_cache(schema_name => 'demo', table_name => 'dim_item'))");
        List<String> files = query("SELECT count(DISTINCT \"$path\") FROM lakehouse.demo.dim_item");
        System.out.printf("[measure] warm_cache of demo.dim_item: %s, files %s%n", warmed, files);
        assertThat(warmed).containsExactly(files.getFirst() + ",\"true\"");
    }

    private static long[] counters(String csvRow)
    {
        String[] fields = csvRow.replace("\"", "").split(",");
        return new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3])};
    }

    /**
     * Reports (does not assert) INSERT latency, INSERT-to-visible latency and scan speed of
     * hot segments against Iceberg files holding the same demo rows.
     */
    @Test
    public void testReportHotAndColdTimings()
            throws Exception
    {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE lakehouse.demo.ods_events_hot WITH (partitioning = ARRAY['day(event_time)']) AS SELECT * FROM lakehouse.demo.ods_events WITH NO DATA");
            statement.execute("INSERT INTO lakehouse.demo.ods_events_hot SELECT * FROM lakehouse.demo.ods_events");
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.demo.\"ods_events_hot$segments\" WHERE state = 'ACTIVE'")).isPositive();
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.demo.\"ods_events_hot$files\"")).isZero();

            List<Long> insertMillis = new ArrayList<>();
            List<Long> visibleMillis = new ArrayList<>();
            long expected = scalar(statement, "SELECT count(*) FROM lakehouse.demo.ods_events_hot");
            long rowsPerInsert = 0;
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                statement.execute("INSERT INTO lakehouse.demo.ods_events_hot SELECT * FROM lakehouse.demo.ods_events WHERE user_id <= 66 AND event_time < TIMESTAMP '2026-11-01 06:00:00'");
                long inserted = System.nanoTime();
                rowsPerInsert = statement.getLargeUpdateCount();
                expected += rowsPerInsert;
                assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.demo.ods_events_hot")).isEqualTo(expected);
                insertMillis.add((inserted - start) / 1_000_000);
                visibleMillis.add((System.nanoTime() - start) / 1_000_000);
            }
            System.out.printf("[measure] INSERT of ~%d rows into a hybrid table: %s ms; INSERT issued -> rows counted by the next query: %s ms%n",
                    rowsPerInsert, insertMillis, visibleMillis);

            String scan = "SELECT count(*), sum(amount), count(DISTINCT user_id), max(app_version) FROM lakehouse.demo.%s";
            for (String table : List.of("ods_events", "ods_events_hot", "ods_events", "ods_events_hot")) {
                List<Long> millis = new ArrayList<>();
                for (int run = 0; run < 3; run++) {
                    long start = System.nanoTime();
                    statement.executeQuery(scan.formatted(table)).close();
                    millis.add((System.nanoTime() - start) / 1_000_000);
                }
                System.out.printf("[measure] full scan of %s (%s): %s ms%n", table, table.endsWith("_hot") ? "hot segments" : "Iceberg files", millis);
            }
            long hotRows = scalar(statement, "SELECT sum(record_count) FROM lakehouse.demo.\"ods_events_hot$segments\" WHERE state = 'ACTIVE'");
            long start = System.nanoTime();
            statement.execute("CALL lakehouse.system.tier_table('demo', 'ods_events_hot')");
            double seconds = (System.nanoTime() - start) / 1e9;
            try (ResultSet status = statement.executeQuery("SELECT last_tiering_result FROM lakehouse.system.tiering_status WHERE table_name = 'ods_events_hot'")) {
                status.next();
                System.out.printf("[measure] tier_table of %d hot rows: %.2f s, %.0f rows/s (%s)%n", hotRows, seconds, hotRows / seconds, status.getString(1));
            }
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.demo.ods_events_hot")).isEqualTo(expected);
            statement.execute("DROP TABLE lakehouse.demo.ods_events_hot");
        }
    }

    /**
     * Statements that once gave wrong answers, through the CLI: CREATE OR REPLACE over hot
     * rows, a query as of a time that includes hot rows, a filter on a widened column.
     */
    @Test
    public void testReplaceTimeTravelAndWidenedColumnThroughCli()
            throws Exception
    {
        cli.execute("CREATE TABLE lakehouse.demo.answers (id integer, region varchar)").assertSuccess();
        cli.execute("INSERT INTO lakehouse.demo.answers SELECT CAST(user_id AS integer), region FROM lakehouse.demo.ods_events WHERE user_id <= 100").assertSuccess();
        long hotRows = Long.parseLong(query("SELECT count(*) FROM lakehouse.demo.answers").getFirst().replace("\"", ""));
        assertThat(hotRows).isPositive();
        cli.execute("CREATE OR REPLACE TABLE lakehouse.demo.answers AS SELECT CAST(user_id AS integer) AS id, region FROM lakehouse.demo.ods_events WHERE user_id <= 5").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.demo.answers"))
                .isEqualTo(query("SELECT count(*) FROM lakehouse.demo.ods_events WHERE user_id <= 5"));

        cli.execute("INSERT INTO lakehouse.demo.answers VALUES (1000000, 'hot')").assertSuccess();
        Thread.sleep(10);
        assertThat(query("SELECT count(*) FROM lakehouse.demo.answers FOR TIMESTAMP AS OF current_timestamp - INTERVAL '0.001' SECOND"))
                .isEqualTo(query("SELECT count(*) FROM lakehouse.demo.answers"));

        cli.execute("ALTER TABLE lakehouse.demo.answers ALTER COLUMN id SET DATA TYPE bigint").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.demo.answers WHERE id <= 3"))
                .isEqualTo(query("SELECT count(*) FROM lakehouse.demo.ods_events WHERE user_id <= 3"));
        assertThat(query("SELECT count(*) FROM lakehouse.demo.answers WHERE id = 1000000")).containsExactly("\"1\"");
        cli.execute("DROP TABLE lakehouse.demo.answers").assertSuccess();
    }

    /**
     * A stitched materialized view over two streaming ODS tables with a dimension joined at
     * write time, current after every INSERT through the CLI; the bases keep days, the view months.
     */
    @Test
    public void testStitchedMaterializedViewThroughCli()
            throws Exception
    {
        for (String table : List.of("ods_plays", "ods_likes")) {
            cli.execute("CREATE TABLE lakehouse.demo.%s WITH (partitioning = ARRAY['day(event_time)']) AS SELECT * FROM lakehouse.demo.ods_events WITH NO DATA".formatted(table)).assertSuccess();
        }
        cli.execute("INSERT INTO lakehouse.demo.ods_plays SELECT * FROM lakehouse.demo.ods_events WHERE event_type = 'view' AND user_id <= 2000").assertSuccess();
        String definition = """
                SELECT day, region, category, sum(plays) AS plays, sum(likes) AS likes, approx_distinct(user_id) AS users
                FROM (
                    SELECT date_trunc('day', p.event_time) AS day, p.region, i.category, 1 AS plays, 0 AS likes, p.user_id
                    FROM lakehouse.demo.ods_plays p JOIN lakehouse.demo.dim_item i ON p.item_id = i.item_id
                    UNION ALL
                    SELECT date_trunc('day', l.event_time), l.region, i.category, 0, 1, l.user_id
                    FROM lakehouse.demo.ods_likes l JOIN lakehouse.demo.dim_item i ON l.item_id = i.item_id)
                GROUP BY day, region, category""";
        cli.execute("CREATE MATERIALIZED VIEW lakehouse.demo.dws_region_daily WITH (retention = '365d', partitioning = ARRAY['day(day)']) AS " + definition).assertSuccess();
        String view = "SELECT * FROM lakehouse.demo.dws_region_daily ORDER BY day, region, category";
        String reference = "SELECT * FROM (%s) ORDER BY day, region, category".formatted(definition);
        assertThat(query(view)).isEqualTo(query(reference)).isNotEmpty();

        for (int batch = 0; batch < 3; batch++) {
            cli.execute("INSERT INTO lakehouse.demo.ods_likes SELECT * FROM lakehouse.demo.ods_events WHERE event_type = 'like' AND user_id %% 3 = %d".formatted(batch)).assertSuccess();
            assertThat(query(view)).isEqualTo(query(reference));
            cli.execute("INSERT INTO lakehouse.demo.ods_plays SELECT * FROM lakehouse.demo.ods_events WHERE event_type = 'view' AND user_id > 2000 AND user_id %% 3 = %d".formatted(batch)).assertSuccess();
            assertThat(query(view)).isEqualTo(query(reference));
        }
        assertThat(String.join("\n", query("SHOW CREATE MATERIALIZED VIEW lakehouse.demo.dws_region_daily"))).contains("retention = '365d'");

        // the bases keep 7 days, the view its 365: the demo rows are weeks old, so base retention drops them all
        List<String> before = query(view);
        cli.execute("ALTER TABLE lakehouse.demo.ods_plays SET PROPERTIES retention = '7d'").assertSuccess();
        cli.execute("ALTER TABLE lakehouse.demo.ods_likes SET PROPERTIES retention = '7d'").assertSuccess();
        cli.execute("CALL lakehouse.system.apply_retention('demo', 'ods_plays')").assertSuccess();
        cli.execute("CALL lakehouse.system.apply_retention('demo', 'ods_likes')").assertSuccess();
        assertThat(query("SELECT count(*) FROM lakehouse.demo.ods_plays")).containsExactly("\"0\"");
        assertThat(query(view)).isEqualTo(before);

        cli.execute("DROP MATERIALIZED VIEW lakehouse.demo.dws_region_daily").assertSuccess();
        cli.execute("DROP TABLE lakehouse.demo.ods_plays").assertSuccess();
        cli.execute("DROP TABLE lakehouse.demo.ods_likes").assertSuccess();
    }

    /**
     * kill -9 of the server while an INSERT stream maintains a materialized view and tiering
     * runs: after the restart every acknowledged INSERT is there exactly once, no INSERT is
     * there in part, and the view still equals its query. Runs next to last: it replaces the
     * server the other tests share.
     */
    /**
     * kill -9 while a compaction runs, restart; then kill -9 while a tiering run merges and
     * hands off, restart. Every row is there once, and after the orphan sweep the table's
     * directory holds only files the table tracks (its Iceberg files and its segments).
     */
    @Test
    @Order(Integer.MAX_VALUE - 2)
    public void testKillDuringCompactionAndTieringLosesNothing()
            throws Exception
    {
        String table = "lakehouse.demo.crash_maintenance";
        cli.execute("CREATE TABLE %s (batch bigint, id bigint, pad varchar)".formatted(table)).assertSuccess();
        // segments large enough that merging them takes a while, so the kill lands inside the
        // merge; fewer than the background compaction's threshold, so the statement has them to do
        int batches = 0;
        for (; batches < 9; batches++) {
            insertBatch(table, batches);
        }
        killWhileRunning("CALL lakehouse.system.compact_segments('demo', 'crash_maintenance')");
        assertBatchesExact(table, batches);
        printTiers();

        for (; batches < 17; batches++) {
            insertBatch(table, batches);
        }
        killWhileRunning("CALL lakehouse.system.tier_table('demo', 'crash_maintenance')");
        assertBatchesExact(table, batches);
        printTiers();

        // what the interrupted runs had written is collected, nothing the table needs
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET SESSION lakehouse.remove_orphan_files_min_retention = '0s'");
            statement.execute("ALTER TABLE %s EXECUTE remove_orphan_files(retention_threshold => '0s')".formatted(table));
        }
        Set<String> tracked = new HashSet<>();
        for (String path : query("SELECT file_path FROM lakehouse.demo.\"crash_maintenance$files\" UNION SELECT path FROM lakehouse.demo.\"crash_maintenance$segments\"")) {
            tracked.add(Path.of(path.replace("\"", "").replaceFirst("^local:///", "")).getFileName().toString());
        }
        Set<String> present;
        try (Stream<Path> files = Files.walk(server.configuration().warehouse())) {
            present = files.filter(file -> file.toString().contains("/crash_maintenance-") && file.toString().endsWith(".parquet"))
                    .map(file -> file.getFileName().toString())
                    .collect(toSet());
        }
        assertThat(present).isEqualTo(tracked);
        assertBatchesExact(table, batches);
        cli.execute("DROP TABLE " + table).assertSuccess();
    }

    private void printTiers()
            throws Exception
    {
        System.out.printf("[measure] after restart: %s active segments, %s Iceberg files%n",
                query("SELECT count(*) FROM lakehouse.demo.\"crash_maintenance$segments\" WHERE state = 'ACTIVE'"),
                query("SELECT count(*) FROM lakehouse.demo.\"crash_maintenance$files\""));
    }

    private void insertBatch(String table, int batch)
            throws Exception
    {
        // ids 1..CRASH_BATCH_ROWS (a single sequence() is capped at 10,000 entries)
        cli.execute(("INSERT INTO %s SELECT %d, hi * 1000 + lo, lpad(CAST(lo AS varchar), 64, 'x') " +
                "FROM UNNEST(sequence(0, %d)) a(hi) CROSS JOIN UNNEST(sequence(1, 1000)) b(lo)").formatted(table, batch, CRASH_BATCH_ROWS / 1000 - 1)).assertSuccess();
    }

    private void assertBatchesExact(String table, int batches)
            throws Exception
    {
        assertThat(query("SELECT count(DISTINCT batch), count(*), count(DISTINCT (batch, id)), sum(id) FROM " + table))
                .containsExactly("\"%d\",\"%d\",\"%d\",\"%d\"".formatted(batches, batches * CRASH_BATCH_ROWS, batches * CRASH_BATCH_ROWS, batches * (CRASH_BATCH_ROWS * (CRASH_BATCH_ROWS + 1) / 2)));
    }

    /**
     * Starts {@code call}, kills the server with SIGKILL as soon as the statement is seen
     * running, and starts it again.
     */
    private void killWhileRunning(String call)
            throws Exception
    {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> running = executor.submit(() -> {
                try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                    statement.execute(call);
                }
                catch (Exception e) {
                    // the server died under it
                }
            });
            boolean seen = false;
            try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                while (!seen && !running.isDone()) {
                    try (ResultSet resultSet = statement.executeQuery("SELECT count(*) FROM system.runtime.queries WHERE state = 'RUNNING' AND query = '%s'".formatted(call.replace("'", "''")))) {
                        resultSet.next();
                        seen = resultSet.getLong(1) > 0;
                    }
                }
            }
            assertThat(seen).as("%s seen running before it finished", call).isTrue();
            ProcessHandle killed = server.runningProcess().orElseThrow();
            assertThat(killed.destroyForcibly()).isTrue();
            killed.onExit().get(1, TimeUnit.MINUTES);
            server.up(message -> System.out.println("[e2e] " + message));
            running.get(3, TimeUnit.MINUTES);
            System.out.printf("[measure] kill -9 during %s: server restarted%n", call);
        }
        finally {
            executor.shutdownNow();
        }
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    public void testKillDuringInsertStreamAndTieringLosesNothing()
            throws Exception
    {
        cli.execute("CREATE TABLE lakehouse.demo.crash_stream (batch bigint, id bigint)").assertSuccess();
        cli.execute("CREATE MATERIALIZED VIEW lakehouse.demo.crash_stream_counts AS SELECT batch, count(*) AS row_count, sum(id) AS id_sum FROM lakehouse.demo.crash_stream GROUP BY batch").assertSuccess();
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Future<?> inserts = executor.submit(() -> {
                try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                    for (long batch = 0; running.get(); batch++) {
                        statement.execute("INSERT INTO lakehouse.demo.crash_stream SELECT %d, x FROM UNNEST(sequence(1, 100)) t(x)".formatted(batch));
                        acknowledged.add(batch);
                    }
                }
                catch (Exception e) {
                    // the server was killed under the INSERT in flight
                }
            });
            Future<?> tiering = executor.submit(() -> {
                try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                    while (running.get()) {
                        statement.execute("CALL lakehouse.system.tier_table('demo', 'crash_stream')");
                    }
                }
                catch (Exception e) {
                    // killed mid-tiering, or the table had nothing to tier at that instant
                }
            });
            while (acknowledged.size() < 20) {
                Thread.sleep(50);
            }
            ProcessHandle killed = server.runningProcess().orElseThrow();
            assertThat(killed.destroyForcibly()).isTrue();
            killed.onExit().get(1, TimeUnit.MINUTES);
            running.set(false);
            // a client keeps retrying a dead server for minutes: the restarted one answers it that its query is gone
            server.up(message -> System.out.println("[e2e] " + message));
            inserts.get(3, TimeUnit.MINUTES);
            tiering.get(3, TimeUnit.MINUTES);
        }
        finally {
            running.set(false);
            executor.shutdownNow();
        }

        Map<Long, Long> rowsByBatch = new HashMap<>();
        for (String line : query("SELECT batch, count(*) FROM lakehouse.demo.crash_stream GROUP BY batch")) {
            String[] fields = line.replace("\"", "").split(",");
            rowsByBatch.put(Long.parseLong(fields[0]), Long.parseLong(fields[1]));
        }
        assertThat(rowsByBatch.keySet()).containsAll(acknowledged);
        // at most the INSERT in flight when the server died may have committed without its acknowledgement
        assertThat(rowsByBatch.size()).isBetween(acknowledged.size(), acknowledged.size() + 1);
        assertThat(rowsByBatch.values()).allMatch(rows -> rows == 100);
        String definition = "SELECT batch, count(*) AS row_count, sum(id) AS id_sum FROM lakehouse.demo.crash_stream GROUP BY batch";
        assertThat(query("SELECT count(*) FROM ((SELECT * FROM lakehouse.demo.crash_stream_counts EXCEPT %1$s) UNION ALL (%1$s EXCEPT SELECT * FROM lakehouse.demo.crash_stream_counts))".formatted(definition)))
                .containsExactly("\"0\"");
        System.out.printf("[measure] kill -9 during the INSERT stream: %d INSERTs acknowledged, %d batches present after restart%n", acknowledged.size(), rowsByBatch.size());

        cli.execute("DROP MATERIALIZED VIEW lakehouse.demo.crash_stream_counts").assertSuccess();
        cli.execute("DROP TABLE lakehouse.demo.crash_stream").assertSuccess();
    }

    /**
     * What a user does after a crash: kill -9 the server, {@code up} again, and query at once
     * (a partitioned CREATE TABLE AS, an INSERT, a scan) with no sleep in between. Runs last:
     * it replaces the server the other tests share.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    public void testKillThenUpServesQueriesAtOnce()
            throws Exception
    {
        for (int cycle = 1; cycle <= 2; cycle++) {
            ProcessHandle killed = server.runningProcess().orElseThrow();
            assertThat(killed.destroyForcibly()).isTrue();
            List<String> progress = new ArrayList<>();
            long start = System.nanoTime();
            server.up(progress::add);
            System.out.printf("[measure] kill -9 then up, cycle %d: %.1f s: %s%n", cycle, (System.nanoTime() - start) / 1e9, progress);
            assertThat(server.runningProcess().orElseThrow().pid()).isNotEqualTo(killed.pid());
            assertThat(progress).anyMatch(line -> line.startsWith("Server ready at"));

            String table = "lakehouse.demo.after_kill_" + cycle;
            cli.execute("CREATE TABLE %s WITH (partitioning = ARRAY['day(event_time)']) AS SELECT * FROM lakehouse.demo.ods_events WHERE user_id <= 100".formatted(table)).assertSuccess();
            cli.execute("INSERT INTO %s SELECT * FROM lakehouse.demo.ods_events WHERE user_id BETWEEN 101 AND 200".formatted(table)).assertSuccess();
            assertThat(query("SELECT count(*) FROM " + table))
                    .isEqualTo(query("SELECT count(*) FROM lakehouse.demo.ods_events WHERE user_id <= 200"));
            cli.execute("DROP TABLE " + table).assertSuccess();
        }
        // the readiness probe leaves nothing behind
        assertThat(query("SHOW SCHEMAS FROM lakehouse LIKE 'lakehouse_readiness'")).isEmpty();
    }

    /**
     * Aggregations over a base table, as a user and Superset send them, answered from its
     * materialized view without naming it: EXPLAIN shows the view in the scan, and the rows
     * equal those of the same query with the rewrite switched off.
     */
    @Test
    public void testQueriesRewrittenToMaterializedViewThroughCli()
            throws Exception
    {
        cli.execute("CREATE TABLE lakehouse.demo.ods_rewrite WITH (partitioning = ARRAY['day(event_time)']) AS SELECT * FROM lakehouse.demo.ods_events WHERE user_id <= 5000").assertSuccess();
        cli.execute("""
                CREATE MATERIALIZED VIEW lakehouse.demo.dws_rewrite_daily AS
                SELECT date_trunc('day', event_time) AS day, date_trunc('day', CAST(event_time AS TIMESTAMP)) AS chart_day, region, event_type,
                       count(*) AS events, sum(amount) AS amount, avg(amount) AS mean_amount, approx_distinct(user_id) AS users
                FROM lakehouse.demo.ods_rewrite
                GROUP BY date_trunc('day', event_time), date_trunc('day', CAST(event_time AS TIMESTAMP)), region, event_type""").assertSuccess();
        // rows arriving after the view was built, hot, maintained by the INSERT itself
        cli.execute("INSERT INTO lakehouse.demo.ods_rewrite SELECT * FROM lakehouse.demo.ods_events WHERE user_id > 5000 AND user_id <= 6000").assertSuccess();

        List<String> queries = List.of(
                "SELECT region, count(*), sum(amount), avg(amount) FROM lakehouse.demo.ods_rewrite GROUP BY region ORDER BY region",
                "SELECT date_trunc('month', event_time) AS month, event_type, approx_distinct(user_id) FROM lakehouse.demo.ods_rewrite GROUP BY 1, 2 ORDER BY 1, 2",
                """
                SELECT date_trunc('day', CAST(event_time AS TIMESTAMP)) AS __timestamp, region AS region, sum(amount) AS "SUM(amount)"
                FROM lakehouse.demo.ods_rewrite
                WHERE event_time >= TIMESTAMP '2026-11-01 00:00:00.000000' AND event_time < TIMESTAMP '2026-11-02 00:00:00.000000' AND event_type = 'pay'
                GROUP BY date_trunc('day', CAST(event_time AS TIMESTAMP)), region ORDER BY "SUM(amount)" DESC LIMIT 1001""");
        for (String sql : queries) {
            assertThat(String.join("\n", query("EXPLAIN " + sql))).as(sql).contains("lakehouse:demo.dws_rewrite_daily (materialized view answering demo.ods_rewrite");
            List<String> answer = query(sql);
            List<String> withoutRewrite = cli.execute(sql, "--output-format", "CSV", "--session", "lakehouse.mv_rewrite_enabled=false").assertSuccess().lines();
            assertThat(answer).as(sql).isNotEmpty().isEqualTo(withoutRewrite);
        }
        // switched off, the base answers
        assertThat(String.join("\n", cli.execute("EXPLAIN " + queries.getFirst(), "--session", "lakehouse.mv_rewrite_enabled=false").assertSuccess().output()))
                .doesNotContain("dws_rewrite_daily");
        assertThat(query("SELECT sum(queries) > 0 FROM lakehouse.system.mv_rewrites WHERE view_name = 'dws_rewrite_daily' AND outcome = 'hit'")).containsExactly("\"true\"");
        assertThat(query("SELECT reason FROM lakehouse.system.mv_rewrites WHERE view_name = 'dws_rewrite_daily' AND outcome = 'miss'"))
                .contains("\"session property mv_rewrite_enabled is false\"");

        cli.execute("DROP MATERIALIZED VIEW lakehouse.demo.dws_rewrite_daily").assertSuccess();
        cli.execute("DROP TABLE lakehouse.demo.ods_rewrite").assertSuccess();
    }

    /**
     * What SQL IDEs and Superset's dialect read through the Trino JDBC driver's
     * DatabaseMetaData: catalogs, schemas, tables and materialized views (never a view's state
     * table), columns with their types and comments.
     */
    @Test
    public void testJdbcDatabaseMetaData()
            throws Exception
    {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA lakehouse.e2e_meta");
            statement.execute("CREATE TABLE lakehouse.e2e_meta.orders (order_time timestamp(6) COMMENT 'when the order was placed', region varchar COMMENT 'sales region', amount decimal(12, 2)) " +
                    "COMMENT 'one row per order' WITH (partitioning = ARRAY['day(order_time)'])");
            statement.execute("INSERT INTO lakehouse.e2e_meta.orders VALUES (TIMESTAMP '2026-11-20 10:00:00', 'beijing', 12.50)");
            statement.execute("CREATE MATERIALIZED VIEW lakehouse.e2e_meta.orders_daily AS SELECT date_trunc('day', order_time) AS day, region, sum(amount) AS amount FROM lakehouse.e2e_meta.orders GROUP BY date_trunc('day', order_time), region");
            DatabaseMetaData metaData = connection.getMetaData();

            assertThat(column(metaData.getCatalogs(), "TABLE_CAT")).contains("lakehouse");
            assertThat(column(metaData.getSchemas("lakehouse", null), "TABLE_SCHEM")).contains("demo", "e2e_meta");

            Map<String, String> tables = new HashMap<>();
            try (ResultSet resultSet = metaData.getTables("lakehouse", "e2e_meta", null, null)) {
                while (resultSet.next()) {
                    tables.put(resultSet.getString("TABLE_NAME"), resultSet.getString("TABLE_TYPE"));
                }
            }
            assertThat(tables.keySet()).containsExactlyInAnyOrder("orders", "orders_daily");
            assertThat(tables.get("orders")).isEqualTo("TABLE");

            Map<String, String> columns = new HashMap<>();
            try (ResultSet resultSet = metaData.getColumns("lakehouse", "e2e_meta", "orders", null)) {
                while (resultSet.next()) {
                    columns.put(resultSet.getString("COLUMN_NAME"), resultSet.getString("TYPE_NAME") + ":" + resultSet.getString("REMARKS"));
                }
            }
            assertThat(columns).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "order_time", "timestamp(6):when the order was placed",
                    "region", "varchar:sales region",
                    "amount", "decimal(12,2):null"));
            assertThat(column(metaData.getColumns("lakehouse", "e2e_meta", "orders_daily", null), "COLUMN_NAME")).containsExactly("day", "region", "amount");

            statement.execute("DROP MATERIALIZED VIEW lakehouse.e2e_meta.orders_daily");
            statement.execute("DROP TABLE lakehouse.e2e_meta.orders");
            statement.execute("DROP SCHEMA lakehouse.e2e_meta");
        }
    }

    private static List<String> column(ResultSet resultSet, String name)
            throws Exception
    {
        List<String> values = new ArrayList<>();
        try (resultSet) {
            while (resultSet.next()) {
                values.add(resultSet.getString(name));
            }
        }
        return values;
    }

    private List<String> query(String sql)
            throws Exception
    {
        return cli.execute(sql, "--output-format", "CSV").assertSuccess().lines();
    }
}
