package io.hybridlakehouse.harness;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The single-node server a soak runs on, with the catalog's metadata in the embedded SQLite
 * file (the default catalog) or in PostgreSQL (catalog {@code soak-postgres/}, PostgreSQL
 * started under {@code home}). Unlike {@code ./lakehouse up} it loads no demo data: the soak
 * creates its own tables, and the start-up is time the run would otherwise wait.
 */
public final class SoakServer
        implements AutoCloseable
{
    public enum Metastore
    {
        SQLITE,
        POSTGRES;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Metastore fromLabel(String label)
        {
            for (Metastore metastore : values()) {
                if (metastore.label().equals(label)) {
                    return metastore;
                }
            }
            throw new IllegalArgumentException("Unknown metastore '%s': sqlite or postgres".formatted(label));
        }
    }

    private final Metastore metastore;
    private final LakehouseServer server;
    private final PostgresServer postgres;

    private SoakServer(Metastore metastore, LakehouseServer server, PostgresServer postgres)
    {
        this.metastore = requireNonNull(metastore, "metastore is null");
        this.server = requireNonNull(server, "server is null");
        this.postgres = postgres;
    }

    /**
     * Starts PostgreSQL when the metastore is PostgreSQL, then the server, and waits until the
     * server writes and reads through catalog {@code lakehouse}. PostgreSQL runs as its own
     * user when this runs as root: every directory above {@code home} must be searchable by others.
     */
    public static SoakServer start(Metastore metastore, ServerDistribution distribution, Path etcCatalog, Path home, int httpPort, int postgresPort, String heapSize, LakehouseServer.ProgressListener progress)
            throws IOException, InterruptedException
    {
        ServerConfiguration configuration;
        PostgresServer postgres = null;
        if (metastore == Metastore.POSTGRES) {
            ClusterSecrets secrets = ClusterSecrets.loadOrCreate(home.resolve("secrets.properties"));
            postgres = new PostgresServer(home.resolve("postgresql"), postgresPort, secrets.databaseSuperuserPassword());
            progress.step("Starting PostgreSQL on port %d (data in %s)".formatted(postgresPort, home.resolve("postgresql")));
            postgres.start(List.of(LakehouseCluster.DATABASE));
            postgres.ensureRole(LakehouseCluster.DATABASE_ROLE, secrets.metastorePassword(), List.of(LakehouseCluster.DATABASE));
            configuration = new ServerConfiguration(home, httpPort, heapSize, etcCatalog, List.of("single-node"), List.of("soak-postgres"),
                    Map.of("metastore.url", postgres.jdbcUrl(LakehouseCluster.DATABASE)), secrets.nodeEnvironment());
        }
        else {
            configuration = new ServerConfiguration(home, httpPort, heapSize, etcCatalog);
        }
        LakehouseServer server = new LakehouseServer(distribution, configuration);
        SoakServer soakServer = new SoakServer(metastore, server, postgres);
        try {
            ProcessHandle process = server.layOutAndStart(progress);
            if (!new ServerReadiness(server, process, 1).await(progress)) {
                throw new LakehouseServer.ServerException("Trino server exited during startup", configuration, server.logTail());
            }
        }
        catch (IOException | InterruptedException | RuntimeException e) {
            soakServer.close();
            throw e;
        }
        return soakServer;
    }

    /**
     * Stops what an interrupted earlier soak left running under {@code home} (its server,
     * its PostgreSQL) and deletes the directory.
     */
    public static void removeLeftovers(ServerDistribution distribution, Path home)
            throws IOException, InterruptedException
    {
        if (!Files.exists(home)) {
            return;
        }
        // the pid file is all down() needs of the configuration
        new LakehouseServer(distribution, new ServerConfiguration(home, 0, ServerConfiguration.DEFAULT_HEAP, home)).down();
        if (Files.exists(home.resolve("postgresql/data/PG_VERSION"))) {
            // stopping needs no password: pg_ctl signals the server through its data directory
            new PostgresServer(home.resolve("postgresql"), 0, "").stop();
        }
        MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
    }

    public Metastore metastore()
    {
        return metastore;
    }

    public LakehouseServer server()
    {
        return server;
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        try {
            server.down();
        }
        finally {
            if (postgres != null) {
                postgres.stop();
            }
        }
    }
}
