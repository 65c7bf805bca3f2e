package io.hybridlakehouse.plugin;

import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.ViewMaintenance;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.Session;
import io.trino.spi.connector.SchemaTableName;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.Eventually.waitUntil;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.stateTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Materialized view builds whose coordinator died part way: the background service builds an
 * interrupted REFRESH again and undoes an interrupted CREATE once the build's lease expires, and
 * leaves a build that is still running alone.
 */
public class TestHybridViewBuildRecovery
        extends AbstractTestQueryFramework
{
    private static final String LEASE = "3s";

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path warehouse = Files.createTempDirectory("hybrid-view-recovery");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.tiering.interval", "1s")
                .addCatalogProperty("hybrid.segments.grace-period", "1s")
                .addCatalogProperty("hybrid.materialized-views.build-lease", LEASE)
                .build();
    }

    @Test
    public void testInterruptedRefreshIsBuiltAgain()
            throws Exception
    {
        createFacts("refreshed");
        insert("refreshed", 0, 299);
        String definition = "SELECT region, count(*) AS events, sum(amount) AS amount, max(ts) AS last_seen FROM refreshed GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW refreshed_view AS " + definition);

        crashBeforeBuildCommit("REFRESH MATERIALIZED VIEW refreshed_view");
        String interrupted = view("refreshed_view").orElseThrow().stateTable().getTableName();
        assertThat(view("refreshed_view").orElseThrow().building()).isTrue();
        // while it waits for the background service it answers from its base, and INSERTs maintain it
        insert("refreshed", 300, 349);
        assertView("refreshed_view", definition);

        waitUntil(() -> !view("refreshed_view").orElseThrow().building());
        assertThat(stateTable(getQueryRunner(), "refreshed_view")).isNotEqualTo(interrupted);
        assertView("refreshed_view", definition);
        // the base tiers again, and the interrupted build's state table goes a grace period later
        assertUpdate("CALL system.tier_table('tpch', 'refreshed')");
        assertThat(computeScalar("SELECT count(*) FROM \"refreshed$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        waitUntil(() -> segmentStore().getTable(new SchemaTableName("tpch", interrupted)).isEmpty());
        insert("refreshed", 350, 360);
        assertView("refreshed_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW refreshed_view");
        assertUpdate("DROP TABLE refreshed");
    }

    @Test
    public void testInterruptedCreateIsUndone()
            throws Exception
    {
        createFacts("created");
        insert("created", 0, 199);
        String definition = "SELECT region, sum(amount) AS amount FROM created GROUP BY region";

        crashBeforeBuildCommit("CREATE MATERIALIZED VIEW created_view AS " + definition);
        SchemaTableName interrupted = view("created_view").orElseThrow().stateTable();
        assertThat(view("created_view").orElseThrow().building()).isTrue();

        // its statement failed, so nothing of it stays: not the view, not its state table
        waitUntil(() -> view("created_view").isEmpty());
        assertThat(computeActual("SELECT name FROM system.metadata.materialized_views WHERE catalog_name = 'lakehouse' AND schema_name = 'tpch'").getOnlyColumnAsSet())
                .doesNotContain("created_view");
        assertThat(segmentStore().getTable(interrupted)).isEmpty();
        assertThat(computeActual("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tpch'").getOnlyColumnAsSet())
                .doesNotContain(interrupted.getTableName());
        assertUpdate("CALL system.tier_table('tpch', 'created')");

        assertUpdate("CREATE MATERIALIZED VIEW created_view AS " + definition);
        insert("created", 200, 250);
        assertView("created_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW created_view");
        assertUpdate("DROP TABLE created");
    }

    @Test
    public void testRunningBuildIsNotTakenOver()
    {
        createFacts("slow");
        insert("slow", 0, 99);
        String definition = "SELECT region, count(*) AS events FROM slow GROUP BY region";
        assertUpdate("CREATE MATERIALIZED VIEW slow_view AS " + definition);

        // a build that outlasts its lease several times over, renewing it, is nobody else's to take
        AtomicBoolean slow = new AtomicBoolean(true);
        ViewMaintenance maintenance = connectorInstance(ViewMaintenance.class);
        maintenance.setBeforeBuildCommitForTesting(() -> {
            if (slow.getAndSet(false)) {
                sleep(TimeUnit.SECONDS.toMillis(10));
            }
        });
        try {
            assertUpdate("REFRESH MATERIALIZED VIEW slow_view");
        }
        finally {
            maintenance.setBeforeBuildCommitForTesting(() -> {});
        }
        assertThat(view("slow_view").orElseThrow().building()).isFalse();
        assertView("slow_view", definition);
        assertUpdate("DROP MATERIALIZED VIEW slow_view");
        assertUpdate("DROP TABLE slow");
    }

    /**
     * Runs a statement whose build stops just before its commit the way a killed coordinator
     * stops it: none of the statement's own clean-up runs, its lease is no longer renewed.
     */
    private void crashBeforeBuildCommit(String statement)
    {
        ViewMaintenance maintenance = connectorInstance(ViewMaintenance.class);
        maintenance.setBeforeBuildCommitForTesting(() -> {
            throw new SimulatedCrash();
        });
        try {
            assertThatThrownBy(() -> computeActual(statement)).hasMessageContaining("coordinator died");
        }
        finally {
            maintenance.setBeforeBuildCommitForTesting(() -> {});
        }
    }

    private static class SimulatedCrash
            extends Error
    {
        SimulatedCrash()
        {
            super("coordinator died");
        }
    }

    private Optional<SynchronousView> view(String name)
    {
        return segmentStore().view(new SchemaTableName("tpch", name));
    }

    private SegmentStore segmentStore()
    {
        return connectorInstance(SegmentStore.class);
    }

    private <T> T connectorInstance(Class<T> type)
    {
        return ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(type);
    }

    private void createFacts(String name)
    {
        assertUpdate("CREATE TABLE %s (ts timestamp(6), region varchar, amount bigint)".formatted(name));
    }

    private void insert(String table, int from, int to)
    {
        assertUpdate(("INSERT INTO %s SELECT CAST(TIMESTAMP '2026-11-01 00:00:00' + x * INTERVAL '13' MINUTE AS timestamp(6)), " +
                "element_at(ARRAY['north', 'south', 'east'], x %% 3 + 1), x * 7 %% 100 FROM UNNEST(sequence(%d, %d)) t(x)").formatted(table, from, to), to - from + 1);
    }

    private void assertView(String view, String definition)
    {
        Session bases = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        assertThat(computeActual("SELECT * FROM " + view).getMaterializedRows()).as(view)
                .containsExactlyInAnyOrderElementsOf(computeActual(bases, definition).getMaterializedRows());
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
    }
}
