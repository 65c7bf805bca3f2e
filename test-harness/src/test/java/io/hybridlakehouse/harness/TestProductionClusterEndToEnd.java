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
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.hybridlakehouse.harness.JdbcResults.rows;
import static io.hybridlakehouse.harness.JdbcResults.scalar;
import static io.hybridlakehouse.harness.JdbcResults.strings;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * The production layout as {@code ./lakehouse cluster up} starts it: PostgreSQL, the S3
 * server and a coordinator with two workers, each a real Trino 476 process. INSERTs run their
 * writers on the workers, the cold tier lives in S3, the cache is per worker, and losing a
 * worker or the database fails queries cleanly and loses nothing.
 */
@TestInstance(PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class TestProductionClusterEndToEnd
{
    private static final String TABLE = "lakehouse.prod.orders";
    private static final String COLUMNS = "orderkey, custkey, orderstatus, totalprice, orderdate, orderpriority";
    // the same SQL over our table and over TPC-H's; {table} is either
    private static final List<String> DIFFERENTIAL_QUERIES = List.of(
            "SELECT count(*), sum(custkey), CAST(sum(totalprice) AS decimal(20, 2)) FROM {table}",
            "SELECT orderstatus, count(*), min(orderdate), max(orderdate) FROM {table} GROUP BY orderstatus",
            "SELECT year(orderdate), orderpriority, count(*), CAST(sum(totalprice) AS decimal(20, 2)) FROM {table} GROUP BY 1, 2",
            "SELECT orderkey, custkey, totalprice FROM {table} WHERE orderdate BETWEEN DATE '1995-03-01' AND DATE '1995-03-09' AND orderpriority = '1-URGENT'",
            "SELECT count(*) FROM {table} WHERE custkey = 370",
            "SELECT o.orderpriority, count(*) FROM {table} o JOIN tpch.tiny.customer c ON o.custkey = c.custkey WHERE c.mktsegment = 'BUILDING' GROUP BY 1");

    private LakehouseCluster cluster;
    private Path home;

    @BeforeAll
    public void startCluster()
            throws Exception
    {
        // PostgreSQL runs as its own user, which must reach its data directory below this one
        home = Files.createTempDirectory("lakehouse-cluster", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        cluster = new LakehouseCluster(
                TrinoDistribution.fromSystemProperty(),
                IcebergJava.fromSystemProperty(),
                home,
                repository.resolve("etc-catalog"),
                "2G",
                new LakehouseCluster.Ports(TestingPorts.freePort(), List.of(TestingPorts.freePort(), TestingPorts.freePort()), TestingPorts.freePort(), TestingPorts.freePort(), TestingPorts.freePort()));
        long start = System.nanoTime();
        cluster.up(message -> System.out.printf("[cluster %5.1fs] %s%n", (System.nanoTime() - start) / 1e9, message));
    }

    @AfterAll
    public void stopCluster()
            throws Exception
    {
        if (cluster != null) {
            cluster.down();
            MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
        }
    }

    /**
     * INSERTs whose writers run on the workers commit exactly once, and every query returns
     * the rows TPC-H returns whether the rows are hot, cold in S3, or both.
     */
    @Test
    @Order(1)
    public void testWorkerWritesCommitOnceAndTiersReadAlike()
            throws Exception
    {
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA lakehouse.prod");
            statement.execute("CREATE TABLE %s (orderkey bigint, custkey bigint, orderstatus varchar, totalprice double, orderdate date, orderpriority varchar) WITH (partitioning = ARRAY['month(orderdate)'])".formatted(TABLE));

            insertBatch(statement, 0);
            insertBatch(statement, 1);
            assertSameAsTpch(statement, "orderkey % 3 IN (0, 1)", "all hot");

            // compaction on S3: each partition's two INSERT segments become one file
            long partitions = scalar(statement, "SELECT count(DISTINCT partition) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'");
            assertThat(scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'")).isEqualTo(2 * partitions);
            statement.execute("CALL lakehouse.system.compact_segments('prod', 'orders')");
            assertThat(scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'")).isEqualTo(partitions);
            assertSameAsTpch(statement, "orderkey % 3 IN (0, 1)", "all hot, compacted");

            statement.execute("CALL lakehouse.system.tier_table('prod', 'orders')");
            insertBatch(statement, 2);
            assertThat(scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'")).isPositive();
            assertSameAsTpch(statement, "true", "hot and cold");

            statement.execute("CALL lakehouse.system.tier_table('prod', 'orders')");
            assertThat(scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'")).isZero();
            assertSameAsTpch(statement, "true", "all cold");

            // the hand-off mark went through the REST catalog in the commit of the tiered files: on the snapshot and the table
            long mark = scalar(statement, "SELECT max(segment_id) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'TIERED'");
            assertThat(strings(statement, "SELECT summary['hybrid.tiered-through'] FROM \"lakehouse\".\"prod\".\"orders$snapshots\" ORDER BY committed_at DESC LIMIT 1"))
                    .containsExactly(String.valueOf(mark));
            assertThat(strings(statement, "SELECT value FROM \"lakehouse\".\"prod\".\"orders$properties\" WHERE key = 'hybrid.tiered-through'"))
                    .containsExactly(String.valueOf(mark));
        }
        // the cold tier is in the S3 bucket, not on a node's disk
        assertThat(cluster.s3().storedBytes(LakehouseCluster.BUCKET, "warehouse/iceberg/prod")).isPositive();
    }

    private void insertBatch(Statement statement, int batch)
            throws SQLException
    {
        long before = scalar(statement, "SELECT count(*) FROM " + TABLE);
        String sql = "INSERT INTO %s SELECT %s FROM tpch.tiny.orders WHERE orderkey %% 3 = %d".formatted(TABLE, COLUMNS, batch);
        statement.execute(sql);
        long expected = scalar(statement, "SELECT count(*) FROM tpch.tiny.orders WHERE orderkey % 3 = " + batch);
        assertThat(scalar(statement, "SELECT count(*) FROM " + TABLE)).as("rows after batch %d", batch).isEqualTo(before + expected);

        // the writers ran on the workers: only the root stage (which commits) is the coordinator's
        Set<String> writerNodes = new HashSet<>(strings(statement, """
                SELECT DISTINCT t.node_id FROM system.runtime.tasks t JOIN system.runtime.queries q ON t.query_id = q.query_id
                WHERE q.query = '%s' AND t.stage_id <> q.query_id || '.0'""".formatted(sql.replace("'", "''"))));
        assertThat(writerNodes).isNotEmpty().isSubsetOf("worker-1", "worker-2");
    }

    private static void assertSameAsTpch(Statement statement, String tpchFilter, String state)
            throws SQLException
    {
        for (String query : DIFFERENTIAL_QUERIES) {
            List<String> ours = rows(statement, query.replace("{table}", TABLE));
            List<String> reference = rows(statement, query.replace("{table}", "(SELECT %s FROM tpch.tiny.orders WHERE %s)".formatted(COLUMNS, tpchFilter)));
            assertThat(ours).as("%s (%s)", query, state).isNotEmpty().containsExactlyInAnyOrderElementsOf(reference);
        }
    }

    /**
     * Another engine reads the cold tier: Iceberg's own Java reader, through the REST catalog
     * and S3 with no Trino class, returns the rows Trino returns.
     */
    @Test
    @Order(2)
    public void testNonTrinoReaderReadsColdTier()
            throws Exception
    {
        List<String> trinoRows;
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            assertThat(scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$segments\" WHERE state = 'ACTIVE'")).isZero();
            trinoRows = rows(statement, "SELECT %s FROM %s".formatted(COLUMNS, TABLE));
        }
        IcebergJava iceberg = IcebergJava.fromSystemProperty();
        ProcessBuilder reader = new ProcessBuilder(JavaRuntime.javaExecutable().toString(), "--sun-misc-unsafe-memory-access=allow",
                "-cp", iceberg.classPath(), "io.hybridlakehouse.iceberg.GenericTableReader", cluster.restCatalog().uri(), "prod", "orders")
                .redirectError(home.resolve("generic-reader.log").toFile());
        reader.environment().put("LAKEHOUSE_S3_ENDPOINT", cluster.s3().endpoint());
        reader.environment().put(ClusterSecrets.S3_ACCESS_KEY_VARIABLE, cluster.secrets().s3AccessKey());
        reader.environment().put(ClusterSecrets.S3_SECRET_KEY_VARIABLE, cluster.secrets().s3SecretKey());
        Process process = reader.start();
        List<String> icebergRows = new String(process.getInputStream().readAllBytes(), UTF_8).lines().toList();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(home.resolve("generic-reader.log"), UTF_8)).isZero();
        assertThat(icebergRows).hasSize(15_000).containsExactlyInAnyOrderElementsOf(trinoRows);
    }

    /**
     * The same table on the other production catalog: the Iceberg JDBC catalog in PostgreSQL,
     * beside the segment metastore in the same database.
     */
    @Test
    @Order(3)
    public void testJdbcCatalogOnPostgres()
            throws Exception
    {
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA lakehouse_jdbc.prod");
            statement.execute("CREATE TABLE lakehouse_jdbc.prod.orders WITH (partitioning = ARRAY['year(orderdate)']) AS SELECT %s FROM tpch.tiny.orders WHERE orderkey %% 2 = 0".formatted(COLUMNS));
            statement.execute("INSERT INTO lakehouse_jdbc.prod.orders SELECT %s FROM tpch.tiny.orders WHERE orderkey %% 2 = 1".formatted(COLUMNS));
            for (String query : DIFFERENTIAL_QUERIES.subList(0, 3)) {
                assertThat(rows(statement, query.replace("{table}", "lakehouse_jdbc.prod.orders"))).as(query)
                        .containsExactlyInAnyOrderElementsOf(rows(statement, query.replace("{table}", "tpch.tiny.orders")));
            }
            statement.execute("CALL lakehouse_jdbc.system.tier_table('prod', 'orders')");
            assertThat(rows(statement, DIFFERENTIAL_QUERIES.getFirst().replace("{table}", "lakehouse_jdbc.prod.orders")))
                    .isEqualTo(rows(statement, DIFFERENTIAL_QUERIES.getFirst().replace("{table}", "tpch.tiny.orders")));
        }
        assertThat(cluster.postgres().psql(LakehouseCluster.JDBC_CATALOG_DATABASE, "SELECT table_namespace || '.' || table_name FROM iceberg_tables").lines())
                .contains("prod.orders");
        assertThat(cluster.postgres().psql(LakehouseCluster.DATABASE, "SELECT count(*) FROM iceberg_tables").strip()).isEqualTo("0");
    }

    /**
     * UPDATE, DELETE, MERGE and TRUNCATE of rows still hot, on the REST catalog: the statement tiers them
     * to Iceberg first and then reads the table's new metadata through the catalog.
     */
    @Test
    @Order(4)
    public void testRowLevelChangesOfHotRowsOnRestCatalog()
            throws Exception
    {
        String table = "lakehouse.prod.changed_orders";
        String activeSegments = "SELECT count(*) FROM \"lakehouse\".\"prod\".\"changed_orders$segments\" WHERE state = 'ACTIVE'";
        String insert = "INSERT INTO %s SELECT orderkey, orderstatus, totalprice FROM tpch.tiny.orders WHERE orderkey %% 3 = %d";
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE %s (orderkey bigint, orderstatus varchar, totalprice double)".formatted(table));
            statement.execute(insert.formatted(table, 0));
            assertThat(scalar(statement, activeSegments)).isPositive();
            statement.execute("DELETE FROM %s WHERE orderkey %% 5 = 0".formatted(table));
            statement.execute(insert.formatted(table, 1));
            assertThat(scalar(statement, activeSegments)).isPositive();
            statement.execute("UPDATE %s SET orderstatus = 'X' WHERE orderkey %% 7 = 0".formatted(table));
            statement.execute(insert.formatted(table, 2));
            assertThat(scalar(statement, activeSegments)).isPositive();
            statement.execute("""
                    MERGE INTO %s t USING (SELECT orderkey, totalprice FROM tpch.tiny.orders WHERE orderkey %% 11 = 0) s ON t.orderkey = s.orderkey
                    WHEN MATCHED THEN UPDATE SET totalprice = s.totalprice + 1
                    WHEN NOT MATCHED THEN INSERT VALUES (s.orderkey, 'N', s.totalprice)""".formatted(table));

            // the DELETE saw the first third, the UPDATE two thirds, the MERGE all of it
            String expected = """
                    SELECT orderkey, CASE WHEN orderkey % 7 = 0 AND orderkey % 3 IN (0, 1) THEN 'X' ELSE orderstatus END, CASE WHEN orderkey % 11 = 0 THEN totalprice + 1 ELSE totalprice END
                    FROM tpch.tiny.orders WHERE NOT (orderkey % 3 = 0 AND orderkey % 5 = 0)
                    UNION ALL
                    SELECT orderkey, 'N', totalprice FROM tpch.tiny.orders WHERE orderkey % 11 = 0 AND orderkey % 3 = 0 AND orderkey % 5 = 0""";
            assertThat(rows(statement, "SELECT * FROM " + table))
                    .isNotEmpty()
                    .containsExactlyInAnyOrderElementsOf(rows(statement, expected));

            statement.execute(insert.formatted(table, 0));
            assertThat(scalar(statement, activeSegments)).isPositive();
            statement.execute("TRUNCATE TABLE " + table);
            assertThat(scalar(statement, "SELECT count(*) FROM " + table)).isZero();
            statement.execute("DROP TABLE " + table);
        }
    }

    /**
     * Tiering, retention and the orphan sweep run on the coordinator alone; the background
     * service moves rows to S3 by itself.
     */
    @Test
    @Order(5)
    public void testBackgroundServiceRunsOnCoordinatorOnly()
            throws Exception
    {
        assertThat(Files.readString(cluster.coordinator().configuration().serverLog(), UTF_8))
                .contains("Background tiering service started on this coordinator");
        for (LakehouseServer worker : cluster.workers()) {
            assertThat(Files.readString(worker.configuration().serverLog(), UTF_8))
                    .contains("Background tiering service not started on this node: it runs on the coordinator only")
                    .doesNotContain("Background tiering service started");
        }
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE lakehouse.prod.fresh WITH (tier_after = '1s') AS SELECT * FROM tpch.tiny.nation WITH NO DATA");
            statement.execute("INSERT INTO lakehouse.prod.fresh SELECT * FROM tpch.tiny.nation");
            // the INSERT's segment becomes TIERED without any CALL: the coordinator's service moved it
            awaitTrue(statement, "SELECT count_if(state = 'TIERED') > 0 AND count_if(state = 'ACTIVE') = 0 FROM \"lakehouse\".\"prod\".\"fresh$segments\"", Duration.ofSeconds(90));
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.prod.fresh")).isEqualTo(25);
            statement.execute("DROP TABLE lakehouse.prod.fresh");
        }
    }

    /**
     * Scans spread their splits over both workers, each caching what it reads, and
     * {@code warm_cache} warms every worker's own cache with the files its scans will read:
     * a scan after warming reads from the workers' caches, not from S3.
     */
    @Test
    @Order(6)
    public void testCacheAffinityAcrossWorkers()
            throws Exception
    {
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            List<String> warmed = strings(statement, "SELECT DISTINCT node_id FROM TABLE(lakehouse.system.warm_cache(schema_name => 'prod', table_name => 'orders'))");
            assertThat(warmed).containsExactlyInAnyOrder("worker-1", "worker-2");

            long storageReadsBefore = scalar(statement, "SELECT sum(storage_reads) FROM lakehouse.system.cache_stats WHERE node_id LIKE 'worker-%'");
            long cacheReadsBefore = scalar(statement, "SELECT sum(cache_reads) FROM lakehouse.system.cache_stats WHERE node_id LIKE 'worker-%'");
            assertThat(rows(statement, DIFFERENTIAL_QUERIES.get(1).replace("{table}", TABLE))).isNotEmpty();
            // affinity is soft: a split whose worker is busy may run on the other one, which reads it from S3
            long storageReads = scalar(statement, "SELECT sum(storage_reads) FROM lakehouse.system.cache_stats WHERE node_id LIKE 'worker-%'") - storageReadsBefore;
            long cacheReads = scalar(statement, "SELECT sum(cache_reads) FROM lakehouse.system.cache_stats WHERE node_id LIKE 'worker-%'") - cacheReadsBefore;
            assertThat(cacheReads).isPositive();
            assertThat(storageReads).as("S3 reads of a scan after warm_cache, against %d cache reads", cacheReads).isLessThan(cacheReads);
            assertThat(strings(statement, "SELECT node_id FROM lakehouse.system.cache_stats WHERE cache_reads > 0 AND node_id LIKE 'worker-%'"))
                    .containsExactlyInAnyOrder("worker-1", "worker-2");
        }
    }

    /**
     * The orphan sweep on S3 costs two recursive listings per table (data and metadata, 1,000
     * keys per request) and one read per manifest, whatever the number of files.
     */
    @Test
    @Order(7)
    public void testOrphanSweepRequestsOnS3()
            throws Exception
    {
        long files;
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            files = scalar(statement, "SELECT count(*) FROM \"lakehouse\".\"prod\".\"orders$files\"");
            statement.execute("ALTER TABLE %s EXECUTE remove_orphan_files(retention_threshold => '7d')".formatted(TABLE));
            assertThat(scalar(statement, "SELECT count(*) FROM " + TABLE)).isEqualTo(15_000);
        }
        String log = Files.readString(cluster.coordinator().configuration().serverLog(), UTF_8);
        Matcher sweep = Pattern.compile("Orphan sweep of prod\\.orders: deleted 0 files .* read (\\d+) directory listings \\((\\d+) files\\) and (\\d+) manifests").matcher(log);
        // the background service swept the table when it was new: the last sweep is this one
        List<long[]> sweeps = new ArrayList<>();
        while (sweep.find()) {
            sweeps.add(new long[] {Long.parseLong(sweep.group(1)), Long.parseLong(sweep.group(2)), Long.parseLong(sweep.group(3))});
        }
        assertThat(sweeps).as("sweeps logged").isNotEmpty();
        long[] last = sweeps.getLast();
        assertThat(last[0]).as("listings").isEqualTo(2);
        assertThat(last[1]).as("files listed").isGreaterThanOrEqualTo(files);
        assertThat(last[2]).as("manifests read").isPositive();
    }

    /**
     * A synchronous view over the S3 table, maintained by INSERTs the workers write, answers
     * the aggregation on its base with the rows the base gives.
     */
    @Test
    @Order(8)
    public void testMaterializedViewRewriteOnCluster()
            throws Exception
    {
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE lakehouse.prod.lineitem WITH (partitioning = ARRAY['year(shipdate)']) AS SELECT orderkey, partkey, quantity, extendedprice, returnflag, shipdate FROM tpch.tiny.lineitem WHERE orderkey % 2 = 0");
            statement.execute("""
                    CREATE MATERIALIZED VIEW lakehouse.prod.lineitem_monthly AS
                    SELECT date_trunc('month', shipdate) AS month, returnflag, count(*) AS items, sum(quantity) AS quantity, sum(extendedprice) AS revenue
                    FROM lakehouse.prod.lineitem GROUP BY date_trunc('month', shipdate), returnflag""");
            statement.execute("INSERT INTO lakehouse.prod.lineitem SELECT orderkey, partkey, quantity, extendedprice, returnflag, shipdate FROM tpch.tiny.lineitem WHERE orderkey % 2 = 1");

            String query = "SELECT date_trunc('year', shipdate), returnflag, count(*), sum(quantity), CAST(sum(extendedprice) AS decimal(20, 2)) FROM %s GROUP BY 1, 2";
            assertThat(String.join("\n", strings(statement, "EXPLAIN " + query.formatted("lakehouse.prod.lineitem"))))
                    .contains("materialized view answering prod.lineitem");
            assertThat(rows(statement, query.formatted("lakehouse.prod.lineitem")))
                    .isNotEmpty()
                    .containsExactlyInAnyOrderElementsOf(rows(statement, query.formatted("tpch.tiny.lineitem")));
            statement.execute("DROP MATERIALIZED VIEW lakehouse.prod.lineitem_monthly");
            statement.execute("DROP TABLE lakehouse.prod.lineitem");
        }
    }

    /**
     * The database password and the S3 keys reach the nodes only through their environment:
     * they are in no catalog file, log, query result or error message.
     */
    @Test
    @Order(9)
    public void testSecretsNeverShown()
            throws Exception
    {
        ClusterSecrets secrets = cluster.secrets();
        List<String> secretValues = List.of(secrets.metastorePassword(), secrets.s3AccessKey(), secrets.s3SecretKey(), secrets.databaseSuperuserPassword());

        String catalogFile = Files.readString(cluster.coordinator().configuration().serverDirectory().resolve("etc/catalog/lakehouse.properties"), UTF_8);
        assertThat(catalogFile).contains("${ENV:LAKEHOUSE_METASTORE_PASSWORD}", "${ENV:LAKEHOUSE_S3_SECRET_KEY}");

        List<String> shown = new ArrayList<>();
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            shown.addAll(strings(statement, "SHOW CREATE SCHEMA lakehouse.prod"));
            shown.addAll(strings(statement, "SHOW CREATE TABLE " + TABLE));
            for (String table : List.of("system.metadata.catalogs", "system.runtime.nodes", "lakehouse.system.tiering_status", "lakehouse.system.cache_stats",
                    "lakehouse.information_schema.tables", "\"lakehouse\".\"prod\".\"orders$segments\"", "\"lakehouse\".\"prod\".\"orders$files\"")) {
                shown.addAll(rows(statement, "SELECT * FROM " + table));
            }
            for (String failing : List.of("SELECT * FROM lakehouse.prod.missing", "CALL lakehouse.system.tier_table('prod', 'missing')", "CREATE TABLE lakehouse.prod.bad WITH (tier_after = 'soon') AS SELECT 1 x")) {
                try {
                    statement.execute(failing);
                }
                catch (SQLException e) {
                    shown.add(e.getMessage());
                }
            }
        }
        List<Path> logs;
        try (Stream<Path> files = Files.walk(home)) {
            logs = files.filter(file -> file.getFileName().toString().endsWith(".log") || file.toString().contains("/var/log/")).filter(Files::isRegularFile).toList();
        }
        assertThat(logs).hasSizeGreaterThan(6);
        for (Path log : logs) {
            shown.add(Files.readString(log, UTF_8));
        }
        String everything = String.join("\n", shown);
        assertThat(everything).contains("hybrid.metastore.password=[REDACTED]");
        for (String secret : secretValues) {
            assertThat(everything.contains(secret)).as("a secret of %s shown", secrets).isFalse();
        }
    }

    /**
     * While PostgreSQL is down, queries fail at once with an error naming the database (and no
     * password); once it is back they succeed, and nothing committed before is lost.
     */
    @Test
    @Order(10)
    public void testMetastoreRestart()
            throws Exception
    {
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            List<String> before = rows(statement, DIFFERENTIAL_QUERIES.getFirst().replace("{table}", TABLE));
            cluster.postgres().stop();
            try {
                for (String sql : List.of("SELECT count(*) FROM " + TABLE, "INSERT INTO %s SELECT %s FROM tpch.tiny.orders WHERE orderkey < 100".formatted(TABLE, COLUMNS))) {
                    assertThatThrownBy(() -> statement.execute(sql))
                            .as(sql)
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("the metadata database %s cannot be reached".formatted(cluster.postgres().jdbcUrl(LakehouseCluster.DATABASE)))
                            .hasMessageNotContaining(cluster.secrets().metastorePassword());
                }
            }
            finally {
                cluster.postgres().start(List.of());
            }
            // the REST catalog service answers from its own pool of database connections: its first
            // request after the restart may still fail on a connection the restart cut
            awaitSuccess(statement, "SELECT count(*) FROM " + TABLE, Duration.ofSeconds(60));
            // the INSERT tried during the outage left nothing behind, and writes work again
            assertThat(rows(statement, DIFFERENTIAL_QUERIES.getFirst().replace("{table}", TABLE))).isEqualTo(before);
            statement.execute("CREATE TABLE lakehouse.prod.after_outage AS SELECT * FROM tpch.tiny.region");
            statement.execute("INSERT INTO lakehouse.prod.after_outage SELECT * FROM tpch.tiny.region");
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.prod.after_outage")).isEqualTo(10);
            statement.execute("DROP TABLE lakehouse.prod.after_outage");
        }
    }

    /**
     * A worker killed in the middle of a query fails that query with an error; the next query
     * runs on the remaining worker and returns the right rows.
     */
    @Test
    @Order(11)
    public void testWorkerKilledMidQuery()
            throws Exception
    {
        String longQuery = "SELECT count(*) FROM %s a CROSS JOIN %s b WHERE a.totalprice + b.totalprice > rand()".formatted(TABLE, TABLE);
        CompletableFuture<Long> running = CompletableFuture.supplyAsync(() -> {
            try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
                return scalar(statement, longQuery);
            }
            catch (SQLException e) {
                throw new RuntimeException(e);
            }
        });
        try (Connection connection = cluster.connect(); Statement statement = connection.createStatement()) {
            awaitTrue(statement, "SELECT count(*) > 0 FROM system.runtime.queries WHERE state = 'RUNNING' AND query LIKE '%CROSS JOIN%' AND query NOT LIKE '%system.runtime%'", Duration.ofSeconds(60));
            Thread.sleep(2_000);
            LakehouseServer victim = cluster.workers().get(1);
            ProcessHandle process = victim.runningProcess().orElseThrow();
            process.destroyForcibly();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (victim.runningProcess().isPresent()) {
                assertThat(System.nanoTime()).as("worker-2 still running after SIGKILL").isLessThan(deadline);
                Thread.sleep(100);
            }

            assertThatThrownBy(() -> running.get(5, TimeUnit.MINUTES))
                    .hasCauseInstanceOf(RuntimeException.class)
                    .hasMessageContaining("Query failed")
                    .hasMessageContaining("worker node");

            awaitTrue(statement, "SELECT count(*) = 0 FROM system.runtime.nodes WHERE node_id = 'worker-2' AND state = 'active'", Duration.ofSeconds(90));
            assertSameAsTpch(statement, "true", "after losing a worker");
        }
    }

    private static void awaitSuccess(Statement statement, String sql, Duration timeout)
            throws SQLException, InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                statement.execute(sql);
                return;
            }
            catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(500);
        }
    }

    private static void awaitTrue(Statement statement, String sql, Duration timeout)
            throws SQLException, InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (ResultSet resultSet = statement.executeQuery(sql)) {
                resultSet.next();
                if (resultSet.getBoolean(1)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Still false after %s: %s".formatted(timeout, sql));
            }
            Thread.sleep(500);
        }
    }

}
