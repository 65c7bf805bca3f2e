package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.withoutOrphanFileMinimum;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code CALL system.runtime.kill_query(...)} (what the CLI's Ctrl-C amounts to) during an
 * INSERT and a CREATE TABLE AS: nothing becomes visible, no segment is recorded, and the files
 * the writers had written are left only where the orphan sweep collects them.
 */
public class TestHybridCancellation
        extends AbstractTestQueryFramework
{
    private static final String LONG_ROWS = "SELECT l.orderkey, l.partkey, l.suppkey, l.quantity, l.comment FROM tpch.sf1.lineitem l";

    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-cancellation");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                // maintenance runs only when the tests ask for it
                .addCatalogProperty("hybrid.tiering.enabled", "false")
                .addCatalogProperty("hybrid.compaction.segment-threshold", "0")
                .build();
    }

    @Test
    public void testKilledInsertLeavesNothingVisible()
            throws Exception
    {
        assertUpdate("CREATE TABLE killed_insert (orderkey bigint, partkey bigint, suppkey bigint, quantity double, comment varchar)");
        assertUpdate("INSERT INTO killed_insert VALUES (0, 0, 0, 0, 'kept')", 1);
        long filesBefore = dataFiles();

        killWhileRunning("INSERT INTO killed_insert " + LONG_ROWS);

        assertQuery("SELECT count(*), min(comment) FROM killed_insert", "VALUES (1, 'kept')");
        assertThat(computeScalar("SELECT count(*) FROM \"killed_insert$segments\"")).isEqualTo(1L);
        sweepOrphans("killed_insert");
        assertThat(dataFiles()).isEqualTo(filesBefore);
        assertUpdate("DROP TABLE killed_insert");
    }

    @Test
    public void testKilledCreateTableAsLeavesNoTable()
            throws Exception
    {
        killWhileRunning("CREATE TABLE killed_ctas AS " + LONG_ROWS);
        assertThat(computeActual("SHOW TABLES LIKE 'killed_ctas'").getRowCount()).isZero();
        assertQueryFails("SELECT count(*) FROM killed_ctas", ".*Table 'lakehouse.tpch.killed_ctas' does not exist.*");
    }

    @Test
    public void testKilledMaintenanceLeavesTableAsItWas()
            throws Exception
    {
        assertUpdate("CREATE TABLE maintained (orderkey bigint, partkey bigint, suppkey bigint, quantity double, comment varchar)");
        for (int part = 0; part < 4; part++) {
            // 720,000 wide rows per INSERT, quick to generate and slow enough to merge that the kill lands inside
            getQueryRunner().execute(("INSERT INTO maintained SELECT l.orderkey * 100 + x, l.partkey, l.suppkey, l.quantity, l.comment || to_hex(sha256(to_utf8(l.comment || CAST(x AS varchar)))) " +
                    "FROM tpch.tiny.lineitem l CROSS JOIN UNNEST(sequence(%d, %d)) t(x)").formatted(part * 12, part * 12 + 11));
        }
        String activeSegments = "SELECT count(*) FROM \"maintained$segments\" WHERE state = 'ACTIVE'";
        long segments = (long) computeScalar(activeSegments);
        assertThat(segments).isGreaterThanOrEqualTo(4);
        String answer = "SELECT count(*), sum(orderkey), sum(quantity), max(comment) FROM maintained";
        MaterializedResult expected = computeActual(answer);
        long filesBefore = dataFiles();

        // the Ctrl-C of ALTER TABLE ... EXECUTE reaches the work, which stops before its commit
        killWhileRunning("ALTER TABLE maintained EXECUTE compact_segments", 200);
        awaitStopped("io.hybridlakehouse.plugin.segment.SegmentCompactor");
        assertThat(computeScalar(activeSegments)).isEqualTo(segments);
        assertThat(computeActual(answer)).isEqualTo(expected);

        killWhileRunning("ALTER TABLE maintained EXECUTE tier", 200);
        awaitStopped("io.hybridlakehouse.plugin.tiering.SegmentTierer");
        assertThat(computeScalar(activeSegments)).isEqualTo(segments);
        assertThat(computeScalar("SELECT count(*) FROM \"maintained$files\"")).isEqualTo(0L);
        assertThat(computeActual(answer)).isEqualTo(expected);

        sweepOrphans("maintained");
        assertThat(dataFiles()).isEqualTo(filesBefore);

        // left alone, the same statements do their work
        assertUpdate("ALTER TABLE maintained EXECUTE compact_segments");
        assertThat(computeScalar(activeSegments)).isEqualTo(1L);
        assertUpdate("ALTER TABLE maintained EXECUTE tier");
        assertThat(computeScalar(activeSegments)).isEqualTo(0L);
        assertThat(computeActual(answer)).isEqualTo(expected);
        assertUpdate("DROP TABLE maintained");
    }

    /**
     * Waits until no thread runs code of {@code className}: the killed statement's work is
     * over, so what the table looks like now is what it keeps.
     */
    private static void awaitStopped(String className)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (Thread.getAllStackTraces().values().stream().anyMatch(stack -> Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith(className)))) {
            assertThat(System.nanoTime()).as("work of %s still running a minute after the kill", className).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private void killWhileRunning(String sql)
            throws Exception
    {
        killWhileRunning(sql, 2_000);
    }

    private void killWhileRunning(String sql, long runningMillis)
            throws Exception
    {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> statement = executor.submit(() -> getQueryRunner().execute(sql));
            String queryId = null;
            while (queryId == null && !statement.isDone()) {
                // killed once it writes: the point where a half-written result could become visible
                List<Object> running = computeActual("SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND query = '%s'".formatted(sql.replace("'", "''")))
                        .getOnlyColumn().toList();
                queryId = running.isEmpty() ? null : (String) running.getFirst();
                Thread.sleep(100);
            }
            Thread.sleep(runningMillis);
            assertThat(statement.isDone()).as("the statement still runs when it is killed").isFalse();
            getQueryRunner().execute("CALL system.runtime.kill_query(query_id => '%s', message => 'cancelled by the test')".formatted(queryId));
            assertThat(statement).failsWithin(2, TimeUnit.MINUTES)
                    .withThrowableThat()
                    .withMessageContaining("cancelled by the test");
        }
        finally {
            executor.shutdownNow();
        }
    }

    private void sweepOrphans(String table)
    {
        assertUpdate(withoutOrphanFileMinimum(getSession()), "ALTER TABLE %s EXECUTE remove_orphan_files(retention_threshold => '0s')".formatted(table));
    }

    private long dataFiles()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(path -> path.toString().endsWith(".parquet")).count();
        }
    }
}
