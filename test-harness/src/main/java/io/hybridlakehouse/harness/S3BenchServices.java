package io.hybridlakehouse.harness;

import java.io.IOException;
import java.nio.file.Path;
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

    S3BenchServices(TrinoDistribution distribution, Path home)
            throws IOException
    {
        this.home = requireNonNull(home, "home is null");
        this.secrets = ClusterSecrets.loadOrCreate(home.resolve("secrets.properties"));
        this.postgres = new PostgresServer(home.resolve("postgresql"), port("LAKEHOUSE_BENCH_POSTGRES_PORT", 15433), secrets.databaseSuperuserPassword());
        this.s3 = new S3Server(distribution.s3ProxyJar(), home.resolve("s3"), port("LAKEHOUSE_BENCH_S3_PORT", 19001), secrets.s3AccessKey(), secrets.s3SecretKey());
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
    }

    void stop()
            throws IOException, InterruptedException
    {
        s3.stop();
        postgres.stop();
    }

    Map<String, String> catalogValues()
    {
        return Map.of(
                "warehouse.uri", "s3://%s/bench".formatted(LakehouseCluster.BUCKET),
                "stock.warehouse.uri", "s3://%s/bench-stock".formatted(LakehouseCluster.BUCKET),
                "metastore.url", postgres.jdbcUrl(LakehouseCluster.DATABASE),
                "s3.endpoint", s3.endpoint());
    }

    Map<String, String> nodeEnvironment()
    {
        return secrets.nodeEnvironment();
    }
}
