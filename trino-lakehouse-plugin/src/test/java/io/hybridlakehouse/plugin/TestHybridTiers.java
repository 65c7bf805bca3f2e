package io.hybridlakehouse.plugin;

import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * Differential tests: TPC-H queries return the same rows from hybrid tables as from the
 * tpch catalog, with the data all hot, all cold (tiered) and mixed.
 */
@TestInstance(PER_CLASS)
public class TestHybridTiers
        extends AbstractTestQueryFramework
{
    private static final List<String> TABLES = List.of("lineitem", "orders", "customer", "nation", "region", "supplier", "part", "partsupp");

    private static final List<String> QUERIES = List.of(
            // Q1
            """
            SELECT returnflag, linestatus, sum(quantity), sum(extendedprice), sum(extendedprice * (1 - discount)),
                   sum(extendedprice * (1 - discount) * (1 + tax)), avg(quantity), avg(extendedprice), avg(discount), count(*)
            FROM {s}.lineitem WHERE shipdate <= DATE '1998-09-02' GROUP BY returnflag, linestatus""",
            // Q3
            """
            SELECT l.orderkey, sum(l.extendedprice * (1 - l.discount)) AS revenue, o.orderdate, o.shippriority
            FROM {s}.customer c JOIN {s}.orders o ON c.custkey = o.custkey JOIN {s}.lineitem l ON l.orderkey = o.orderkey
            WHERE c.mktsegment = 'BUILDING' AND o.orderdate < DATE '1995-03-15' AND l.shipdate > DATE '1995-03-15'
            GROUP BY l.orderkey, o.orderdate, o.shippriority""",
            // Q5
            """
            SELECT n.name, sum(l.extendedprice * (1 - l.discount)) AS revenue
            FROM {s}.customer c JOIN {s}.orders o ON c.custkey = o.custkey JOIN {s}.lineitem l ON l.orderkey = o.orderkey
            JOIN {s}.supplier s ON l.suppkey = s.suppkey AND c.nationkey = s.nationkey
            JOIN {s}.nation n ON s.nationkey = n.nationkey JOIN {s}.region r ON n.regionkey = r.regionkey
            WHERE r.name = 'ASIA' AND o.orderdate >= DATE '1994-01-01' AND o.orderdate < DATE '1995-01-01'
            GROUP BY n.name""",
            // Q6
            """
            SELECT sum(extendedprice * discount) FROM {s}.lineitem
            WHERE shipdate >= DATE '1994-01-01' AND shipdate < DATE '1995-01-01' AND discount BETWEEN 0.05 AND 0.07 AND quantity < 24""",
            // Q10
            """
            SELECT c.custkey, c.name, sum(l.extendedprice * (1 - l.discount)) AS revenue, c.acctbal, n.name
            FROM {s}.customer c JOIN {s}.orders o ON c.custkey = o.custkey JOIN {s}.lineitem l ON l.orderkey = o.orderkey
            JOIN {s}.nation n ON c.nationkey = n.nationkey
            WHERE o.orderdate >= DATE '1993-10-01' AND o.orderdate < DATE '1994-01-01' AND l.returnflag = 'R'
            GROUP BY c.custkey, c.name, c.acctbal, n.name""",
            // Q12
            """
            SELECT l.shipmode, sum(CASE WHEN o.orderpriority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END), sum(CASE WHEN o.orderpriority NOT IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END)
            FROM {s}.orders o JOIN {s}.lineitem l ON o.orderkey = l.orderkey
            WHERE l.shipmode IN ('MAIL', 'SHIP') AND l.commitdate < l.receiptdate AND l.shipdate < l.commitdate
              AND l.receiptdate >= DATE '1994-01-01' AND l.receiptdate < DATE '1995-01-01'
            GROUP BY l.shipmode""",
            // Q14
            """
            SELECT 100.00 * sum(CASE WHEN p.type LIKE 'PROMO%' THEN l.extendedprice * (1 - l.discount) ELSE 0 END) / sum(l.extendedprice * (1 - l.discount))
            FROM {s}.lineitem l JOIN {s}.part p ON l.partkey = p.partkey
            WHERE l.shipdate >= DATE '1995-09-01' AND l.shipdate < DATE '1995-10-01'""",
            // Q16
            """
            SELECT p.brand, p.type, p.size, count(DISTINCT ps.suppkey)
            FROM {s}.partsupp ps JOIN {s}.part p ON p.partkey = ps.partkey
            WHERE p.brand <> 'Brand#45' AND p.type NOT LIKE 'MEDIUM POLISHED%' AND p.size IN (49, 14, 23, 45, 19, 3, 36, 9)
            GROUP BY p.brand, p.type, p.size""",
            // predicates on partition columns (enforced) and on sorted keys (min/max pruning)
            "SELECT orderstatus, count(*), sum(totalprice) FROM {s}.orders WHERE orderdate >= DATE '1996-01-01' GROUP BY orderstatus",
            "SELECT count(*), sum(quantity) FROM {s}.lineitem WHERE returnflag = 'R' AND orderkey < 1000",
            // every row and every column
            "SELECT * FROM {s}.orders",
            "SELECT * FROM {s}.lineitem WHERE orderkey BETWEEN 30000 AND 31000");

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder().build();
    }

    @BeforeAll
    public void loadTiers()
    {
        for (String schema : List.of("hot", "cold", "mixed")) {
            assertUpdate("CREATE SCHEMA lakehouse." + schema);
            for (String table : TABLES) {
                assertUpdate(createTable(schema, table), 0);
                // three INSERTs per table, by key range, so segments have distinct min/max
                for (String range : keyRanges(table)) {
                    getQueryRunner().execute("INSERT INTO lakehouse.%s.%s SELECT * FROM tpch.tiny.%s WHERE %s".formatted(schema, table, table, range));
                    if (schema.equals("mixed") && range.equals(keyRanges(table).get(1))) {
                        tier(schema, table);
                    }
                }
                if (schema.equals("cold")) {
                    tier(schema, table);
                }
            }
        }
    }

    private static String createTable(String schema, String table)
    {
        String partitioning = switch (table) {
            case "orders" -> "WITH (partitioning = ARRAY['year(orderdate)']) ";
            case "lineitem" -> "WITH (partitioning = ARRAY['returnflag']) ";
            default -> "";
        };
        return "CREATE TABLE lakehouse.%s.%s %sAS SELECT * FROM tpch.tiny.%s WITH NO DATA".formatted(schema, table, partitioning, table);
    }

    private static List<String> keyRanges(String table)
    {
        record Split(String key, int first, int second) {}
        Split split = switch (table) {
            case "lineitem", "orders" -> new Split("orderkey", 20000, 40000);
            case "customer" -> new Split("custkey", 500, 1000);
            case "nation" -> new Split("nationkey", 8, 16);
            case "region" -> new Split("regionkey", 1, 3);
            case "supplier" -> new Split("suppkey", 33, 66);
            case "part", "partsupp" -> new Split("partkey", 700, 1400);
            default -> throw new IllegalArgumentException(table);
        };
        return List.of(
                "%s < %d".formatted(split.key(), split.first()),
                "%s >= %d AND %s < %d".formatted(split.key(), split.first(), split.key(), split.second()),
                "%s >= %d".formatted(split.key(), split.second()));
    }

    private void tier(String schema, String table)
    {
        assertUpdate("CALL lakehouse.system.tier_table('%s', '%s')".formatted(schema, table));
    }

    @Test
    public void testTierStates()
    {
        // hot: no Iceberg data file at all; cold: no active segment; mixed: both
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.hot.\"orders$files\"")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.hot.\"orders$segments\" WHERE state = 'ACTIVE'")).isEqualTo(computeScalar("SELECT count(*) FROM lakehouse.hot.\"orders$segments\""));
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.cold.\"orders$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.cold.\"orders$segments\" WHERE state = 'TIERED'")).isNotEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.mixed.\"orders$segments\" WHERE state = 'ACTIVE'")).isNotEqualTo(0L);
        assertThat(computeScalar("SELECT count(*) FROM lakehouse.mixed.\"orders$files\"")).isNotEqualTo(0L);
        for (String schema : List.of("hot", "cold", "mixed")) {
            for (String table : TABLES) {
                assertThat(computeScalar("SELECT count(*) FROM lakehouse.%s.%s".formatted(schema, table)))
                        .as("%s.%s", schema, table)
                        .isEqualTo(computeScalar("SELECT count(*) FROM tpch.tiny." + table));
            }
        }
    }

    @Test
    public void testTpchQueriesMatchInEveryTierState()
    {
        for (String schema : List.of("hot", "cold", "mixed")) {
            for (String query : QUERIES) {
                assertSameRows(query.replace("{s}", "lakehouse." + schema), query.replace("{s}", "tpch.tiny"));
            }
        }
    }

    @Test
    public void testTierSessionProperties()
    {
        long total = (long) computeScalar("SELECT count(*) FROM lakehouse.mixed.orders");
        long hot = (long) computeScalar(Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "read_cold_tier", "false").build(), "SELECT count(*) FROM lakehouse.mixed.orders");
        long cold = (long) computeScalar(Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "read_hot_tier", "false").build(), "SELECT count(*) FROM lakehouse.mixed.orders");
        assertThat(hot).isPositive();
        assertThat(cold).isPositive();
        assertThat(hot + cold).isEqualTo(total);
    }

    @Test
    public void testExplainAnalyzeShowsIcebergSplitGenerationMetrics()
    {
        // the cold tier's scan planning, as the stock connector reports it
        long dataFiles = (long) computeScalar("SELECT count(*) FROM lakehouse.mixed.\"orders$files\"");
        String plan = (String) computeScalar("EXPLAIN ANALYZE VERBOSE SELECT count(*) FROM lakehouse.mixed.orders WHERE totalprice > 0");
        assertThat(plan)
                .contains("splits generation metrics:")
                .contains("'dataFiles' = LongCount{total=%d}".formatted(dataFiles));
    }

    private void assertSameRows(String ours, String reference)
    {
        MaterializedResult actual = computeActual(ours);
        MaterializedResult expected = computeActual(reference);
        List<MaterializedRow> actualRows = sorted(actual.getMaterializedRows());
        List<MaterializedRow> expectedRows = sorted(expected.getMaterializedRows());
        assertThat(actualRows).as(ours).hasSameSizeAs(expectedRows);
        for (int row = 0; row < actualRows.size(); row++) {
            List<Object> actualFields = actualRows.get(row).getFields();
            List<Object> expectedFields = expectedRows.get(row).getFields();
            for (int field = 0; field < actualFields.size(); field++) {
                Object actualValue = actualFields.get(field);
                Object expectedValue = expectedFields.get(field);
                if (actualValue instanceof Double actualDouble && expectedValue instanceof Double expectedDouble) {
                    // summation order differs between plans: compare doubles with a relative tolerance
                    assertThat(actualDouble).as(ours).isCloseTo(expectedDouble, org.assertj.core.data.Offset.offset(Math.max(1e-6, Math.abs(expectedDouble) * 1e-9)));
                }
                else {
                    assertThat(actualValue).as(ours).isEqualTo(expectedValue);
                }
            }
        }
    }

    private static List<MaterializedRow> sorted(List<MaterializedRow> rows)
    {
        List<MaterializedRow> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(row -> row.getFields().stream().map(TestHybridTiers::sortKey).toList().toString()));
        return copy;
    }

    private static String sortKey(Object value)
    {
        if (value instanceof Double number) {
            // rounded so that last-bit differences do not reorder rows
            return new BigDecimal(number).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
        }
        return String.valueOf(value);
    }
}
