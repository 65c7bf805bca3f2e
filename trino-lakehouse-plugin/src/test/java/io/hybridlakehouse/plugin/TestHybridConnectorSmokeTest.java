package io.hybridlakehouse.plugin;

import io.trino.testing.BaseConnectorSmokeTest;
import io.trino.testing.QueryRunner;
import io.trino.testing.TestingConnectorBehavior;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

public class TestHybridConnectorSmokeTest
        extends BaseConnectorSmokeTest
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder()
                .setInitialTables(REQUIRED_TPCH_TABLES)
                .build();
    }

    @Override
    protected boolean hasBehavior(TestingConnectorBehavior connectorBehavior)
    {
        return switch (connectorBehavior) {
            // materialized views are synchronous aggregations only (see testMaterializedView); the
            // Iceberg JDBC catalog the embedded default runs on rejects renaming schemas
            case SUPPORTS_CREATE_MATERIALIZED_VIEW,
                 SUPPORTS_RENAME_MATERIALIZED_VIEW,
                 SUPPORTS_RENAME_SCHEMA -> false;
            case SUPPORTS_TOPN_PUSHDOWN -> false;
            default -> super.hasBehavior(connectorBehavior);
        };
    }

    @Test
    @Override
    public void testRenameSchema()
    {
        assertQueryFails("ALTER SCHEMA tpch RENAME TO tpch_renamed", "renameNamespace is not supported for Iceberg JDBC catalogs");
    }

    @Test
    @Override
    public void testMaterializedView()
    {
        assertQueryFails("CREATE MATERIALIZED VIEW nation_mv AS SELECT * FROM nation", "Materialized view not supported: no GROUP BY: a synchronous view groups by its keys.*");
        assertUpdate("CREATE MATERIALIZED VIEW nation_mv AS SELECT regionkey, count(*) AS nations, min(name) AS first_name FROM nation GROUP BY regionkey");
        assertQuery("SELECT * FROM nation_mv", "SELECT regionkey, count(*), min(name) FROM nation GROUP BY regionkey");
        assertUpdate("DROP MATERIALIZED VIEW nation_mv");
    }

    @Test
    @Override
    public void testShowCreateTable()
    {
        assertThat((String) computeScalar("SHOW CREATE TABLE region"))
                .matches("""
                        CREATE TABLE lakehouse.tpch.region \\(
                           regionkey bigint,
                           name varchar,
                           comment varchar
                        \\)
                        WITH \\(
                           format = 'PARQUET',
                           format_version = 2,
                           location = 'local:///iceberg/tpch/region-[0-9a-f]{32}',
                           max_commit_retry = 4,
                           mode = 'hybrid'
                        \\)""");
    }

    @Test
    @Override
    public void testRowLevelUpdate()
    {
        // the rows are hot: the statement moves them to Iceberg, where it rewrites them
        assertUpdate("CREATE TABLE test_update_hybrid (a bigint, b double)");
        assertUpdate("INSERT INTO test_update_hybrid (a, b) SELECT regionkey, regionkey * 2.5 FROM region", 5);
        assertThat(computeScalar("SELECT count(*) FROM \"test_update_hybrid$segments\" WHERE state = 'ACTIVE'")).isEqualTo(1L);
        assertUpdate("UPDATE test_update_hybrid SET b = b + 1.2 WHERE a % 2 = 0", 3);
        assertQuery("SELECT a, b FROM test_update_hybrid", "VALUES (0, 1.2), (1, 2.5), (2, 6.2), (3, 7.5), (4, 11.2)");
        assertUpdate("DROP TABLE test_update_hybrid");
    }

    @Test
    @Override
    public void testMerge()
    {
        assertUpdate("CREATE TABLE test_merge_hybrid (a bigint, b double)");
        assertUpdate("INSERT INTO test_merge_hybrid (a, b) SELECT regionkey, regionkey * 2.5 FROM region", 5);
        String merge = "MERGE INTO test_merge_hybrid t " +
                "USING (VALUES (0, 1.3), (2, 2.9), (3, 0.0), (4, -5.0), (5, 5.7)) AS s (a, b) " +
                "ON (t.a = s.a) " +
                "WHEN MATCHED AND s.b > 0 THEN UPDATE SET b = t.b + s.b " +
                "WHEN MATCHED AND s.b = 0 THEN DELETE " +
                "WHEN NOT MATCHED THEN INSERT VALUES (s.a, s.b)";
        assertUpdate(merge, 4);
        assertQuery("SELECT a, b FROM test_merge_hybrid", "VALUES (0, 1.3), (1, 2.5), (2, 7.9), (4, 10.0), (5, 5.7)");
        assertUpdate("DROP TABLE test_merge_hybrid");
    }
}
