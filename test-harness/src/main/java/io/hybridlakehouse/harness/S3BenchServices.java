package io.hybridlakehouse.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the S3 benchmark's server stands on: PostgreSQL (metadata of both connectors) and the
 * S3 server (the data of both), on ports of their own so a running production layout is left alone.
 */
final class S3BenchServices
{
    private final Path home;
    private final ClusterSecrets secrets;
    private final PostgresServer postgres;
    private final S3Server s3;
    private final Duration requestLatency;
    private final LatencyProxy latency;

    /**
     * {@code requestLatency}: added before every S3 request reaches the server (see {@link LatencyProxy}); zero for none.
     */
    S3BenchServices(TrinoDistribution distribution, Path home, Duration requestLatency)
            throws IOException
    {
        this.home = requireNonNull(home, "home is null");
        this.requestLatency = requireNonNull(requestLatency, "requestLatency is null");
        this.secrets = ClusterSecrets.loadOrCreate(home.resolve("secrets.properties"));
        this.postgres = new PostgresServer(home.resolve("postgresql"), port("LAKEHOUSE_BENCH_POSTGRES_PORT", 15433), secrets.databaseSuperuserPassword());
        int s3Port = port("LAKEHOUSE_BENCH_S3_PORT", 19001);
        this.s3 = new S3Server(distribution.s3ProxyJar(), home.resolve("s3"), s3Port, secrets.s3AccessKey(), secrets.s3SecretKey());
        this.latency = requestLatency.isZero() ? null : new LatencyProxy(s3Port, requestLatency);
    }

    private static int port(String variable, int defaultPort)
    {
        return Optional.ofNullable(System.getenv(variable)).map(Integer::parseInt).orElse(defaultPort);
    }

    void start(LakehouseServer.ProgressListener progress)
            throws IOException, InterruptedException
    {
        progress.step("Starting PostgreSQL on port %d and the S3 server at %s under %s".formatted(postgres.port(), s3.endpoint(), home));
        postgres.start(List.of(LakehouseCluster.DATABASE));
        postgres.ensureRole(LakehouseCluster.DATABASE_ROLE, secrets.metastorePassword(), List.of(LakehouseCluster.DATABASE));
        s3.start(List.of(LakehouseCluster.BUCKET));
        if (latency != null) {
            progress.step("S3 requests of the server go through a proxy adding %d ms to each, as S3's time to first byte".formatted(requestLatency.toMillis()));
        }
    }

    String describe()
    {
        return requestLatency.isZero() ? "S3 server on loopback, no added latency" : "S3 server on loopback behind %d ms per request".formatted(requestLatency.toMillis());
    }

    void stop()
            throws IOException, InterruptedException
    {
        if (latency != null) {
            latency.close();
        }
        s3.stop();
        postgres.stop();
    }

    Map<String, String> catalogValues()
    {
        return Map.of(
                "warehouse.uri", "s3://%s/bench".formatted(LakehouseCluster.BUCKET),
                "stock.warehouse.uri", "s3://%s/bench-stock".formatted(LakehouseCluster.BUCKET),
                "metastore.url", postgres.jdbcUrl(LakehouseCluster.DATABASE),
                "s3.endpoint", latency == null ? s3.endpoint() : "http://127.0.0.1:" + latency.port());
    }

    Map<String, String> nodeEnvironment()
    {
        return secrets.nodeEnvironment();
    }
}
