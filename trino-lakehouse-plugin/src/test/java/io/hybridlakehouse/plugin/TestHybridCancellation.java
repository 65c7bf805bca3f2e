package io.hybridlakehouse.plugin;

import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
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

    private void killWhileRunning(String sql)
            throws Exception
    {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> statement = executor.submit(() -> getQueryRunner().execute(sql));
            String queryId = null;
            while (queryId == null) {
                // killed once it writes: the point where a half-written result could become visible
                List<Object> running = computeActual("SELECT query_id FROM system.runtime.queries WHERE state = 'RUNNING' AND query = '%s'".formatted(sql.replace("'", "''")))
                        .getOnlyColumn().toList();
                queryId = running.isEmpty() ? null : (String) running.getFirst();
                Thread.sleep(100);
            }
            Thread.sleep(2_000);
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
        Session noMinimum = Session.builder(getSession())
                .setCatalogSessionProperty("lakehouse", "remove_orphan_files_min_retention", "0s")
                .build();
        assertUpdate(noMinimum, "ALTER TABLE %s EXECUTE remove_orphan_files(retention_threshold => '0s')".formatted(table));
    }

    private long dataFiles()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.filter(path -> path.toString().endsWith(".parquet")).count();
        }
    }
}
