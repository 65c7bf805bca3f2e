package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Distinct-value statistics of both tiers: sketched by the engine on every write (bulk load,
 * hot INSERT, lake INSERT, ANALYZE) through the plugin's own sketch function, unioned across
 * tiers for {@code SHOW STATS}, and carried into Iceberg's statistics by tiering. Compared
 * with exact distinct counts: theta sketches of this size estimate within a few percent.
 */
public class TestHybridStatistics
        extends AbstractTestQueryFramework
{
    private static final List<String> COLUMNS = List.of("orderkey", "custkey", "orderstatus", "orderpriority", "clerk", "orderdate");
    private static final double TOLERANCE = 0.04;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        // no stock Iceberg plugin here: its $iceberg_theta_stat must not be needed
        return LakehouseQueryRunner.builder().build();
    }

    @Test
    public void testBulkLoadCollectsDistinctValues()
    {
        assertUpdate("CREATE TABLE bulk AS SELECT * FROM tpch.tiny.orders", 15_000);
        assertDistinctValuesNearExact("bulk");
        assertUpdate("DROP TABLE bulk");
    }

    @Test
    public void testHotRowsHaveStatistics()
    {
        assertUpdate("CREATE TABLE hot AS SELECT * FROM tpch.tiny.orders WITH NO DATA", 0);
        assertUpdate("INSERT INTO hot SELECT * FROM tpch.tiny.orders WHERE orderkey < 20000", "SELECT count(*) FROM orders WHERE orderkey < 20000");
        assertUpdate("INSERT INTO hot SELECT * FROM tpch.tiny.orders WHERE orderkey >= 20000", "SELECT count(*) FROM orders WHERE orderkey >= 20000");
        assertThat(computeScalar("SELECT count(*) FROM \"hot$files\"")).isEqualTo(0L);
        assertDistinctValuesNearExact("hot");

        // ranges and sizes from the segments' metrics, as Iceberg reads them from manifests
        MaterializedRow orderkey = columnStatistics("hot").get("orderkey");
        assertThat(orderkey.getField(5)).isEqualTo("1");
        assertThat(orderkey.getField(6)).isEqualTo("60000");
        assertThat((Double) columnStatistics("hot").get("clerk").getField(1)).isPositive();
        assertUpdate("DROP TABLE hot");
    }

    @Test
    public void testDistinctValuesOverBothTiersAndAfterTiering()
    {
        // even order keys cold, odd ones hot: each tier alone holds half the distinct keys
        assertUpdate("CREATE TABLE mixed AS SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 0", "SELECT count(*) FROM orders WHERE orderkey % 2 = 0");
        assertUpdate("INSERT INTO mixed SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 1", "SELECT count(*) FROM orders WHERE orderkey % 2 = 1");
        assertThat((Long) computeScalar("SELECT count(*) FROM \"mixed$segments\" WHERE state = 'ACTIVE'")).isPositive();
        assertDistinctValuesNearExact("mixed");

        // tiering unions the hot sketches into the Iceberg statistics of the snapshot taking the rows
        assertUpdate("CALL system.tier_table('tpch', 'mixed')");
        assertThat(computeScalar("SELECT count(*) FROM \"mixed$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertDistinctValuesNearExact("mixed");

        // and later hot rows add to them again
        assertUpdate("INSERT INTO mixed SELECT orderkey + 100000, custkey + 10000, orderstatus, totalprice, orderdate, orderpriority, clerk, shippriority, comment FROM tpch.tiny.orders", 15_000);
        assertThat(distinctValues("mixed", "orderkey")).isCloseTo(30_000, within(30_000 * TOLERANCE));
        assertThat(distinctValues("mixed", "custkey")).isCloseTo(2 * exactDistinct("tpch.tiny.orders", "custkey"), within(2 * exactDistinct("tpch.tiny.orders", "custkey") * TOLERANCE));
        assertUpdate("DROP TABLE mixed");
    }

    @Test
    public void testRangesAndPartitionFiltersOverBothTiers()
    {
        assertUpdate("CREATE TABLE ranged (id bigint, note bigint, late bigint, part varchar) WITH (partitioning = ARRAY['part'])");
        assertUpdate("INSERT INTO ranged VALUES (1, 10, NULL, 'a'), (2, 20, NULL, 'b')", 2);
        assertUpdate("CALL system.tier_table('tpch', 'ranged')");
        assertUpdate("INSERT INTO ranged VALUES (3, NULL, 7, 'a'), (4, NULL, 9, 'c')", 2);
        assertThat((Long) computeScalar("SELECT count(*) FROM \"ranged$segments\" WHERE state = 'ACTIVE'")).isEqualTo(2);

        // a tier holding only nulls in a column leaves the other tier's range as it is
        Map<String, MaterializedRow> columns = columnStatistics("ranged");
        assertThat(List.of(columns.get("note").getField(5), columns.get("note").getField(6))).containsExactly("10", "20");
        assertThat(List.of(columns.get("late").getField(5), columns.get("late").getField(6))).containsExactly("7", "9");
        assertThat(List.of(columns.get("id").getField(5), columns.get("id").getField(6))).containsExactly("1", "4");
        assertThat(rowCount("ranged")).isEqualTo(4);

        // a filter on the partition column counts the hot rows of the matching partitions only, as it does the cold ones
        assertThat(rowCount("(SELECT * FROM ranged WHERE part = 'c')")).isEqualTo(1);
        assertThat(rowCount("(SELECT * FROM ranged WHERE part = 'a')")).isEqualTo(2);
        assertThat(rowCount("(SELECT * FROM ranged WHERE part = 'b')")).isEqualTo(1);
        assertThat(rowCount("(SELECT * FROM ranged WHERE part = 'none')")).isEqualTo(0);
        assertUpdate("DROP TABLE ranged");
    }

    @Test
    public void testNullsOfAColumnAddedAfterRowsWereWritten()
    {
        assertUpdate("CREATE TABLE widened (id integer)");
        assertUpdate("INSERT INTO widened SELECT x FROM UNNEST(sequence(1, 90)) t(x)", 90);
        assertUpdate("ALTER TABLE widened ADD COLUMN c varchar");
        assertUpdate("INSERT INTO widened SELECT x, 'v' || CAST(x AS varchar) FROM UNNEST(sequence(91, 100)) t(x)", 10);
        // the 90 rows written before the column read NULL in it, hot and after tiering
        assertThat((Double) columnStatistics("widened").get("c").getField(3)).isCloseTo(0.9, within(1e-9));
        assertThat((Double) columnStatistics("widened").get("id").getField(3)).isCloseTo(0.0, within(1e-9));
        assertUpdate("CALL system.tier_table('tpch', 'widened')");
        assertThat((Double) columnStatistics("widened").get("c").getField(3)).isCloseTo(0.9, within(1e-9));
        assertUpdate("DROP TABLE widened");
    }

    @Test
    public void testLakeInsertAndAnalyze()
    {
        assertUpdate("CREATE TABLE lake WITH (mode = 'lake') AS SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 0", "SELECT count(*) FROM orders WHERE orderkey % 2 = 0");
        assertUpdate("INSERT INTO lake SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 1", "SELECT count(*) FROM orders WHERE orderkey % 2 = 1");
        assertThat(computeScalar("SELECT count(*) FROM \"lake$segments\"")).isEqualTo(0L);
        assertDistinctValuesNearExact("lake");

        // ANALYZE resolves the plugin's own sketch function, with or without the stock Iceberg plugin installed
        assertUpdate("ANALYZE lake");
        assertDistinctValuesNearExact("lake");
        assertUpdate("DROP TABLE lake");
    }

    @Test
    public void testStatisticsKeptAcrossQueriesFollowTheTable()
    {
        // statistics of a snapshot are kept across queries: what changes them without a new
        // snapshot (dropping or recomputing the statistics file) or with one must show at once
        assertUpdate("CREATE TABLE kept WITH (mode = 'lake') AS SELECT * FROM tpch.tiny.orders", 15_000);
        assertDistinctValuesNearExact("kept");
        assertDistinctValuesNearExact("kept");

        assertUpdate("ALTER TABLE kept EXECUTE drop_extended_stats");
        assertThat(columnStatistics("kept").get("custkey").getField(2)).isNull();

        assertUpdate("ANALYZE kept");
        assertDistinctValuesNearExact("kept");

        // a new snapshot: Iceberg's row count is that of its data files
        assertThat(rowCount("kept")).isEqualTo(15_000);
        assertUpdate("INSERT INTO kept SELECT * FROM tpch.tiny.orders WHERE orderkey % 3 = 0", "SELECT count(*) FROM orders WHERE orderkey % 3 = 0");
        assertThat(rowCount("kept")).isEqualTo((double) (long) (Long) computeScalar("SELECT count(*) FROM kept"));
        assertUpdate("DROP TABLE kept");
    }

    private double rowCount(String table)
    {
        return computeActual("SHOW STATS FOR " + table).getMaterializedRows().stream()
                .filter(row -> row.getField(0) == null)
                .map(row -> (Double) row.getField(4))
                .findFirst()
                .orElseThrow();
    }

    private void assertDistinctValuesNearExact(String table)
    {
        for (String column : COLUMNS) {
            long exact = exactDistinct(table, column);
            assertThat(distinctValues(table, column))
                    .as("distinct values of %s.%s", table, column)
                    .isCloseTo(exact, within(Math.max(1, exact * TOLERANCE)));
        }
    }

    private long exactDistinct(String table, String column)
    {
        return (Long) computeScalar("SELECT count(DISTINCT %s) FROM %s".formatted(column, table));
    }

    private double distinctValues(String table, String column)
    {
        Object value = columnStatistics(table).get(column).getField(2);
        assertThat(value).as("distinct values of %s.%s", table, column).isNotNull();
        return (Double) value;
    }

    private Map<String, MaterializedRow> columnStatistics(String table)
    {
        return computeActual("SHOW STATS FOR " + table).getMaterializedRows().stream()
                .filter(row -> row.getField(0) != null)
                .collect(toImmutableMap(row -> (String) row.getField(0), row -> row));
    }
}
