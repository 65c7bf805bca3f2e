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
            // rejected by the Iceberg JDBC catalog the embedded default runs on
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
        assertQueryFails("CREATE MATERIALIZED VIEW nation_mv AS SELECT * FROM nation", "createMaterializedView is not supported for Iceberg JDBC catalogs");
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
}
