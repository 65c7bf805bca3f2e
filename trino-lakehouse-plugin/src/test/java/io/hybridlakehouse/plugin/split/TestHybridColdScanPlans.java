package io.hybridlakehouse.plugin.split;

import com.google.common.cache.CacheStats;
import io.hybridlakehouse.plugin.HybridConnector;
import io.hybridlakehouse.plugin.LakehouseQueryRunner;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cold scan repeated on an unchanged table takes its file plan from the one kept for the
 * snapshot; any change of the table (a DELETE, newly tiered rows) is another snapshot with a
 * plan of its own, and a past snapshot keeps answering with its own files.
 */
public class TestHybridColdScanPlans
        extends AbstractTestQueryFramework
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder()
                .addCatalogProperty("hybrid.tiering.enabled", "false")
                .build();
    }

    @Test
    public void testRepeatedScanReusesThePlanOfItsSnapshot()
    {
        assertUpdate("CREATE TABLE planned (id bigint, region varchar)");
        assertUpdate("INSERT INTO planned SELECT x, IF(x % 2 = 0, 'eu', 'us') FROM UNNEST(sequence(1, 100)) t(x)", 100);
        assertUpdate("CALL system.tier_table('tpch', 'planned')");
        long firstSnapshot = latestSnapshot();

        CacheStats start = plans().stats();
        assertQuery("SELECT region FROM planned WHERE id = 42", "VALUES 'eu'");
        assertQuery("SELECT region FROM planned WHERE id = 42", "VALUES 'eu'");
        assertThat(plans().stats().minus(start).missCount()).isEqualTo(1);
        assertThat(plans().stats().minus(start).hitCount()).isEqualTo(1);

        // another filter is another plan
        assertQuery("SELECT region FROM planned WHERE id = 43", "VALUES 'us'");
        assertThat(plans().stats().minus(start).missCount()).isEqualTo(2);

        // a DELETE (whose own scan of the snapshot it reads takes the kept plan) is a new
        // snapshot, whose plan holds the delete file
        assertUpdate("DELETE FROM planned WHERE id = 42", 1);
        CacheStats afterDelete = plans().stats();
        assertQueryReturnsEmptyResult("SELECT region FROM planned WHERE id = 42");
        assertQueryReturnsEmptyResult("SELECT region FROM planned WHERE id = 42");
        assertThat(plans().stats().minus(afterDelete).missCount()).isEqualTo(1);
        assertThat(plans().stats().minus(afterDelete).hitCount()).isEqualTo(1);

        // rows tiered later are in the next snapshot's plan
        assertUpdate("INSERT INTO planned VALUES (42, 'ap')", 1);
        assertUpdate("CALL system.tier_table('tpch', 'planned')");
        assertQuery("SELECT region FROM planned WHERE id = 42", "VALUES 'ap'");
        assertQuery("SELECT count(*), sum(id) FROM planned", "VALUES (100, 5050)");

        // the first snapshot still reads its own files
        assertQuery("SELECT region FROM planned FOR VERSION AS OF " + firstSnapshot + " WHERE id = 42", "VALUES 'eu'");
        assertQuery("SELECT count(*), sum(id) FROM planned FOR VERSION AS OF " + firstSnapshot, "VALUES (100, 5050)");
    }

    @Test
    public void testReplacedTableIsPlannedAgain()
    {
        assertUpdate("CREATE TABLE replaced AS SELECT x AS id FROM UNNEST(sequence(1, 10)) t(x)", 10);
        assertQuery("SELECT count(*) FROM replaced WHERE id > 5", "VALUES 5");
        assertUpdate("DROP TABLE replaced");
        assertUpdate("CREATE TABLE replaced AS SELECT x AS id FROM UNNEST(sequence(1, 20)) t(x)", 20);
        assertQuery("SELECT count(*) FROM replaced WHERE id > 5", "VALUES 15");
        assertUpdate("CREATE OR REPLACE TABLE replaced AS SELECT x AS id FROM UNNEST(sequence(1, 30)) t(x)", 30);
        assertQuery("SELECT count(*) FROM replaced WHERE id > 5", "VALUES 25");
    }

    private long latestSnapshot()
    {
        return (long) computeScalar("SELECT snapshot_id FROM \"planned$snapshots\" ORDER BY committed_at DESC LIMIT 1");
    }

    private ColdScanPlans plans()
    {
        return ((HybridConnector) getDistributedQueryRunner().getCoordinator().getConnector("lakehouse")).getInjector().getInstance(ColdScanPlans.class);
    }
}
