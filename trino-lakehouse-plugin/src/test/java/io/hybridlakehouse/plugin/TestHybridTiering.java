package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableMultimap;
import com.google.common.collect.Sets;
import com.google.inject.Injector;
import io.airlift.units.DataSize;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.tiering.BackgroundSession;
import io.hybridlakehouse.plugin.tiering.ColdFileCompactor;
import io.hybridlakehouse.plugin.tiering.RowChangesInProgress;
import io.hybridlakehouse.plugin.tiering.SegmentTierer;
import io.trino.Session;
import io.trino.metadata.MergeHandle;
import io.trino.metadata.Metadata;
import io.trino.metadata.QualifiedObjectName;
import io.trino.metadata.TableHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static com.google.common.collect.Iterables.getOnlyElement;
import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.Eventually.waitUntil;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.stateTable;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.withoutOrphanFileMinimum;
import static java.util.Locale.ENGLISH;
import static org.assertj.core.api.Assertions.assertThat;

public class TestHybridTiering
        extends AbstractTestQueryFramework
{
    private static final String WRITER_MEMORY = "256kB";
    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-tiering");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        DistributedQueryRunner queryRunner = LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.tiering.interval", "1s")
                .addCatalogProperty("hybrid.segments.grace-period", "1s")
                .addCatalogProperty("hybrid.tiering.writer-memory", WRITER_MEMORY)
                .addCatalogProperty("hybrid.orphan-files.sweep-interval", "1s")
                // the stock Iceberg connector on the same storage, to prove other engines read the cold tier
                .withStockIcebergCatalog()
                .build();
        // a second connector on the same warehouse and metastore, under the Iceberg catalog name of
        // the first: what a second coordinator with the same catalog file sees
        queryRunner.createCatalog("lakehouse_peer", HybridConnectorFactory.CONNECTOR_NAME, ImmutableMap.of(
                "hybrid.warehouse", warehouse.toString(),
                "iceberg.jdbc-catalog.catalog-name", "lakehouse",
                "hybrid.tiering.enabled", "false"));
        return queryRunner;
    }

    @Test
    public void testTablePropertiesValidation()
    {
        assertQueryFails("CREATE TABLE bad_tier (x bigint) WITH (tier_after = 'soon')",
                ".*Invalid value for table property 'tier_after': 'soon'. Use a duration such as '15m', '1h' or '7d'.*");
        assertQueryFails("CREATE TABLE bad_tier (x bigint) WITH (tier_after = '-5m')", ".*Invalid value for table property 'tier_after': '-5m'.*");
        assertQueryFails("CREATE TABLE bad_retention (x bigint) WITH (retention = '7d')",
                ".*Table property 'retention' needs a table partitioned by time, e.g. WITH \\(partitioning = ARRAY\\['day\\(event_time\\)'], retention = '7d'\\).*");
        assertThat(computeActual("SHOW TABLES").getOnlyColumnAsSet()).doesNotContain("bad_tier", "bad_retention");

        assertUpdate("CREATE TABLE props (ts timestamp(6), x bigint) WITH (partitioning = ARRAY['day(ts)'], tier_after = '15m', retention = '7d')");
        assertThat((String) computeScalar("SHOW CREATE TABLE props")).contains("tier_after = '15m'").contains("retention = '7d'").contains("mode = 'hybrid'");
        assertUpdate("ALTER TABLE props SET PROPERTIES tier_after = '2h', retention = DEFAULT");
        assertThat((String) computeScalar("SHOW CREATE TABLE props")).contains("tier_after = '2h'").doesNotContain("retention");
        assertQueryFails("ALTER TABLE props SET PROPERTIES tier_after = 'later'", ".*Invalid value for table property 'tier_after': 'later'.*");
        assertUpdate("DROP TABLE props");
    }

    @Test
    public void testBackgroundServiceTiersOldSegments()
            throws InterruptedException
    {
        assertUpdate("CREATE TABLE service_tiered (id bigint) WITH (tier_after = '1h')");
        assertUpdate("INSERT INTO service_tiered SELECT * FROM UNNEST(sequence(1, 100))", 100);
        assertUpdate("INSERT INTO service_tiered SELECT * FROM UNNEST(sequence(101, 200))", 100);
        // both segments are past the new tier_after by the time the service (every second) sees it, so one run takes both
        Thread.sleep(1500);
        assertUpdate("ALTER TABLE service_tiered SET PROPERTIES tier_after = '1s'");
        waitUntil(() -> (long) computeScalar("SELECT hot_segments FROM lakehouse.system.tiering_status WHERE table_name = 'service_tiered'") == 0);
        assertQuery("SELECT count(*), sum(id) FROM service_tiered", "VALUES (200, 20100)");
        // the two small segments were merged into one Iceberg file
        assertThat(computeScalar("SELECT count(*) FROM \"service_tiered$files\"")).isEqualTo(1L);
        assertThat((String) computeScalar("SELECT last_tiering_result FROM lakehouse.system.tiering_status WHERE table_name = 'service_tiered'"))
                .startsWith("tiered 1 segments, 200 rows");
        assertUpdate("DROP TABLE service_tiered");
    }

    @Test
    public void testBackgroundTieringMergesSmallColdFiles()
            throws InterruptedException
    {
        // twelve tiering runs into one day each leave a small file there, as a steady INSERT stream does
        assertUpdate("CREATE TABLE streamed (ts timestamp(6), id bigint, note varchar) WITH (partitioning = ARRAY['day(ts)'], tier_after = '1h')");
        for (int batch = 0; batch < 12; batch++) {
            insertStreamed(batch);
            assertUpdate("CALL system.tier_table('tpch', 'streamed')");
        }
        // another day, with a row deleted: merged without it
        for (int batch = 0; batch < 12; batch++) {
            assertUpdate("INSERT INTO streamed VALUES (TIMESTAMP '2026-11-02 10:00:00', %d, 'deleted day')".formatted(1000 + batch), 1);
            assertUpdate("CALL system.tier_table('tpch', 'streamed')");
        }
        assertUpdate("DELETE FROM streamed WHERE id = 1005", 1);
        assertThat(computeScalar("SELECT count(*) FROM \"streamed$files\" WHERE content = 0")).isEqualTo(24L);
        List<MaterializedRow> before = computeActual("SELECT ts, id, note FROM streamed").getMaterializedRows();

        // background tiering merges nothing while a DELETE, UPDATE or MERGE of the table runs: its commit would find its files replaced
        assertUpdate("ALTER TABLE streamed SET PROPERTIES tier_after = '1s'");
        Injector injector = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector();
        String uuid = injector.getInstance(SegmentStore.class).getTable(new SchemaTableName("tpch", "streamed")).orElseThrow().tableUuid();
        Runnable rowChange = injector.getInstance(RowChangesInProgress.class).begin(uuid);
        insertStreamed(12);
        waitUntil(() -> (long) computeScalar("SELECT hot_segments FROM lakehouse.system.tiering_status WHERE table_name = 'streamed'") == 0);
        // a merge would follow that tiering in the same run of the service
        Thread.sleep(3000);
        assertThat(computeScalar("SELECT count(*) FROM \"streamed$files\" WHERE content = 0")).isEqualTo(25L);
        rowChange.run();

        // the next background tiering merges each day's files into one: the first day's fourteen, the other's twelve
        insertStreamed(13);
        waitUntil(() -> (long) computeScalar("SELECT count(*) FROM \"streamed$files\" WHERE content = 0") == 2);
        assertThat((String) computeScalar("SELECT last_tiering_result FROM lakehouse.system.tiering_status WHERE table_name = 'streamed'"))
                .endsWith("; merged 26 small Iceberg files into 2");
        assertThat(computeScalar("SELECT sum(record_count) FROM \"streamed$files\" WHERE content = 0 AND partition.ts_day = DATE '2026-11-02'")).isEqualTo(11L);
        // the position delete file of a merged file goes with it
        assertThat(computeScalar("SELECT count(*) FROM \"streamed$files\" WHERE content = 1")).isEqualTo(0L);

        // every row once: those before and the new batch
        List<MaterializedRow> expected = new ArrayList<>(before);
        expected.addAll(computeActual("SELECT TIMESTAMP '2026-11-01 00:00:00' + x * INTERVAL '1' MINUTE, x, 'batch ' || CAST(x / 10 AS varchar) FROM UNNEST(sequence(120, 139)) t(x)").getMaterializedRows());
        assertThat(computeActual("SELECT ts, id, note FROM streamed").getMaterializedRows()).containsExactlyInAnyOrderElementsOf(expected);
        assertQuery("SELECT count(*), sum(id) FROM streamed WHERE id < 1000", "VALUES (140, 9730)");
        assertQuery("SELECT count(*), sum(id) FROM streamed WHERE id >= 1000", "VALUES (11, %d)".formatted(12 * 1000 + 66 - 1005));
        assertUpdate("DROP TABLE streamed");
    }

    @Test
    public void testRowChangeReadsPastColdFileMergesCommittedSinceItReadTheTable()
    {
        assertUpdate("CREATE TABLE merged_under (ts timestamp(6), id bigint, note varchar) WITH (partitioning = ARRAY['day(ts)'], tier_after = '1h')");
        for (int batch = 0; batch < 12; batch++) {
            assertUpdate("INSERT INTO merged_under VALUES (TIMESTAMP '2026-11-01 10:00:00', %d, 'n')".formatted(batch), 1);
            assertUpdate("CALL system.tier_table('tpch', 'merged_under')");
        }
        Injector injector = ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector();
        ColdFileCompactor compactor = injector.getInstance(ColdFileCompactor.class);
        SchemaTableName name = new SchemaTableName("tpch", "merged_under");
        QueryRunner runner = getQueryRunner();
        Metadata metadata = runner.getPlannerContext().getMetadata();
        // a DELETE read the table (its analysis), then a background merge of the partition's files committed before its
        // write began: its commit would find the files it read replaced. It reads the merge's snapshot, the same rows
        runner.inTransaction(getSession(), session -> {
            TableHandle handle = metadata.getTableHandle(session, new QualifiedObjectName("lakehouse", "tpch", "merged_under")).orElseThrow();
            long read = ((IcebergTableHandle) handle.connectorHandle()).getSnapshotId().orElseThrow();
            assertThat(compactor.compactOnce(injector.getInstance(BackgroundSession.class).create(), name)).hasValueSatisfying(merged -> assertThat(merged.inputFiles()).isEqualTo(12));
            MergeHandle merge = metadata.beginMerge(session, handle, ImmutableMultimap.of());
            long merging = ((IcebergTableHandle) merge.connectorMergeHandle().getTableHandle()).getSnapshotId().orElseThrow();
            assertThat(merging).isNotEqualTo(read);
            // the snapshot the merge committed, whose files no merge replaces while the statement runs
            for (int batch = 12; batch < 24; batch++) {
                assertUpdate("INSERT INTO merged_under VALUES (TIMESTAMP '2026-11-01 10:00:00', %d, 'n')".formatted(batch), 1);
                assertUpdate("CALL system.tier_table('tpch', 'merged_under')");
            }
            assertThat(compactor.compactOnce(injector.getInstance(BackgroundSession.class).create(), name)).isEmpty();
            return null;
        });
        assertThat(computeScalar("SELECT count(*) FROM \"merged_under$snapshots\" WHERE operation = 'replace' AND summary['hybrid.cold-file-merge'] = 'true'")).isEqualTo(1L);
        // statements run as before: the rows are all there, once
        assertUpdate("DELETE FROM merged_under WHERE id % 2 = 0", 12);
        assertQuery("SELECT count(*), sum(id) FROM merged_under", "VALUES (12, 144)");
        assertUpdate("DROP TABLE merged_under");
    }

    private void insertStreamed(int batch)
    {
        assertUpdate("INSERT INTO streamed SELECT TIMESTAMP '2026-11-01 00:00:00' + x * INTERVAL '1' MINUTE, x, 'batch %d' FROM UNNEST(sequence(%d, %d)) t(x)".formatted(batch, batch * 10, batch * 10 + 9), 10);
    }

    @Test
    public void testModeSwitch()
    {
        assertUpdate("CREATE TABLE switched (id bigint)");
        assertUpdate("INSERT INTO switched VALUES 1, 2, 3", 3);
        assertUpdate("ALTER TABLE switched SET PROPERTIES mode = 'lake'");
        assertThat(computeScalar("SELECT count(*) FROM \"switched$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertUpdate("INSERT INTO switched VALUES 4", 1);
        assertThat(computeScalar("SELECT count(*) FROM \"switched$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM \"switched$files\"")).isEqualTo(2L);
        assertUpdate("ALTER TABLE switched SET PROPERTIES mode = 'hybrid'");
        assertUpdate("INSERT INTO switched VALUES 5", 1);
        assertThat(computeScalar("SELECT count(*) FROM \"switched$segments\" WHERE state = 'ACTIVE'")).isEqualTo(1L);
        assertQuery("SELECT count(*), sum(id) FROM switched", "VALUES (5, 15)");
        assertUpdate("DROP TABLE switched");
    }

    @Test
    public void testRetentionDropsOldPartitionsFromBothTiers()
    {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        // retention is set once all rows are in place: the background service (every second) may then apply it before the CALL, with the same outcome
        assertUpdate("CREATE TABLE retained (ts timestamp(6), id bigint) WITH (partitioning = ARRAY['day(ts)'], tier_after = '1d')");
        // cold: 10 and 1 days old and no time; hot: 5 days old, today and no time
        assertUpdate("INSERT INTO retained VALUES (TIMESTAMP '%s 10:00:00', 1), (TIMESTAMP '%s 10:00:00', 2), (NULL, 5)".formatted(today.minusDays(10), today.minusDays(1)), 3);
        assertUpdate("CALL system.tier_table('tpch', 'retained')");
        assertUpdate("INSERT INTO retained VALUES (TIMESTAMP '%s 10:00:00', 3), (TIMESTAMP '%s 00:00:01', 4), (NULL, 6)".formatted(today.minusDays(5), today), 3);

        assertUpdate("ALTER TABLE retained SET PROPERTIES retention = '2d'");
        assertUpdate("CALL system.apply_retention('tpch', 'retained')");
        // a row without a time has no age: it stays, in either tier
        assertQuery("SELECT id FROM retained", "VALUES 2, 4, 5, 6");
        assertThat(computeScalar("SELECT count(*) FROM \"retained$segments\" WHERE state = 'EXPIRED'")).isEqualTo(1L);
        assertThat(computeScalar("SELECT count(*) FROM \"retained$files\"")).isEqualTo(2L);

        assertUpdate("CREATE TABLE unretained (ts timestamp(6)) WITH (partitioning = ARRAY['day(ts)'])");
        assertQueryFails("CALL system.apply_retention('tpch', 'unretained')",
                ".*Table tpch.unretained has no retention: set one with ALTER TABLE tpch.unretained SET PROPERTIES retention = '7d'.*");
        assertUpdate("CREATE TABLE unpartitioned (ts timestamp(6))");
        assertQueryFails("CALL system.apply_retention('tpch', 'unpartitioned')",
                ".*Table tpch.unpartitioned has no retention, and a retention needs a table partitioned by time, e.g\\. WITH \\(partitioning = ARRAY\\['day\\(event_time\\)'\\], retention = '7d'\\); partitioning is \\[\\].*");
        assertUpdate("DROP TABLE unpartitioned");
        assertUpdate("DROP TABLE retained");
        assertUpdate("DROP TABLE unretained");
    }

    @Test
    public void testStockIcebergConnectorReadsTieredFiles()
    {
        assertUpdate("CREATE TABLE shared WITH (partitioning = ARRAY['orderstatus']) AS SELECT * FROM tpch.tiny.orders WITH NO DATA", 0);
        assertUpdate("INSERT INTO shared SELECT * FROM tpch.tiny.orders WHERE orderkey < 30000", (long) computeScalar("SELECT count(*) FROM tpch.tiny.orders WHERE orderkey < 30000"));
        assertUpdate("INSERT INTO shared SELECT * FROM tpch.tiny.orders WHERE orderkey >= 30000", (long) computeScalar("SELECT count(*) FROM tpch.tiny.orders WHERE orderkey >= 30000"));
        assertUpdate("CALL system.tier_table('tpch', 'shared')");

        Matcher location = Pattern.compile("location = '([^']+)'").matcher((String) computeScalar("SHOW CREATE TABLE shared"));
        assertThat(location.find()).isTrue();
        assertUpdate("CREATE SCHEMA iceberg.stock");
        assertUpdate("CALL iceberg.system.register_table('stock', 'shared', '%s')".formatted(location.group(1)));
        String checksum = "SELECT count(*), sum(orderkey), sum(totalprice), count(DISTINCT comment), min(orderdate), max(orderdate) FROM %s";
        MaterializedResult stock = computeActual(checksum.formatted("iceberg.stock.shared"));
        assertThat(stock.getMaterializedRows()).isEqualTo(computeActual(checksum.formatted("tpch.tiny.orders")).getMaterializedRows());
        assertThat(stock.getMaterializedRows()).isEqualTo(computeActual(checksum.formatted("lakehouse.tpch.shared")).getMaterializedRows());
        assertUpdate("CALL iceberg.system.unregister_table('stock', 'shared')");
        assertUpdate("DROP SCHEMA iceberg.stock");
        assertUpdate("DROP TABLE shared");
    }

    @Test
    public void testOrcAndAvroTablesCompactTierAndChangeRows()
    {
        for (String format : List.of("ORC", "AVRO")) {
            String table = "formatted_" + format.toLowerCase(ENGLISH);
            assertUpdate("CREATE TABLE %s (id bigint, p varchar) WITH (format = '%s', partitioning = ARRAY['p'])".formatted(table, format));
            for (int id = 1; id <= 3; id++) {
                assertUpdate("INSERT INTO %s VALUES (%s, 'a')".formatted(table, id), 1);
            }
            assertUpdate("INSERT INTO %s VALUES (4, 'b'), (5, NULL)".formatted(table), 2);

            // compaction reads the segments in their format and writes the table's
            assertUpdate("CALL system.compact_segments('tpch', '%s')".formatted(table));
            List<String> paths = computeActual("SELECT path FROM \"%s$segments\" WHERE state = 'ACTIVE'".formatted(table)).getOnlyColumn().map(String.class::cast).toList();
            assertThat(paths).hasSize(3).allMatch(path -> path.endsWith("." + format.toLowerCase(ENGLISH)));
            assertQuery("SELECT id, p FROM " + table, "VALUES (1, 'a'), (2, 'a'), (3, 'a'), (4, 'b'), (5, NULL)");

            // row-level changes move the hot rows to Iceberg first
            assertUpdate("DELETE FROM %s WHERE id = 1".formatted(table), 1);
            assertUpdate("UPDATE %s SET id = 30 WHERE id = 3".formatted(table), 1);
            assertUpdate("INSERT INTO %s VALUES (6, 'a')".formatted(table), 1);
            assertUpdate("INSERT INTO %s VALUES (7, 'a')".formatted(table), 1);
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
            assertThat(computeActual("SELECT DISTINCT file_format FROM \"%s$files\"".formatted(table)).getOnlyColumnAsSet()).containsExactly(format);
            assertQuery("SELECT id, p FROM " + table, "VALUES (2, 'a'), (30, 'a'), (4, 'b'), (5, NULL), (6, 'a'), (7, 'a')");

            // a view built from both tiers' files, then maintained by INSERTs
            assertUpdate("INSERT INTO %s VALUES (8, 'b')".formatted(table), 1);
            assertUpdate("CREATE MATERIALIZED VIEW %1$s_by_p AS SELECT p, count(*) AS n, sum(id) AS total FROM %1$s GROUP BY p".formatted(table));
            assertUpdate("INSERT INTO %s VALUES (9, 'b')".formatted(table), 1);
            assertQuery("SELECT p, n, total FROM %s_by_p".formatted(table), "VALUES ('a', 4, 45), ('b', 3, 21), (NULL, 1, 5)");

            assertUpdate("DROP MATERIALIZED VIEW %s_by_p".formatted(table));
            assertUpdate("DROP TABLE " + table);
        }
    }

    @Test
    public void testCrashAtEveryTieringStepLosesAndDuplicatesNothing()
            throws IOException, InterruptedException
    {
        SegmentTierer tierer = tierer();
        assertUpdate("CREATE TABLE crashing (id bigint, part integer) WITH (partitioning = ARRAY['part'])");
        long expectedRows = 0;
        try {
            for (SegmentTierer.Step step : SegmentTierer.Step.values()) {
                // two INSERTs, so each partition has segments for tiering to merge
                for (int insert = 0; insert < 2; insert++) {
                    assertUpdate("INSERT INTO crashing SELECT n, n %% 3 FROM UNNEST(sequence(%d, %d)) AS t(n)".formatted(expectedRows + 1, expectedRows + 50), 50);
                    expectedRows += 50;
                }
                crashTieringAt(step, "crashing");
                assertExactlyOnce("crashing", expectedRows);

                assertUpdate("CALL system.tier_table('tpch', 'crashing')");
                assertExactlyOnce("crashing", expectedRows);
                assertThat(computeScalar("SELECT count(*) FROM \"crashing$segments\" WHERE state = 'ACTIVE'")).as("after %s", step).isEqualTo(0L);
            }
        }
        finally {
            tierer.setCheckpointForTesting(_ -> {});
        }

        // the crash after the merge wrote its output left that file behind, referenced by nothing
        awaitDroppedSegmentFilesDeleted("crashing");
        Set<String> orphans = Sets.difference(dataFilesOnDisk("crashing"), referencedDataFiles("crashing")).immutableCopy();
        assertThat(orphans).as("orphans").isNotEmpty().allMatch(name -> name.startsWith("hybrid-compacted-"));
        assertUpdate(withoutOrphanFileMinimum(getSession()), "ALTER TABLE crashing EXECUTE remove_orphan_files(retention_threshold => '0s')");
        assertThat(dataFilesOnDisk("crashing")).isEqualTo(referencedDataFiles("crashing"));
        assertExactlyOnce("crashing", expectedRows);
        assertUpdate("DROP TABLE crashing");
    }

    @Test
    public void testBackgroundServiceDeletesOldOrphanFiles()
            throws Exception
    {
        assertUpdate("CREATE TABLE orphaned (id bigint)");
        assertUpdate("INSERT INTO orphaned VALUES 1", 1);
        assertUpdate("INSERT INTO orphaned VALUES 2", 1);
        try {
            crashTieringAt(SegmentTierer.Step.MERGE_OUTPUT_WRITTEN, "orphaned");
        }
        finally {
            tierer().setCheckpointForTesting(_ -> {});
        }
        awaitDroppedSegmentFilesDeleted("orphaned");
        String orphan = getOnlyElement(Sets.difference(dataFilesOnDisk("orphaned"), referencedDataFiles("orphaned")));
        Path orphanPath = dataDirectory("orphaned").resolve(orphan);

        // younger than hybrid.orphan-files.min-age (1d): several sweeps (every 1 s) leave it alone
        Thread.sleep(3_000);
        assertThat(orphanPath).exists();

        Files.setLastModifiedTime(orphanPath, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        waitUntil(() -> !Files.exists(orphanPath));
        assertThat(dataFilesOnDisk("orphaned")).isEqualTo(referencedDataFiles("orphaned"));
        assertExactlyOnce("orphaned", 2);
        assertUpdate("CALL system.tier_table('tpch', 'orphaned')");
        assertExactlyOnce("orphaned", 2);
        assertUpdate("DROP TABLE orphaned");
    }

    private SegmentTierer tierer()
    {
        return ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(SegmentTierer.class);
    }

    private void crashTieringAt(SegmentTierer.Step step, String table)
    {
        tierer().setCheckpointForTesting(reached -> {
            if (reached == step) {
                throw new IllegalStateException("injected crash at " + step);
            }
        });
        assertQueryFails("CALL system.tier_table('tpch', '%s')".formatted(table), ".*injected crash at " + step + ".*");
        tierer().setCheckpointForTesting(_ -> {});
    }

    private void awaitDroppedSegmentFilesDeleted(String table)
            throws InterruptedException
    {
        // files of compacted segments go after the grace period: comparing file sets during it would race with that
        waitUntil(() -> (long) computeScalar("SELECT count(*) FROM \"%s$segments\" WHERE state NOT IN ('ACTIVE', 'TIERED')".formatted(table)) == 0);
    }

    private Path dataDirectory(String table)
    {
        String anyFile = (String) computeScalar("SELECT min(path) FROM (SELECT path FROM \"%1$s$segments\" UNION ALL SELECT file_path FROM \"%1$s$files\")".formatted(table));
        return warehouse.resolve(anyFile.substring(0, anyFile.indexOf("/data/") + "/data".length()).replaceFirst("^local:///", ""));
    }

    private Set<String> dataFilesOnDisk(String table)
            throws IOException
    {
        try (Stream<Path> files = Files.walk(dataDirectory(table))) {
            return files.filter(Files::isRegularFile)
                    .map(file -> file.getFileName().toString())
                    .collect(toImmutableSet());
        }
    }

    private Set<String> referencedDataFiles(String table)
    {
        return computeActual("SELECT path FROM \"%1$s$segments\" UNION SELECT file_path FROM \"%1$s$files\"".formatted(table)).getOnlyColumn()
                .map(path -> ((String) path).substring(((String) path).lastIndexOf('/') + 1))
                .collect(toImmutableSet());
    }

    @Test
    public void testConcurrentInsertsQueriesCompactionAndTiering()
            throws Exception
    {
        assertUpdate("CREATE TABLE soaked (id bigint, part integer) WITH (partitioning = ARRAY['part'])");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger inserts = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            workers.add(executor.submit(() -> {
                while (running.get()) {
                    int batch = inserts.getAndIncrement();
                    getQueryRunner().execute("INSERT INTO soaked SELECT %d * 10 + n, n %% 2 FROM UNNEST(sequence(0, 9)) AS t(n)".formatted(batch));
                }
                return null;
            }));
            workers.add(executor.submit(() -> {
                long last = 0;
                while (running.get()) {
                    long count = (Long) getQueryRunner().execute("SELECT count(*) FROM soaked").getOnlyValue();
                    assertThat(count % 10).as("count %s is a prefix of whole INSERTs", count).isZero();
                    assertThat(count).isGreaterThanOrEqualTo(last);
                    last = count;
                }
                return null;
            }));
            workers.add(executor.submit(() -> {
                while (running.get()) {
                    getQueryRunner().execute("CALL lakehouse.system.tier_table('tpch', 'soaked')");
                    Thread.sleep(700);
                }
                return null;
            }));
            workers.add(executor.submit(() -> {
                while (running.get()) {
                    getQueryRunner().execute("CALL lakehouse.system.compact_segments('tpch', 'soaked')");
                    Thread.sleep(300);
                }
                return null;
            }));
            Thread.sleep(15_000);
            running.set(false);
            for (Future<?> worker : workers) {
                worker.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            running.set(false);
            executor.shutdownNow();
        }
        assertExactlyOnce("soaked", inserts.get() * 10L);
        assertUpdate("DROP TABLE soaked");
    }

    @Test
    public void testTwoConnectorsTieringOneTableCommitEachSegmentOnce()
            throws Exception
    {
        assertUpdate("CREATE TABLE contested (id bigint, part integer) WITH (partitioning = ARRAY['part'])");
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                for (int insert = 0; insert < 4; insert++) {
                    long first = round * 400L + insert * 100L;
                    assertUpdate("INSERT INTO contested SELECT n, n %% 2 FROM UNNEST(sequence(%d, %d)) AS t(n)".formatted(first, first + 99), 100);
                }
                // both race for the same segments: one commits them, the other finds nothing left or retries on a conflict
                List<Future<?>> tierings = new ArrayList<>();
                for (String catalog : List.of("lakehouse", "lakehouse_peer")) {
                    tierings.add(executor.submit(() -> getQueryRunner().execute("CALL %s.system.tier_table('tpch', 'contested')".formatted(catalog))));
                }
                for (Future<?> tiering : tierings) {
                    tiering.get(2, TimeUnit.MINUTES);
                }
                assertExactlyOnce("contested", (round + 1) * 400L);
                assertQuery("SELECT count(*), count(DISTINCT id) FROM lakehouse_peer.tpch.contested", "VALUES (%1$d, %1$d)".formatted((round + 1) * 400L));
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(computeScalar("SELECT count(*) FROM \"contested$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertUpdate("DROP TABLE contested");
    }

    @Test
    public void testTieringWritesOneFileSortedBySortedBy()
    {
        assertUpdate("CREATE TABLE sorted_events (id bigint, payload varchar) WITH (sorted_by = ARRAY['id'])");
        // each INSERT is one segment, sorted within itself; together they interleave
        for (int insert = 0; insert < 4; insert++) {
            assertUpdate("INSERT INTO sorted_events SELECT n * 4 + %1$d, 'row ' || CAST(n AS varchar) FROM UNNEST(sequence(0, 499)) AS t(n)".formatted(insert), 500);
        }
        assertUpdate("CALL system.tier_table('tpch', 'sorted_events')");
        assertQuery("SELECT count(*) FROM \"sorted_events$files\"", "VALUES 1");
        // one small file is one split, read in file order
        Session oneDriver = Session.builder(getSession()).setSystemProperty("task_concurrency", "1").build();
        List<Long> ids = computeActual(oneDriver, "SELECT id FROM sorted_events").getOnlyColumn().map(Long.class::cast).toList();
        assertThat(ids).hasSize(2000).isSorted();
        assertUpdate("DROP TABLE sorted_events");
    }

    @Test
    public void testGracePeriodDeletesCompactedSegmentFiles()
            throws Exception
    {
        assertUpdate("CREATE TABLE graced (id bigint)");
        for (int i = 0; i < 3; i++) {
            assertUpdate("INSERT INTO graced VALUES " + i, 1);
        }
        List<String> inputFiles = computeActual("SELECT path FROM \"graced$segments\"").getOnlyColumn().map(String.class::cast).toList();
        assertUpdate("CALL system.compact_segments('tpch', 'graced')");
        waitUntil(() -> (long) computeScalar("SELECT count(*) FROM \"graced$segments\" WHERE state = 'COMPACTED'") == 0);
        for (String file : inputFiles) {
            assertThat(warehouse.resolve(file.replaceFirst("^local:///", ""))).doesNotExist();
        }
        assertQuery("SELECT count(*), sum(id) FROM graced", "VALUES (3, 3)");
        assertUpdate("DROP TABLE graced");
    }

    @Test
    public void testRetiredViewStateIsDroppedAfterTheGracePeriod()
            throws Exception
    {
        assertUpdate("CREATE TABLE rebuilt_base (region varchar, amount bigint)");
        assertUpdate("INSERT INTO rebuilt_base VALUES ('a', 1), ('b', 2)", 2);
        assertUpdate("CREATE MATERIALIZED VIEW rebuilt_totals AS SELECT region, sum(amount) AS amount FROM rebuilt_base GROUP BY region");
        assertUpdate("INSERT INTO rebuilt_base VALUES ('a', 3)", 1);
        String retired = stateTable(getQueryRunner(), "rebuilt_totals");
        List<String> files = computeActual("SELECT path FROM \"%s$segments\"".formatted(retired)).getOnlyColumn().map(String.class::cast).toList();
        assertThat(files).isNotEmpty();

        assertUpdate("REFRESH MATERIALIZED VIEW rebuilt_totals");
        waitUntil(() -> !getQueryRunner().tableExists(getSession(), retired));
        for (String file : files) {
            assertThat(warehouse.resolve(file.replaceFirst("^local:///", ""))).doesNotExist();
        }
        assertQuery("SELECT * FROM rebuilt_totals", "VALUES ('a', 4), ('b', 2)");
        assertUpdate("INSERT INTO rebuilt_base VALUES ('b', 5)", 1);
        assertQuery("SELECT * FROM rebuilt_totals", "VALUES ('a', 4), ('b', 7)");
        assertUpdate("DROP MATERIALIZED VIEW rebuilt_totals");
        assertUpdate("DROP TABLE rebuilt_base");
    }

    @Test
    public void testCleanupCrashedMidwayFinishesOnTheNextRun()
            throws Exception
    {
        assertUpdate("CREATE TABLE half_cleaned (id bigint)");
        for (int i = 0; i < 3; i++) {
            assertUpdate("INSERT INTO half_cleaned VALUES " + i, 1);
        }
        List<String> inputFiles = computeActual("SELECT path FROM \"half_cleaned$segments\"").getOnlyColumn().map(String.class::cast).toList();
        assertUpdate("CALL system.compact_segments('tpch', 'half_cleaned')");
        // what a crash inside the grace-period cleanup leaves: one file already deleted, every row still there
        // (the grace period is 1 s, so the service has normally not started on them yet)
        Files.deleteIfExists(warehouse.resolve(inputFiles.getFirst().replaceFirst("^local:///", "")));
        assertQuery("SELECT count(*), sum(id) FROM half_cleaned", "VALUES (3, 3)");
        waitUntil(() -> (long) computeScalar("SELECT count(*) FROM \"half_cleaned$segments\" WHERE state = 'COMPACTED'") == 0);
        for (String file : inputFiles) {
            assertThat(warehouse.resolve(file.replaceFirst("^local:///", ""))).doesNotExist();
        }
        assertQuery("SELECT count(*), sum(id) FROM half_cleaned", "VALUES (3, 3)");
        assertUpdate("DROP TABLE half_cleaned");
    }

    @Test
    public void testTieringMemoryIsBoundedWhateverThePartitionSize()
    {
        assertUpdate("CREATE TABLE big_partition AS SELECT * FROM tpch.tiny.lineitem WITH NO DATA", 0);
        for (int i = 0; i < 3; i++) {
            assertUpdate("INSERT INTO big_partition SELECT * FROM tpch.tiny.lineitem", 60175);
        }
        long hotBytes = (long) computeScalar("SELECT sum(file_size_in_bytes) FROM \"big_partition$segments\" WHERE state = 'ACTIVE'");
        long limit = DataSize.valueOf(WRITER_MEMORY).toBytes();
        assertThat(hotBytes).as("partition size").isGreaterThanOrEqualTo(10 * limit);

        assertUpdate("CALL system.tier_table('tpch', 'big_partition')");
        String result = (String) computeScalar("SELECT last_tiering_result FROM lakehouse.system.tiering_status WHERE table_name = 'big_partition'");
        Matcher peak = Pattern.compile("writer memory peak (\\d+) bytes").matcher(result);
        assertThat(peak.find()).as(result).isTrue();
        long peakBytes = Long.parseLong(peak.group(1));
        System.out.printf("[measure] tiering %d bytes of hot segments with writer memory %s: writer peak %d bytes (%s)%n", hotBytes, WRITER_MEMORY, peakBytes, result);
        assertThat(peakBytes).isPositive();
        // the writer flushes a row group once its buffer reaches the limit; one page of slack on top
        assertThat(peakBytes).isLessThanOrEqualTo(limit + DataSize.of(1, DataSize.Unit.MEGABYTE).toBytes());
        assertThat(computeScalar("SELECT count(*) FROM big_partition")).isEqualTo(3 * 60175L);
        assertThat(computeScalar("SELECT count(*) FROM \"big_partition$files\"")).isEqualTo(1L);
        assertUpdate("DROP TABLE big_partition");
    }

    private void assertExactlyOnce(String table, long rows)
    {
        // every row once: as many distinct ids as rows, and as many rows as were inserted
        assertQuery("SELECT count(*), count(DISTINCT id) FROM " + table, "VALUES (%d, %d)".formatted(rows, rows));
    }
}
