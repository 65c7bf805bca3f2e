package io.hybridlakehouse.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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
        ServerConfiguration configuration = new ServerConfiguration(Files.createTempDirectory("lakehouse-bench"), port, "2G", repository.resolve("etc-catalog"), List.of("bench"));
        LakehouseServer server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        Path output = Files.createTempDirectory("bench-report");
        try {
            server.up(message -> System.out.println("[bench] " + message));
            List<Benchmark.Result> results = new Benchmark(server, new Benchmark.Options(true, Optional.empty(), List.of(20_000L), List.of(), output), message -> System.out.println("[bench] " + message)).run();
            assertThat(results).extracting(Benchmark.Result::workload).contains(
                    "append: INSERT latency", "append: INSERT to visible", "append: full scan after the stream",
                    "cold scan", "cold scan, cache on", "cold scan, selective filter", "mixed scan vs all-cold", "DWD aggregation", "cached vs uncached scan", "tiering: append stream", "tiering: bulk-loaded hot half",
                    "append: INSERT with 1 MV", "append: INSERT with 3 MVs", "MV build from existing rows", "MV read vs aggregation on base",
                    "MV rewrite: roll-up to region", "MV rewrite: weekly users by type", "MV rewrite: daily chart, time range", "MV rewrite: key filter");
            assertThat(results).allSatisfy(result -> {
                assertThat(result.ratio()).isFinite().isPositive();
                assertThat(result.oursMillis()).isNotEmpty();
            });
        }
        finally {
            server.down();
        }
        JsonNode json = new ObjectMapper().readTree(output.resolve("results.json").toFile());
        assertThat(json.size()).isEqualTo(19);
        assertThat(Files.readString(output.resolve("report.md"))).contains("| cold scan |").contains("ratio ours/reference");
        assertThat(output.resolve("latency-20000.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-cold-scan.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-tiering-throughput.png")).isNotEmptyFile();
    }
}
