package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;

/**
 * Entry point of the {@code ./lakehouse} script: {@code up}, {@code down}, {@code status},
 * {@code cli}. The repository root and the staged distribution come from system properties
 * the script sets; the server home defaults to {@code .lakehouse/} in the repository.
 */
public final class Lakehouse
{
    // none by default: the loopback S3 server as it is; --s3-latency-ms adds S3-like request latency
    private static final long DEFAULT_S3_LATENCY_MILLIS = 0;
    // single-node/ with the shorter query history the benchmark's tens of thousands of queries need
    static final List<String> BENCH_NODE_TEMPLATES = List.of("single-node", "bench-node");

    private Lakehouse() {}

    public static void main(String[] args)
            throws Exception
    {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        Path repository = Path.of(System.getProperty("lakehouse.repository.root", ".")).toAbsolutePath().normalize();
        ServerConfiguration configuration = new ServerConfiguration(
                Optional.ofNullable(System.getenv("LAKEHOUSE_HOME")).map(Path::of).orElse(repository.resolve(".lakehouse")),
                Optional.ofNullable(System.getenv("LAKEHOUSE_PORT")).map(Integer::parseInt).orElse(ServerConfiguration.DEFAULT_PORT),
                Optional.ofNullable(System.getenv("LAKEHOUSE_HEAP")).orElse(ServerConfiguration.DEFAULT_HEAP),
                repository.resolve("etc-catalog"));
        LakehouseServer server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        List<String> rest = Arrays.asList(args).subList(1, args.length);

        switch (args[0]) {
            case "up" -> up(server);
            case "down" -> System.out.println(server.down() ? "Trino server stopped" : "No Trino server running under " + configuration.home());
            case "status" -> {
                Optional<ProcessHandle> process = server.runningProcess();
                System.out.println(process.map(handle -> "Running (pid %d) at %s, logs in %s".formatted(handle.pid(), configuration.url(), configuration.logDirectory()))
                        .orElse("Not running"));
                System.exit(process.isPresent() ? 0 : 1);
            }
            case "bench" -> bench(repository, rest);
            case "cluster" -> cluster(repository, rest);
            case "soak" -> soak(repository, rest);
            case "cli" -> {
                if (server.runningProcess().isEmpty()) {
                    System.err.println("No Trino server running: start one with ./lakehouse up");
                    System.exit(1);
                }
                System.exit(server.cli().interactive(rest));
            }
            default -> {
                usage();
                System.exit(2);
            }
        }
    }

    private static void up(LakehouseServer server)
            throws Exception
    {
        long start = System.nanoTime();
        ServerConfiguration configuration = server.configuration();
        try {
            server.up(message -> System.out.printf("[%5.1fs] %s%n", (System.nanoTime() - start) / 1e9, message));
        }
        catch (Exception e) {
            exitWithFailure("./lakehouse up", e, configuration);
        }
        System.out.printf("""

                Trino 476 with the hybrid_lakehouse plugin is up at %s (%s).
                  Open the CLI:  ./lakehouse cli
                  Try:           SELECT region, count(*) FROM lakehouse.demo.ods_events GROUP BY region;
                  Server log:    %s
                  Stop it:       ./lakehouse down
                %n""", configuration.url(), Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s", configuration.serverLog());
    }

    /**
     * {@code ./lakehouse cluster up | down | status | cli}: the production layout (PostgreSQL,
     * the S3 server, a coordinator and two workers) under {@code .lakehouse-cluster/}.
     */
    private static void cluster(Path repository, List<String> arguments)
            throws Exception
    {
        int port = Optional.ofNullable(System.getenv("LAKEHOUSE_CLUSTER_PORT")).map(Integer::parseInt).orElse(8180);
        LakehouseCluster cluster = new LakehouseCluster(
                TrinoDistribution.fromSystemProperty(),
                IcebergJava.fromSystemProperty(),
                Optional.ofNullable(System.getenv("LAKEHOUSE_CLUSTER_HOME")).map(Path::of).orElse(repository.resolve(".lakehouse-cluster")),
                repository.resolve("etc-catalog"),
                Optional.ofNullable(System.getenv("LAKEHOUSE_HEAP")).orElse("2G"),
                new LakehouseCluster.Ports(
                        port,
                        List.of(port + 1, port + 2),
                        Optional.ofNullable(System.getenv("LAKEHOUSE_POSTGRES_PORT")).map(Integer::parseInt).orElse(15432),
                        Optional.ofNullable(System.getenv("LAKEHOUSE_S3_PORT")).map(Integer::parseInt).orElse(19000),
                        Optional.ofNullable(System.getenv("LAKEHOUSE_REST_CATALOG_PORT")).map(Integer::parseInt).orElse(18181)));
        ServerConfiguration coordinator = cluster.coordinator().configuration();
        switch (arguments.isEmpty() ? "" : arguments.getFirst()) {
            case "up" -> {
                long start = System.nanoTime();
                LakehouseServer.ProgressListener progress = message -> System.out.printf("[%5.1fs] %s%n", (System.nanoTime() - start) / 1e9, message);
                try {
                    cluster.up(progress);
                    try (Connection connection = cluster.connect()) {
                        new DemoData(progress).loadIfAbsent(connection);
                    }
                }
                catch (Exception e) {
                    exitWithFailure("./lakehouse cluster up", e, coordinator);
                }
                System.out.printf("""

                        The production layout is up: Trino 476 coordinator at %s with %d workers,
                        metadata in PostgreSQL (port %d), table data in S3 (%s, bucket %s),
                        the cold tier's Iceberg tables in the REST catalog at %s.
                          Open the CLI:  ./lakehouse cluster cli
                          Nodes:         SELECT * FROM system.runtime.nodes;
                          Credentials:   %s (the nodes get them as environment variables)
                          Logs:          %s/*/server/var/log/server.log
                          Stop it:       ./lakehouse cluster down
                        %n""", coordinator.url(), cluster.workers().size(), cluster.postgres().port(), cluster.s3().endpoint(), LakehouseCluster.BUCKET, cluster.restCatalog().uri(),
                        cluster.home().resolve("secrets.properties"), cluster.home());
            }
            case "down" -> System.out.println(cluster.down() ? "Cluster stopped" : "No cluster running under " + cluster.home());
            case "status" -> {
                boolean allRunning = true;
                for (LakehouseServer node : cluster.nodes()) {
                    Optional<ProcessHandle> process = node.runningProcess();
                    allRunning &= process.isPresent();
                    System.out.printf("%-12s %s%n", node.configuration().home().getFileName(),
                            process.map(handle -> "running (pid %d) at %s".formatted(handle.pid(), node.configuration().url())).orElse("not running"));
                }
                System.out.printf("%-12s %s%n", "postgresql", cluster.postgres().isRunning() ? "running on port " + cluster.postgres().port() : "not running");
                System.out.printf("%-12s %s%n", "s3", cluster.s3().runningProcess().isPresent() ? "running at " + cluster.s3().endpoint() : "not running");
                System.out.printf("%-12s %s%n", "rest-catalog", cluster.restCatalog().runningProcess().isPresent() ? "running at " + cluster.restCatalog().uri() : "not running");
                System.exit(allRunning ? 0 : 1);
            }
            case "cli" -> {
                if (cluster.coordinator().runningProcess().isEmpty()) {
                    System.err.println("No cluster running: start it with ./lakehouse cluster up");
                    System.exit(1);
                }
                System.exit(cluster.coordinator().cli().interactive(arguments.subList(1, arguments.size())));
            }
            default -> {
                System.err.println("usage: ./lakehouse cluster up | down | status | cli [trino-cli options]");
                System.exit(2);
            }
        }
    }

    /**
     * {@code ./lakehouse bench [--quick] [--s3 [--s3-latency-ms N]] [--scale N[,M...]] [--rewrite-scale N[,M...]]}: its own server (port 8090 or
     * LAKEHOUSE_BENCH_PORT) with the stock Iceberg, memory and uncached catalogs added,
     * stopped when the run ends; the report goes to test-harness/target/bench/. With {@code --s3}
     * the warehouses of both connectors are on the loopback S3 server and the metadata in
     * PostgreSQL; the report goes to test-harness/target/bench-s3/.
     */
    private static void bench(Path repository, List<String> arguments)
            throws Exception
    {
        boolean quick = arguments.contains("--quick");
        int scaleIndex = arguments.indexOf("--scale");
        List<Long> scales = scaleIndex >= 0 && scaleIndex + 1 < arguments.size()
                ? Benchmark.parseScales(arguments.get(scaleIndex + 1))
                : quick ? List.of(50_000L) : List.of(1_000_000L, 5_000_000L);
        int rewriteScaleIndex = arguments.indexOf("--rewrite-scale");
        List<Long> rewriteScales = rewriteScaleIndex >= 0 && rewriteScaleIndex + 1 < arguments.size()
                ? Benchmark.parseScales(arguments.get(rewriteScaleIndex + 1))
                : quick || scaleIndex >= 0 ? List.of() : List.of(20_000_000L, 100_000_000L);
        boolean s3 = arguments.contains("--s3");
        int port = Optional.ofNullable(System.getenv("LAKEHOUSE_BENCH_PORT")).map(Integer::parseInt).orElse(8090);
        String heap = Optional.ofNullable(System.getenv("LAKEHOUSE_HEAP")).orElse(ServerConfiguration.DEFAULT_HEAP);
        Path home = repository.resolve(s3 ? ".lakehouse-bench-s3" : ".lakehouse-bench");
        long start = System.nanoTime();
        LakehouseServer.ProgressListener progress = message -> System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, message);
        int latencyIndex = arguments.indexOf("--s3-latency-ms");
        Duration s3Latency = Duration.ofMillis(latencyIndex >= 0 && latencyIndex + 1 < arguments.size() ? Long.parseLong(arguments.get(latencyIndex + 1)) : DEFAULT_S3_LATENCY_MILLIS);
        S3BenchServices services = s3 ? new S3BenchServices(TrinoDistribution.fromSystemProperty(), home, s3Latency) : null;
        ServerConfiguration configuration = s3
                ? new ServerConfiguration(home, port, heap, repository.resolve("etc-catalog"), BENCH_NODE_TEMPLATES, List.of("bench-s3"), services.catalogValues(), services.nodeEnvironment())
                : new ServerConfiguration(home, port, heap, repository.resolve("etc-catalog"), BENCH_NODE_TEMPLATES, List.of("catalog", "bench"), Map.of(), Map.of());
        LakehouseServer server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        try {
            if (services != null) {
                services.start(progress);
            }
            server.up(progress);
            Path output = repository.resolve(s3 ? "test-harness/target/bench-s3" : "test-harness/target/bench");
            new Benchmark(server, new Benchmark.Options(quick, s3 ? Optional.of(services.describe()) : Optional.empty(), scales, s3 ? List.of() : rewriteScales, output), progress).run();
        }
        catch (Exception e) {
            server.down();
            if (services != null) {
                services.stop();
            }
            exitWithFailure("./lakehouse bench", e, configuration);
        }
        server.down();
        if (services != null) {
            services.stop();
        }
    }

    /**
     * {@code ./lakehouse soak [--minutes N] [--metastore sqlite|postgres|both]}: for each metadata
     * database (both by default, SQLite first) a server of its own under
     * test-harness/target/soak-servers/&lt;metastore&gt;/ (port 8095 or LAKEHOUSE_SOAK_PORT; PostgreSQL on
     * 15434 or LAKEHOUSE_SOAK_POSTGRES_PORT), {@link SoakWorkload} for N minutes (3 by default), the
     * report in test-harness/target/soak/. Exits 1 unless every run was exact and nothing failed hard.
     */
    private static void soak(Path repository, List<String> arguments)
            throws Exception
    {
        Duration duration = Duration.ofMillis(Math.round(Double.parseDouble(option(arguments, "--minutes").orElse("3")) * 60_000));
        String metastoreOption = option(arguments, "--metastore").orElse("both");
        List<SoakServer.Metastore> metastores = metastoreOption.equals("both")
                ? List.of(SoakServer.Metastore.SQLITE, SoakServer.Metastore.POSTGRES)
                : List.of(SoakServer.Metastore.fromLabel(metastoreOption));
        int port = Optional.ofNullable(System.getenv("LAKEHOUSE_SOAK_PORT")).map(Integer::parseInt).orElse(8095);
        int postgresPort = Optional.ofNullable(System.getenv("LAKEHOUSE_SOAK_POSTGRES_PORT")).map(Integer::parseInt).orElse(15434);
        String heap = Optional.ofNullable(System.getenv("LAKEHOUSE_HEAP")).orElse(ServerConfiguration.DEFAULT_HEAP);
        Path output = repository.resolve("test-harness/target/soak");
        long start = System.nanoTime();
        LakehouseServer.ProgressListener progress = message -> System.out.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, message);
        List<SoakWorkload.Outcome> outcomes = new ArrayList<>();
        for (SoakServer.Metastore metastore : metastores) {
            // scratch, emptied by every run: it lives with the build output
            Path home = repository.resolve("test-harness/target/soak-servers").resolve(metastore.label());
            try {
                // the tables and metadata of an earlier soak are not worth keeping: each run starts empty
                SoakServer.removeLeftovers(TrinoDistribution.fromSystemProperty(), home);
                try (SoakServer server = SoakServer.start(metastore, TrinoDistribution.fromSystemProperty(), repository.resolve("etc-catalog"), home, port, postgresPort, heap, progress)) {
                    // Ctrl-C stops the server too: it runs in its own session and would outlive the launcher
                    Thread stopOnExit = new Thread(() -> {
                        try {
                            server.close();
                        }
                        catch (Exception ignored) {
                            // exiting anyway
                        }
                    });
                    Runtime.getRuntime().addShutdownHook(stopOnExit);
                    outcomes.add(new SoakWorkload(server.server(), new SoakWorkload.Options(metastore.label(), duration), progress).run());
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                }
            }
            catch (Exception e) {
                SoakReport.write(outcomes, output);
                exitWithFailure("./lakehouse soak", e, new ServerConfiguration(home, port, heap, repository.resolve("etc-catalog")));
            }
            SoakReport.write(outcomes, output);
            progress.step(SoakWorkload.describe(outcomes.getLast()));
        }
        System.out.println();
        for (SoakWorkload.Outcome outcome : outcomes) {
            System.out.printf("%s: %s%n", outcome.label(), outcome.verdict());
        }
        System.out.printf("Report: %s, %s%n", output.resolve("report.md"), output.resolve("results.json"));
        System.exit(outcomes.stream().allMatch(SoakWorkload.Outcome::passed) ? 0 : 1);
    }

    private static Optional<String> option(List<String> arguments, String name)
    {
        int index = arguments.indexOf(name);
        return index >= 0 && index + 1 < arguments.size() ? Optional.of(arguments.get(index + 1)) : Optional.empty();
    }

    /**
     * One line saying what failed, one saying what to do, the log paths; the stack trace goes
     * to a log file, not the terminal.
     */
    private static void exitWithFailure(String command, Exception failure, ServerConfiguration configuration)
            throws IOException
    {
        Path errorLog = configuration.home().resolve("lakehouse-errors.log");
        Files.createDirectories(configuration.home());
        try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(errorLog, UTF_8, CREATE, APPEND))) {
            writer.printf("%s %s failed%n", Instant.now(), command);
            failure.printStackTrace(writer);
            if (failure instanceof LakehouseServer.ServerException serverFailure) {
                writer.println(serverFailure.logTail());
            }
        }
        System.err.printf("%s failed: %s%n", command, ServerReadiness.firstLine(failure.getMessage()));
        System.err.printf("What to do: read the logs below; then ./lakehouse down and run %s again (LAKEHOUSE_PORT picks another port if %d is taken)%n",
                command, configuration.httpPort());
        System.err.printf("Logs: %s, %s, %s%n", configuration.serverLog(), configuration.launcherLog(), errorLog);
        System.exit(1);
    }

    private static void usage()
    {
        System.err.println("usage: ./lakehouse up | down | status | cli [trino-cli options] | cluster up|down|status|cli | test | bench [--quick] [--s3 [--s3-latency-ms N]] [--scale N[,M...]] [--rewrite-scale N[,M...]] | soak [--minutes N] [--metastore sqlite|postgres|both]");
    }
}
