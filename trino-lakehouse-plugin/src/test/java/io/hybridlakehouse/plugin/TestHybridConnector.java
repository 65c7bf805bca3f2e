package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import static io.trino.tpch.TpchTable.NATION;
import static io.trino.tpch.TpchTable.ORDERS;
import static io.trino.tpch.TpchTable.REGION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statements a user runs on a fresh catalog, checked against TPC-H as the reference.
 */
public class TestHybridConnector
        extends AbstractTestQueryFramework
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder()
                .setInitialTables(java.util.List.of(NATION, REGION, ORDERS))
                .build();
    }

    @Test
    public void testSchemaLifecycle()
    {
        assertUpdate("CREATE SCHEMA lakehouse.ods");
        assertThat(computeActual("SHOW SCHEMAS FROM lakehouse").getOnlyColumnAsSet()).contains("ods", "tpch", "information_schema");
        assertUpdate("CREATE TABLE lakehouse.ods.t (x bigint)");
        assertQueryFails("DROP SCHEMA lakehouse.ods", ".*Cannot drop non-empty schema 'ods'.*");
        assertUpdate("DROP TABLE lakehouse.ods.t");
        assertUpdate("DROP SCHEMA lakehouse.ods");
        assertThat(computeActual("SHOW SCHEMAS FROM lakehouse").getOnlyColumnAsSet()).doesNotContain("ods");
    }

    @Test
    public void testViewsBesideTables()
    {
        // Trino asks the catalog whether each name a query reads is a view before it looks for a table
        assertUpdate("CREATE SCHEMA lakehouse.views_a");
        assertUpdate("CREATE SCHEMA lakehouse.views_b");
        assertUpdate("CREATE TABLE lakehouse.views_a.items AS SELECT nationkey, name FROM lakehouse.tpch.nation", 25);
        assertUpdate("CREATE VIEW lakehouse.views_b.items AS SELECT regionkey, name FROM lakehouse.tpch.region");
        assertQuery("SELECT count(*), max(nationkey) FROM lakehouse.views_a.items", "VALUES (25, 24)");
        assertQuery("SELECT count(*), max(regionkey) FROM lakehouse.views_b.items", "VALUES (5, 4)");
        assertThat(computeActual("SELECT table_schema || ':' || table_type FROM lakehouse.information_schema.tables WHERE table_name = 'items'").getOnlyColumnAsSet())
                .containsExactlyInAnyOrder("views_a:BASE TABLE", "views_b:VIEW");
        assertQueryFails("CREATE VIEW lakehouse.views_a.items AS SELECT 1 AS x", ".*already exists.*");

        assertUpdate("CREATE OR REPLACE VIEW lakehouse.views_b.items AS SELECT name FROM lakehouse.views_a.items WHERE nationkey < 3");
        assertQuery("SELECT count(*) FROM lakehouse.views_b.items", "VALUES 3");
        assertUpdate("DROP VIEW lakehouse.views_b.items");
        assertQueryFails("SELECT * FROM lakehouse.views_b.items", ".*Table 'lakehouse.views_b.items' does not exist");
        assertQuery("SELECT count(*) FROM lakehouse.views_a.items", "VALUES 25");

        assertUpdate("DROP TABLE lakehouse.views_a.items");
        assertUpdate("DROP SCHEMA lakehouse.views_a");
        assertUpdate("DROP SCHEMA lakehouse.views_b");
    }

    @Test
    public void testPartitionedTableInsertAndSelect()
    {
        assertUpdate("CREATE TABLE events (event_time timestamp(6), user_id bigint, region varchar, amount decimal(12, 2)) " +
                "WITH (partitioning = ARRAY['day(event_time)', 'region'])");
        assertUpdate("INSERT INTO events VALUES " +
                "(TIMESTAMP '2026-11-24 10:00:00', 1, 'beijing', 10.50), " +
                "(TIMESTAMP '2026-11-24 11:00:00', 2, 'shanghai', 3.25), " +
                "(TIMESTAMP '2026-11-25 09:30:00', 1, 'beijing', 7.00)", 3);
        assertUpdate("INSERT INTO events VALUES (TIMESTAMP '2026-11-25 12:00:00', 3, 'guangdong', 1.00)", 1);

        assertQuery("SELECT region, count(*), sum(amount) FROM events GROUP BY region",
                "VALUES ('beijing', 2, 17.50), ('shanghai', 1, 3.25), ('guangdong', 1, 1.00)");
        assertQuery("SELECT user_id FROM events WHERE event_time >= TIMESTAMP '2026-11-25 00:00:00' AND region = 'beijing'", "VALUES 1");
        assertThat(computeScalar("SELECT count(*) FROM \"events$partitions\"")).isEqualTo(4L);

        String showCreate = (String) computeScalar("SHOW CREATE TABLE events");
        assertThat(showCreate)
                .contains("CREATE TABLE lakehouse.tpch.events")
                .contains("partitioning = ARRAY['day(event_time)','region']");
        assertUpdate("DROP TABLE events");
        assertQueryFails("SELECT * FROM events", ".*Table 'lakehouse.tpch.events' does not exist.*");
    }

    @Test
    public void testCreateTableAsSelectMatchesTpch()
    {
        assertUpdate("CREATE TABLE orders_copy AS SELECT * FROM tpch.tiny.orders", 15000);
        assertQuery("SELECT orderstatus, count(*), sum(totalprice), min(orderdate), max(orderdate) FROM orders_copy GROUP BY orderstatus",
                "SELECT orderstatus, count(*), sum(totalprice), min(orderdate), max(orderdate) FROM orders GROUP BY orderstatus");
        MaterializedResult ours = computeActual("SELECT * FROM orders_copy ORDER BY orderkey");
        MaterializedResult reference = computeActual("SELECT * FROM tpch.tiny.orders ORDER BY orderkey");
        assertThat(ours.getMaterializedRows()).isEqualTo(reference.getMaterializedRows());
        assertUpdate("DROP TABLE orders_copy");
    }

    @Test
    public void testDescribeAndComments()
    {
        assertUpdate("CREATE TABLE commented (id bigint COMMENT 'the key', name varchar) COMMENT 'a table'");
        assertQuery("DESCRIBE commented", "VALUES ('id', 'bigint', '', 'the key'), ('name', 'varchar', '', '')");
        assertUpdate("COMMENT ON TABLE commented IS 'renamed comment'");
        assertUpdate("COMMENT ON COLUMN commented.name IS 'display name'");
        assertThat(computeScalar("SELECT comment FROM system.metadata.table_comments WHERE catalog_name = 'lakehouse' AND schema_name = 'tpch' AND table_name = 'commented'"))
                .isEqualTo("renamed comment");
        assertQuery("SELECT comment FROM information_schema.columns WHERE table_name = 'commented' AND column_name = 'name'", "VALUES 'display name'");
        assertUpdate("DROP TABLE commented");
    }

    @Test
    public void testMissingTable()
    {
        assertQueryFails("SELECT * FROM lakehouse.tpch.no_such_table", ".*Table 'lakehouse.tpch.no_such_table' does not exist.*");
        assertQueryFails("INSERT INTO lakehouse.no_such_schema.t VALUES 1", ".*Table 'lakehouse.no_such_schema.t' does not exist.*");
    }
}
