package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.trino.Session;
import io.trino.spi.security.Identity;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.trino.tpch.TpchTable.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trino's file-based access control over this catalog: tables, their hidden tables, the
 * procedures and the table function, materialized views, and the catalog's system tables
 * obey the rules as stock tables do. The rules give {@code alice} SELECT and INSERT on
 * {@code visible} (and its hidden tables), nothing on {@code secret}, two of the procedures,
 * and no connector table function.
 */
public class TestHybridAccessControl
        extends AbstractTestQueryFramework
{
    private static final String RULES = """
            {
              "catalogs": [
                {"user": "user", "allow": "all"},
                {"user": "alice", "catalog": "lakehouse|tpch", "allow": "all"}
              ],
              "schemas": [
                {"user": "user", "owner": true},
                {"user": "alice", "owner": false}
              ],
              "tables": [
                {"user": "user", "privileges": ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"]},
                {"user": "alice", "catalog": "lakehouse", "schema": "tpch", "table": "visible(\\\\$.*)?", "privileges": ["SELECT", "INSERT"]},
                {"user": "alice", "catalog": "lakehouse", "schema": "tpch", "table": "visible_daily", "privileges": ["SELECT"]},
                {"user": "alice", "catalog": "lakehouse", "schema": "system", "table": "tiering_status|mv_rewrites|cache_stats", "privileges": ["SELECT"]},
                {"user": "alice", "catalog": "tpch", "privileges": ["SELECT"]}
              ],
              "procedures": [
                {"user": "user", "privileges": ["EXECUTE"]},
                {"user": "alice", "catalog": "lakehouse", "schema": "system", "procedure": "tier_table|compact_segments", "privileges": ["EXECUTE"]},
                {"catalog": "system", "schema": "builtin", "privileges": ["EXECUTE"]}
              ],
              "functions": [
                {"user": "user", "privileges": ["EXECUTE", "GRANT_EXECUTE", "OWNERSHIP"]},
                {"catalog": "system", "schema": "builtin", "privileges": ["EXECUTE", "GRANT_EXECUTE"]}
              ]
            }
            """;
    private static final String DAILY = "SELECT orderdate, count(*) AS orders, sum(totalprice) AS total FROM %s GROUP BY orderdate";

    private Session alice;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path rules = Files.createTempFile("hybrid-access-rules", ".json");
        Files.writeString(rules, RULES);
        Path cache = Files.createTempDirectory("hybrid-access-cache");
        closeAfterClass(() -> deleteRecursively(cache, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setSystemAccessControl("file", ImmutableMap.of("security.config-file", rules.toString()))
                .addCatalogProperty("hybrid.tiering.enabled", "false")
                .addCatalogProperty("hybrid.cache.enabled", "true")
                .addCatalogProperty("hybrid.cache.directory", cache.toString())
                .setInitialTables(ImmutableList.of(ORDERS))
                .build();
    }

    @BeforeAll
    public void createTables()
    {
        alice = Session.builder(getSession()).setIdentity(Identity.ofUser("alice")).build();
        for (String table : new String[] {"visible", "secret"}) {
            assertUpdate("CREATE TABLE %s (orderkey bigint, orderdate date, totalprice double)".formatted(table));
            assertUpdate("CREATE MATERIALIZED VIEW %s_daily AS %s".formatted(table, DAILY.formatted(table)));
            assertUpdate("INSERT INTO %s SELECT orderkey, orderdate, totalprice FROM tpch.tiny.orders".formatted(table), 15000);
            // a query the view answers, so system.mv_rewrites has a row for each view
            assertQuery(DAILY.formatted(table), DAILY.formatted("orders"));
        }
    }

    @Test
    public void testTablesAndHiddenTables()
    {
        assertQuery(alice, "SELECT count(*) FROM visible", "VALUES 15000");
        assertThat(computeScalar(alice, "SELECT count(*) FROM \"visible$segments\"")).isEqualTo(computeScalar("SELECT count(*) FROM \"visible$segments\""));
        assertQueryFails(alice, "SELECT count(*) FROM secret", ".*Access Denied: Cannot select from table lakehouse.tpch.secret");
        for (String hidden : new String[] {"segments", "partitions", "files", "snapshots"}) {
            assertQueryFails(alice, "SELECT count(*) FROM \"secret$%s\"".formatted(hidden), ".*Access Denied: Cannot select from table lakehouse.tpch.secret\\$" + hidden);
        }
        assertThat(computeActual(alice, "SHOW TABLES").getOnlyColumnAsSet()).contains("visible").doesNotContain("secret", "secret_daily");
        assertQueryFails(alice, "DELETE FROM visible WHERE orderkey = 1", ".*Access Denied: Cannot delete from table lakehouse.tpch.visible");
        assertQueryFails(alice, "INSERT INTO secret VALUES (1, DATE '2026-01-01', 1.0)", ".*Access Denied: Cannot insert into table lakehouse.tpch.secret");
    }

    @Test
    public void testMaterializedViews()
    {
        assertQuery(alice, "SELECT count(*) FROM visible_daily", "SELECT count(DISTINCT orderdate) FROM orders");
        assertQueryFails(alice, "SELECT count(*) FROM secret_daily", ".*Access Denied: Cannot select from table lakehouse.tpch.secret_daily");
        assertQueryFails(alice, "CREATE MATERIALIZED VIEW alice_daily AS " + DAILY.formatted("visible"), ".*Access Denied: Cannot create materialized view lakehouse.tpch.alice_daily");
        assertQueryFails(alice, "DROP MATERIALIZED VIEW visible_daily", ".*Access Denied: Cannot drop materialized view lakehouse.tpch.visible_daily");
        // the view answers alice's query on the base table she may read, with the same rows
        assertQuery(alice, DAILY.formatted("visible"), DAILY.formatted("orders"));
    }

    @Test
    public void testProceduresAndTableFunction()
    {
        assertUpdate(alice, "CALL system.tier_table('tpch', 'visible')");
        assertUpdate(alice, "CALL system.compact_segments('tpch', 'visible')");
        // allowed procedure, but on a table alice may not write
        assertQueryFails(alice, "CALL system.tier_table('tpch', 'secret')", ".*Access Denied: Cannot insert into table lakehouse.tpch.secret");
        assertQueryFails(alice, "CALL system.compact_segments('tpch', 'secret')", ".*Access Denied: Cannot insert into table lakehouse.tpch.secret");
        // procedures the rules do not grant
        assertQueryFails(alice, "CALL system.apply_retention('tpch', 'visible')", ".*Access Denied: Cannot execute procedure lakehouse.system.apply_retention");
        assertQueryFails(alice, "CALL system.warm_cache('tpch', 'visible')", ".*Access Denied: Cannot execute procedure lakehouse.system.warm_cache");
        assertQueryFails(alice, "SELECT * FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'visible'))",
                ".*Access Denied: Cannot execute function system.warm_cache");

        assertThat(computeActual("SELECT * FROM TABLE(system.warm_cache(schema_name => 'tpch', table_name => 'secret'))").getRowCount()).isPositive();
    }

    @Test
    public void testSystemTablesShowOnlyVisibleTables()
    {
        assertThat(computeActual("SELECT table_name FROM system.tiering_status").getOnlyColumnAsSet()).contains("visible", "secret");
        assertThat(computeActual(alice, "SELECT table_name FROM system.tiering_status").getOnlyColumnAsSet()).contains("visible").doesNotContain("secret");
        assertThat(computeActual(alice, "SELECT table_name FROM system.tiering_status").getOnlyColumnAsSet()).doesNotContain("secret_daily", "visible_daily");

        assertThat(computeActual("SELECT view_name FROM system.mv_rewrites").getOnlyColumnAsSet()).contains("visible_daily", "secret_daily");
        assertThat(computeActual(alice, "SELECT view_name FROM system.mv_rewrites").getOnlyColumnAsSet()).contains("visible_daily").doesNotContain("secret_daily");

        // per-node cache figures name no table
        assertThat(computeActual(alice, "SELECT count(*) FROM system.cache_stats").getOnlyValue()).isEqualTo((long) getQueryRunner().getNodeCount());
    }
}
