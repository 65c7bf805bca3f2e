package io.hybridlakehouse.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code ./lakehouse bench --quick} from rotting: it runs against a real server and
 * produces its report. It checks the report, never a time.
 */
public class TestBenchmarkQuick
{
    @Test
    public void testQuickBenchmarkProducesReport()
            throws Exception
    {
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path home = Files.createTempDirectory("lakehouse-bench");
        ServerConfiguration configuration = new ServerConfiguration(home, port, "2G", repository.resolve("etc-catalog"), Lakehouse.BENCH_NODE_TEMPLATES, List.of("catalog", "bench"), Map.of(), Map.of());
        LakehouseServer server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        Path output = Files.createTempDirectory("bench-report");
        try {
            server.up(message -> System.out.println("[bench] " + message));
            List<String> progress = new CopyOnWriteArrayList<>();
            List<Benchmark.Result> results = new Benchmark(server, new Benchmark.Options(true, Optional.empty(), List.of(20_000L), List.of(), output), message -> {
                progress.add(message);
                System.out.println("[bench] " + message);
            }).run();
            // each catalog the small queries compare runs them unmeasured once in the run, before its first timed small query
            assertThat(progress).filteredOn(message -> message.startsWith("small queries: compiled ")).hasSize(2)
                    .anySatisfy(message -> assertThat(message).startsWith("small queries: compiled lakehouse_nocache, iceberg, iceberg_twin in "))
                    .anySatisfy(message -> assertThat(message).startsWith("small queries: compiled lakehouse in "));
            assertThat(firstIndex(progress, "small queries: compiled lakehouse_nocache")).isLessThan(firstIndex(progress, "small query, lakehouse_nocache against iceberg"));
            assertThat(firstIndex(progress, "small queries: compiled lakehouse in ")).isLessThan(firstIndex(progress, "small query, cache on, lakehouse against iceberg"));
            assertThat(results).extracting(Benchmark.Result::workload).contains(
                    "append: INSERT latency", "append: INSERT to visible", "append: full scan after the stream",
                    "cold scan", "cold scan, cache on", "cold scan, selective filter", "mixed scan vs all-cold", "DWD aggregation", "cached vs uncached scan", "tiering: append stream", "tiering: bulk-loaded hot half",
                    "append: INSERT with 1 MV", "append: INSERT with 3 MVs", "MV build from existing rows", "MV read vs aggregation on base",
                    "MV rewrite: roll-up to region", "MV rewrite: weekly users by type", "MV rewrite: daily chart, time range", "MV rewrite: key filter",
                    "small query: point lookup", "small query: aggregation", "small query: information_schema.columns",
                    "small query, cache on: point lookup", "small query, cache on: aggregation", "small query, cache on: information_schema.columns",
                    "A/A control: point lookup", "A/A control: aggregation", "A/A control: information_schema.columns", "A/A control: cold scan", "A/A control: cold scan, selective filter",
                    "schema browse: information_schema.columns of a schema", "A/A control: schema browse: information_schema.columns of a schema",
                    "concurrent: 4 INSERT streams + reader", "bytes on disk per row after tiering",
                    "TPC-H tiny Q5", "TPC-H tiny Q7", "TPC-H tiny Q8", "TPC-H tiny Q9", "TPC-H tiny Q18",
                    "TPC-H tiny Q5, hot tier", "TPC-H tiny Q7, hot tier", "TPC-H tiny Q8, hot tier", "TPC-H tiny Q9, hot tier", "TPC-H tiny Q18, hot tier");
            assertThat(results).allSatisfy(result -> {
                assertThat(result.ratio()).isFinite().isPositive();
                assertThat(result.oursMillis()).isNotEmpty();
                assertThat(result.verdict()).isIn("faster", "slower", "within noise", "-");
            });
            // the control runs before the comparisons it is the noise of, once a scale, on two catalogs of the stock connector
            assertThat(results).filteredOn(result -> result.workload().startsWith("A/A control: ")).hasSize(6).allSatisfy(result -> {
                assertThat(result.ours()).isEqualTo("iceberg_twin");
                assertThat(result.reference()).isEqualTo("iceberg");
            });
            assertThat(workloadIndex(results, "A/A control: point lookup")).isLessThan(workloadIndex(results, "small query: point lookup"));
            assertThat(workloadIndex(results, "A/A control: cold scan")).isLessThan(workloadIndex(results, "cold scan"));
            Benchmark.Result schemaColumns = results.get(workloadIndex(results, "schema browse: information_schema.columns of a schema"));
            assertThat(schemaColumns.note()).startsWith("100 tables, each with its columns").contains("server phases, mean ms ours / reference: queued ");
            assertThat(schemaColumns.ours()).isEqualTo("lakehouse_nocache");
            assertThat(results).filteredOn(result -> result.workload().startsWith("small query")).allSatisfy(result -> {
                assertThat(result.oursMillis()).hasSize(5);
                assertThat(result.referenceMillis()).hasSize(5);
                // where the server spent the time: every measured query found in system.runtime.queries, its time split into phases
                assertThat(result.note()).contains("server phases, mean ms ours / reference: queued ");
                assertThat(result.figures()).containsKeys("ours_analysis_ms", "reference_analysis_ms", "ours_planning_ms", "reference_planning_ms");
                assertThat(result.figures().get("ours_scheduling_to_last_row_ms")).isPositive();
                assertThat(result.figures().get("reference_scheduling_to_last_row_ms")).isPositive();
            });
            Benchmark.Result concurrent = results.stream().filter(result -> result.workload().equals("concurrent: 4 INSERT streams + reader")).findFirst().orElseThrow();
            // 4 writers of 5 INSERTs each on both sides
            assertThat(concurrent.oursMillis()).hasSize(20);
            assertThat(concurrent.referenceMillis()).hasSize(20);
            assertThat(concurrent.figures()).containsKeys("ours_rows_per_second", "reference_rows_per_second", "ours_insert_p99_ms", "reference_reader_p50_ms", "ours_failed_inserts", "reference_failed_inserts");
            // whether a plan is stock's is a fact to report, not to assert: the note says it either way
            assertThat(results).filteredOn(result -> result.workload().startsWith("TPC-H ")).hasSize(10).allSatisfy(result -> {
                // the rows of tpch.tiny.lineitem
                assertThat(result.scale()).isEqualTo(60_175);
                assertThat(result.reference()).isEqualTo("iceberg");
                assertThat(result.oursMillis()).hasSize(2);
                assertThat(result.referenceMillis()).hasSize(2);
                assertThat(result.note()).matches("same plan: (yes|no \\(first difference at line \\d+: .*\\)); .*NDV on \\d+/61 columns ours, \\d+/61 hot tier, \\d+/61 stock");
                assertThat(result.figures()).containsKeys("same_plan", "ours_columns_with_ndv", "hot_tier_columns_with_ndv", "reference_columns_with_ndv");
            });
            assertThat(results).filteredOn(result -> result.workload().startsWith("TPC-H ") && !result.workload().endsWith(", hot tier"))
                    .allSatisfy(result -> {
                        assertThat(result.note()).contains("; hot tier same plan: ");
                        assertThat(result.figures()).containsKey("hot_tier_same_plan");
                    });
            Benchmark.Result bytesOnDisk = results.stream().filter(result -> result.workload().equals("bytes on disk per row after tiering")).findFirst().orElseThrow();
            assertThat(bytesOnDisk.figures().get("ours_bytes_per_row")).isPositive();
            assertThat(bytesOnDisk.figures().get("reference_bytes_per_row")).isPositive();
        }
        finally {
            server.down();
            MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        JsonNode json = new ObjectMapper().readTree(output.resolve("results.json").toFile());
        assertThat(json.size()).isEqualTo(44);
        assertThat(json.get(0).has("oursIqr")).isTrue();
        assertThat(json.get(0).has("verdict")).isTrue();
        assertThat(Files.readString(output.resolve("report.md"))).contains("| cold scan |").contains("ratio ours/reference").contains("spread (IQR) ours / ref").contains("| verdict |")
                .contains("| small query: point lookup |").contains("| small query, cache on: point lookup |").contains("| concurrent: 4 INSERT streams + reader |").contains("| bytes on disk per row after tiering |").contains("| schema browse: information_schema.columns of a schema | 20,000 |")
                .contains("| TPC-H tiny Q5 | 60,175 |").contains("| TPC-H tiny Q18, hot tier | 60,175 |");
        assertThat(output.resolve("latency-20000.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-cold-scan.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-tiering-throughput.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-concurrent-throughput.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-bytes-on-disk-per-row-after-tiering.png")).isNotEmptyFile();
        assertThat(output.resolve("latency-tpch.png")).isNotEmptyFile();
        assertThat(Files.readString(output.resolve("tpch-tiny-plans.txt"))).contains("Q5").contains("Q18").contains("Fragment 0 [SINGLE]");
    }

    private static int workloadIndex(List<Benchmark.Result> results, String workload)
    {
        List<String> workloads = results.stream().map(Benchmark.Result::workload).toList();
        assertThat(workloads).contains(workload);
        return workloads.indexOf(workload);
    }

    private static int firstIndex(List<String> messages, String part)
    {
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).contains(part)) {
                return i;
            }
        }
        throw new AssertionError("No progress message contains: " + part);
    }
}
