package io.hybridlakehouse.plugin;

import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code count(*)} of a whole table answered from the row counts of the Iceberg snapshot and
 * the hot segments: differential against the same query read from the files, on every tier
 * mix, and never where metadata does not tell the rows a scan returns.
 */
public class TestHybridCountFromMetadata
        extends AbstractTestQueryFramework
{
    private static final String FROM_METADATA = "count(*) from metadata";

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder().build();
    }

    @Test
    public void testWholeTableCountOverTiers()
    {
        assertUpdate("CREATE TABLE counted WITH (partitioning = ARRAY['orderstatus']) AS SELECT * FROM tpch.tiny.orders WITH NO DATA", 0);
        assertCountFromMetadata("counted", 0);

        // cold
        assertUpdate("INSERT INTO counted SELECT * FROM tpch.tiny.orders WHERE orderkey < 10000", "SELECT count(*) FROM orders WHERE orderkey < 10000");
        assertUpdate("CALL system.tier_table('tpch', 'counted')");
        assertCountFromMetadata("counted", (long) computeScalar("SELECT count(*) FROM tpch.tiny.orders WHERE orderkey < 10000"));

        // mixed: hot segments above the snapshot
        assertUpdate("INSERT INTO counted SELECT * FROM tpch.tiny.orders WHERE orderkey >= 10000 AND orderkey < 40000", "SELECT count(*) FROM orders WHERE orderkey >= 10000 AND orderkey < 40000");
        assertUpdate("INSERT INTO counted SELECT * FROM tpch.tiny.orders WHERE orderkey >= 40000", "SELECT count(*) FROM orders WHERE orderkey >= 40000");
        assertThat((long) computeScalar("SELECT count(*) FROM \"counted$segments\" WHERE state = 'ACTIVE'")).isPositive();
        assertCountFromMetadata("counted", 15_000);

        // each tier alone, as the session reads it
        Session hotOnly = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "read_cold_tier", "false").build();
        Session coldOnly = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "read_hot_tier", "false").build();
        long hotRows = (long) computeScalar("SELECT count(*) FROM tpch.tiny.orders WHERE orderkey >= 10000");
        assertThat(computeScalar(hotOnly, "SELECT count(*) FROM counted")).isEqualTo(hotRows);
        assertThat(computeScalar(coldOnly, "SELECT count(*) FROM counted")).isEqualTo(15_000 - hotRows);
        assertThat(explain(hotOnly, "SELECT count(*) FROM counted")).contains(FROM_METADATA);

        // all tiered: the same count, now all from the snapshot
        assertUpdate("CALL system.tier_table('tpch', 'counted')");
        assertThat(computeScalar("SELECT count(*) FROM \"counted$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertCountFromMetadata("counted", 15_000);
        assertUpdate("DROP TABLE counted");
    }

    @Test
    public void testCountsMetadataCannotAnswer()
    {
        assertUpdate("CREATE TABLE partial AS SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 0", "SELECT count(*) FROM orders WHERE orderkey % 2 = 0");
        assertUpdate("INSERT INTO partial SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 1", "SELECT count(*) FROM orders WHERE orderkey % 2 = 1");

        // filters, grouping, other aggregates and DISTINCT read the rows
        assertReadFromFiles("SELECT count(*) FROM partial WHERE orderstatus = 'F'");
        assertReadFromFiles("SELECT orderstatus, count(*) FROM partial GROUP BY orderstatus");
        assertReadFromFiles("SELECT count(*), sum(totalprice) FROM partial");
        assertReadFromFiles("SELECT count(DISTINCT custkey) FROM partial");
        assertReadFromFiles("SELECT count(clerk) FROM partial");
        assertReadFromFiles("SELECT count(*) FROM (SELECT * FROM partial LIMIT 10)");

        // a past version is read from files
        long snapshot = (long) computeScalar("SELECT snapshot_id FROM \"partial$snapshots\" ORDER BY committed_at DESC LIMIT 1");
        assertReadFromFiles("SELECT count(*) FROM partial FOR VERSION AS OF " + snapshot);

        // row-level deletes: the snapshot's record total still counts the deleted rows
        assertUpdate("DELETE FROM partial WHERE orderkey % 3 = 0", "SELECT count(*) FROM orders WHERE orderkey % 3 = 0");
        assertThat((long) computeScalar("SELECT count(*) FROM \"partial$files\" WHERE content = 1")).isPositive();
        assertReadFromFiles("SELECT count(*) FROM partial");
        assertQuery("SELECT count(*) FROM partial", "SELECT count(*) FROM orders WHERE orderkey % 3 <> 0");

        // once the deletes are compacted away, metadata answers again
        assertUpdate("ALTER TABLE partial EXECUTE optimize");
        assertCountFromMetadata("partial", (long) computeScalar("SELECT count(*) FROM tpch.tiny.orders WHERE orderkey % 3 <> 0"));
        assertUpdate("DROP TABLE partial");
    }

    private void assertCountFromMetadata(String table, long expected)
    {
        String query = "SELECT count(*) FROM " + table;
        assertThat(explain(getSession(), query)).contains(FROM_METADATA);
        assertThat(computeScalar(query)).isEqualTo(expected);
        assertThat(computeScalar(fromFiles(), query)).isEqualTo(expected);
    }

    private void assertReadFromFiles(String query)
    {
        assertThat(explain(getSession(), query)).doesNotContain(FROM_METADATA);
        assertThat(computeActual(query).getMaterializedRows()).containsExactlyInAnyOrderElementsOf(computeActual(fromFiles(), query).getMaterializedRows());
    }

    private Session fromFiles()
    {
        return Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "count_from_metadata_enabled", "false").build();
    }

    private String explain(Session session, String query)
    {
        return (String) computeScalar(session, "EXPLAIN " + query);
    }
}
