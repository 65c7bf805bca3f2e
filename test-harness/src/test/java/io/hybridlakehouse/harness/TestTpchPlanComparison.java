package io.hybridlakehouse.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.hybridlakehouse.harness.TpchPlanComparison.QUERIES;
import static io.hybridlakehouse.harness.TpchPlanComparison.descriptor;
import static io.hybridlakehouse.harness.TpchPlanComparison.firstDifference;
import static io.hybridlakehouse.harness.TpchPlanComparison.planShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

public class TestTpchPlanComparison
{
    // EXPLAIN (TYPE DISTRIBUTED) as Trino 476 prints it, shortened to a few nodes of each kind
    private static final String STOCK_PLAN = """
            Trino version: 476
            Fragment 0 [SINGLE]
                Output layout: [name, sum]
                Output partitioning: SINGLE []
                Output[columnNames = [name, revenue]]
                │   Layout: [name:varchar(25), sum:double]
                │   Estimates: {rows: 5 (105B), cpu: 0, memory: 0B, network: 0B}
                │   revenue := sum
                └─ RemoteMerge[sourceFragmentIds = [1]]
                       Layout: [name:varchar(25), sum:double]
            Fragment 1 [HASH]
                Output layout: [name, sum]
                Output partitioning: SINGLE []
                LocalMerge[orderBy = [sum DESC NULLS LAST]]
                │   Layout: [name:varchar(25), sum:double]
                │   Estimates: {rows: 5 (105B), cpu: ?, memory: ?, network: ?}
                └─ PartialSort[orderBy = [sum DESC NULLS LAST]]
                   │   Layout: [name:varchar(25), sum:double]
                   └─ Aggregate[type = FINAL, keys = [name], hash = [$hashvalue]]
                      │   Layout: [name:varchar(25), $hashvalue:bigint, sum:double]
                      │   Estimates: {rows: 5 (105B), cpu: 1.23k, memory: 105B, network: 0B}
                      │   sum := sum(sum_28)
                      └─ LocalExchange[partitioning = HASH, hashColumn = [$hashvalue], arguments = [name::varchar(25)]]
                         │   Layout: [name:varchar(25), sum_28:double, $hashvalue:bigint]
                         └─ RemoteSource[sourceFragmentIds = [2]]
                                Layout: [name:varchar(25), sum_28:double, $hashvalue_29:bigint]
            Fragment 2 [SOURCE]
                Output layout: [name, sum_28, $hashvalue_30]
                Output partitioning: HASH [name][$hashvalue_30]
                Aggregate[type = PARTIAL, keys = [name], hash = [$hashvalue_30]]
                │   Layout: [name:varchar(25), $hashvalue_30:bigint, sum_28:double]
                │   sum_28 := sum(expr)
                └─ Project[]
                   │   Layout: [name:varchar(25), expr:double]
                   │   expr := (extendedprice * (1E0 - discount))
                   └─ InnerJoin[criteria = (suppkey = suppkey_3) AND (nationkey_9 = nationkey), hash = [$hashvalue_31, $hashvalue_32], distribution = REPLICATED]
                      │   Layout: [extendedprice:double, discount:double, name:varchar(25)]
                      │   Estimates: {rows: 60175 (1.2MB), cpu: 3.5M, memory: 2.1kB, network: 2.1kB}
                      │   Distribution: REPLICATED
                      │   dynamicFilterAssignments = {suppkey_3 -> #df_512, nationkey -> #df_513}
                      ├─ ScanFilterProject[table = iceberg:tpch_tiny.lineitem$data@5176412387261083 constraint on [shipdate], filterPredicate = (shipdate >= DATE '1994-01-01'), dynamicFilters = {suppkey = #df_512}]
                      │      Layout: [suppkey:bigint, extendedprice:double, discount:double]
                      │      Estimates: {rows: 60175 (1.55MB), cpu: 1.55M, memory: 0B, network: 0B}/{rows: 9120 (240kB), cpu: 3.1M, memory: 0B, network: 0B}
                      │      suppkey := 3:suppkey:bigint
                      └─ LocalExchange[partitioning = SINGLE]
                         │   Layout: [suppkey_3:bigint, nationkey_9:bigint, name:varchar(25)]
                         └─ RemoteSource[sourceFragmentIds = [3]]
                                Layout: [suppkey_3:bigint, nationkey_9:bigint, name:varchar(25)]
            Fragment 3 [SOURCE]
                Output layout: [suppkey_3, nationkey_9, name]
                Output partitioning: BROADCAST []
                SemiJoin[criteria = nationkey_9 = nationkey_20, hash = [$hashvalue_40, $hashvalue_41]]
                │   Layout: [suppkey_3:bigint, nationkey_9:bigint, name:varchar(25)]
                │   Distribution: REPLICATED
                │   dynamicFilterId: df_900
                ├─ TableScan[table = iceberg:tpch_tiny.supplier$data@3127765240918203948]
                │      Layout: [suppkey_3:bigint, nationkey_9:bigint]
                │      nationkey_9 := 4:nationkey:bigint
                └─ LocalExchange[partitioning = SINGLE]
                   └─ RemoteSource[sourceFragmentIds = [4]]
                          Layout: [nationkey_20:bigint]
            """;

    @Test
    public void testPlanShape()
    {
        assertThat(planShape(STOCK_PLAN)).containsExactly(
                "Fragment 0 [SINGLE]",
                "  RemoteMerge[1]",
                "Fragment 1 [HASH]",
                // LocalMerge and PartialSort are left out: the aggregation is the fragment's first node kept
                "  Aggregate[FINAL]",
                "    RemoteSource[2]",
                "Fragment 2 [SOURCE]",
                "  Aggregate[PARTIAL]",
                "    InnerJoin[criteria = (suppkey = suppkey) AND (nationkey = nationkey), distribution = REPLICATED]",
                "      ScanFilterProject[lineitem]",
                "      RemoteSource[3]",
                "Fragment 3 [SOURCE]",
                "  SemiJoin[criteria = nationkey = nationkey, distribution = REPLICATED]",
                "    TableScan[supplier]",
                "    RemoteSource[4]");
    }

    @Test
    public void testSamePlanInAnotherCatalog()
    {
        // the plan of the same query on ours: other catalog, schema and snapshot, other symbol numbers, other estimates
        String ours = STOCK_PLAN
                .replace("iceberg:tpch_tiny.lineitem$data@5176412387261083", "lakehouse:tpch_tiny_hot.lineitem$data")
                .replace("iceberg:tpch_tiny.supplier$data@3127765240918203948", "lakehouse:tpch_tiny_hot.supplier$data@88")
                .replace("suppkey_3", "suppkey_7")
                .replace("nationkey_20", "nationkey_21")
                .replace("rows: 60175 (1.2MB)", "rows: 59000 (1.1MB)");
        assertThat(planShape(ours)).isEqualTo(planShape(STOCK_PLAN));
        assertThat(firstDifference(planShape(ours), planShape(STOCK_PLAN))).isEmpty();
    }

    @Test
    public void testDifferentPlans()
    {
        // the inner join's distribution, in its descriptor and in its details
        String partitioned = STOCK_PLAN
                .replace("distribution = REPLICATED]", "distribution = PARTITIONED]")
                .replaceFirst("Distribution: REPLICATED", "Distribution: PARTITIONED");
        assertThat(firstDifference(planShape(partitioned), planShape(STOCK_PLAN))).contains(
                "line 8: ours `InnerJoin[criteria = (suppkey = suppkey) AND (nationkey = nationkey), distribution = PARTITIONED]` at depth 2, " +
                        "stock `InnerJoin[criteria = (suppkey = suppkey) AND (nationkey = nationkey), distribution = REPLICATED]` at depth 2");

        // the build and probe sides swapped
        String swapped = STOCK_PLAN.replace("ScanFilterProject[table = iceberg:tpch_tiny.lineitem", "ScanFilterProject[table = iceberg:tpch_tiny.orders");
        assertThat(firstDifference(planShape(swapped), planShape(STOCK_PLAN))).contains("line 9: ours `ScanFilterProject[orders]` at depth 3, stock `ScanFilterProject[lineitem]` at depth 3");

        List<String> shorter = planShape(STOCK_PLAN).subList(0, 11);
        assertThat(firstDifference(shorter, planShape(STOCK_PLAN))).contains("line 12: ours ends, stock `SemiJoin[criteria = nationkey = nationkey, distribution = REPLICATED]` at depth 1");
    }

    @Test
    public void testDescriptorSplitsAtTopLevelOnly()
    {
        assertThat(descriptor("criteria = (a = b) AND (c = d), filter = (x IN (1, 2) AND y = 'p, q = r'), distribution = REPLICATED"))
                .containsExactly(
                        entry("criteria", "(a = b) AND (c = d)"),
                        entry("filter", "(x IN (1, 2) AND y = 'p, q = r')"),
                        entry("distribution", "REPLICATED"));
    }

    @Test
    public void testQueriesReadTheGivenSchema()
    {
        assertThat(QUERIES).extracting(TpchPlanComparison.Query::name).containsExactly("Q5", "Q7", "Q8", "Q9", "Q18");
        for (TpchPlanComparison.Query query : QUERIES) {
            assertThat(query.sql("lakehouse.tpch_tiny")).doesNotContain("${schema}").contains("lakehouse.tpch_tiny.lineitem AS l");
        }
    }

    @Test
    public void testResultsCompareDoublesWithinSummationError()
    {
        List<Benchmark.ResultRow> stock = List.of(new Benchmark.ResultRow("ALGERIA|1998|", List.of(2.7136900180949335E7)));
        // the same sum added up in another order
        assertThat(Benchmark.ResultRow.firstDifference(List.of(new Benchmark.ResultRow("ALGERIA|1998|", List.of(2.713690018094934E7))), stock)).isEmpty();
        assertThat(Benchmark.ResultRow.firstDifference(List.of(new Benchmark.ResultRow("ALGERIA|1998|", List.of(2.7136901E7))), stock)).isPresent();
        assertThat(Benchmark.ResultRow.firstDifference(List.of(new Benchmark.ResultRow("ALGERIA|1997|", List.of(2.7136900180949335E7))), stock)).isPresent();
        assertThat(Benchmark.ResultRow.firstDifference(List.of(), stock)).contains("0 rows, expected 1");
    }
}
