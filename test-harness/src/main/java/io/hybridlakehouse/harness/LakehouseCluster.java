package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * The production layout on one machine: PostgreSQL for all metadata, an S3-compatible server
 * for all table data, an Iceberg REST catalog service for the cold tier, and a Trino cluster of one coordinator and {@code workers} workers, each
 * its own process with its own port, data directory and cache, all on loopback. Every node
 * loads the catalogs of {@code etc-catalog/production/} ({@code lakehouse} on the REST catalog,
 * {@code lakehouse_jdbc} on the Iceberg JDBC catalog in PostgreSQL); the credentials reach the nodes
 * only through their environment.
 */
public final class LakehouseCluster
{
    public static final String BUCKET = "lakehouse";
    public static final String DATABASE = "lakehouse";
    public static final String JDBC_CATALOG_DATABASE = "lakehouse_jdbc";
    public static final String REST_CATALOG_DATABASE = "iceberg_rest";
    public static final String DATABASE_ROLE = "lakehouse";
    public static final String REST_WAREHOUSE = "s3://%s/warehouse/iceberg".formatted(BUCKET);
    private static final List<String> DATABASES = List.of(DATABASE, JDBC_CATALOG_DATABASE, REST_CATALOG_DATABASE);

    private final Path home;
    private final ClusterSecrets secrets;
    private final PostgresServer postgres;
    private final S3Server s3;
    private final RestCatalogServer restCatalog;
    private final LakehouseServer coordinator;
    private final List<LakehouseServer> workers;

    /**
     * {@code ports}: the coordinator's HTTP port, one per worker, PostgreSQL's, the S3 server's and the REST catalog's.
     */
    public LakehouseCluster(TrinoDistribution distribution, IcebergJava iceberg, Path home, Path etcCatalog, String heapSize, Ports ports)
            throws IOException
    {
        requireNonNull(distribution, "distribution is null");
        requireNonNull(iceberg, "iceberg is null");
        this.home = requireNonNull(home, "home is null").toAbsolutePath().normalize();
        requireNonNull(ports, "ports is null");
        this.secrets = ClusterSecrets.loadOrCreate(this.home.resolve("secrets.properties"));
        this.postgres = new PostgresServer(this.home.resolve("postgresql"), ports.postgres(), secrets.databaseSuperuserPassword());
        this.s3 = new S3Server(distribution.s3ProxyJar(), this.home.resolve("s3"), ports.s3(), secrets.s3AccessKey(), secrets.s3SecretKey());

        this.restCatalog = new RestCatalogServer(iceberg, this.home.resolve("rest-catalog"), ports.restCatalog(), postgres.jdbcUrl(REST_CATALOG_DATABASE),
                DATABASE_ROLE, secrets.metastorePassword(), REST_WAREHOUSE, s3.endpoint(), secrets.s3AccessKey(), secrets.s3SecretKey());

        Map<String, String> catalogValues = ImmutableMap.<String, String>builder()
                .put("warehouse.uri", "s3://%s/warehouse".formatted(BUCKET))
                .put("metastore.url", postgres.jdbcUrl(DATABASE))
                .put("rest.catalog.uri", restCatalog.uri())
                .put("jdbc.warehouse.uri", "s3://%s/warehouse-jdbc".formatted(BUCKET))
                .put("jdbc.metastore.url", postgres.jdbcUrl(JDBC_CATALOG_DATABASE))
                .put("s3.endpoint", s3.endpoint())
                .put("discovery.uri", "http://127.0.0.1:" + ports.coordinator())
                .buildOrThrow();
        this.coordinator = new LakehouseServer(distribution, node(etcCatalog, heapSize, "coordinator", ports.coordinator(), "cluster/coordinator", catalogValues));
        ImmutableList.Builder<LakehouseServer> workers = ImmutableList.builder();
        for (int i = 0; i < ports.workers().size(); i++) {
            workers.add(new LakehouseServer(distribution, node(etcCatalog, heapSize, "worker-" + (i + 1), ports.workers().get(i), "cluster/worker", catalogValues)));
        }
        this.workers = workers.build();
    }

    private ServerConfiguration node(Path etcCatalog, String heapSize, String nodeId, int port, String template, Map<String, String> catalogValues)
    {
        return new ServerConfiguration(
                home.resolve(nodeId),
                port,
                heapSize,
                etcCatalog,
                List.of("single-node", template),
                List.of("catalog", "production"),
                ImmutableMap.<String, String>builder().putAll(catalogValues).put("node.id", nodeId).buildOrThrow(),
                secrets.nodeEnvironment());
    }

    public record Ports(int coordinator, List<Integer> workers, int postgres, int s3, int restCatalog)
    {
        public Ports
        {
            workers = ImmutableList.copyOf(workers);
            checkArgument(!workers.isEmpty(), "a cluster needs at least one worker");
        }
    }

    public Path home()
    {
        return home;
    }

    public ClusterSecrets secrets()
    {
        return secrets;
    }

    public PostgresServer postgres()
    {
        return postgres;
    }

    public S3Server s3()
    {
        return s3;
    }

    public RestCatalogServer restCatalog()
    {
        return restCatalog;
    }

    public LakehouseServer coordinator()
    {
        return coordinator;
    }

    public List<LakehouseServer> workers()
    {
        return workers;
    }

    public List<LakehouseServer> nodes()
    {
        return ImmutableList.<LakehouseServer>builder().add(coordinator).addAll(workers).build();
    }

    /**
     * Starts what is not running (PostgreSQL, the S3 server, then all Trino nodes at once) and
     * waits until the coordinator sees every node active and the catalog writes and reads.
     */
    public void up(LakehouseServer.ProgressListener progress)
            throws IOException, InterruptedException, SQLException
    {
        progress.step("Starting PostgreSQL on port %d (data in %s)".formatted(postgres.port(), home.resolve("postgresql")));
        postgres.start(DATABASES);
        postgres.ensureRole(DATABASE_ROLE, secrets.metastorePassword(), DATABASES);
        progress.step("Starting the S3 server at %s (bucket %s)".formatted(s3.endpoint(), BUCKET));
        s3.start(List.of(BUCKET));
        progress.step("Starting the Iceberg REST catalog at %s (tables in PostgreSQL, files in %s)".formatted(restCatalog.uri(), REST_WAREHOUSE));
        restCatalog.start();
        startNodes(progress);
    }

    /**
     * Starts the Trino nodes that are not running and waits for the whole cluster.
     */
    public void startNodes(LakehouseServer.ProgressListener progress)
            throws IOException, InterruptedException
    {
        ProcessHandle coordinatorProcess = null;
        List<LakehouseServer> started = new ArrayList<>();
        for (LakehouseServer node : nodes()) {
            Optional<ProcessHandle> running = node.runningProcess();
            if (running.isPresent()) {
                if (node == coordinator) {
                    coordinatorProcess = running.get();
                }
                continue;
            }
            ProcessHandle process = node.layOutAndStart(message -> progress.step("[%s] %s".formatted(node.configuration().home().getFileName(), message)));
            started.add(node);
            if (node == coordinator) {
                coordinatorProcess = process;
            }
        }
        if (!new ServerReadiness(coordinator, coordinatorProcess, nodes().size()).await(progress)) {
            throw new LakehouseServer.ServerException("Trino coordinator exited during startup", coordinator.configuration(), coordinator.logTail());
        }
        for (LakehouseServer node : started) {
            if (node.runningProcess().isEmpty()) {
                throw new LakehouseServer.ServerException("Trino node %s exited during startup".formatted(node.configuration().home().getFileName()), node.configuration(), node.logTail());
            }
        }
    }

    public Connection connect()
            throws SQLException
    {
        return coordinator.connect();
    }

    /**
     * Stops the Trino nodes (workers first), the S3 server and PostgreSQL. Returns whether anything ran.
     */
    public boolean down()
            throws IOException, InterruptedException
    {
        boolean anyRunning = false;
        for (LakehouseServer node : nodes().reversed()) {
            anyRunning |= node.down();
        }
        anyRunning |= restCatalog.runningProcess().isPresent();
        restCatalog.stop();
        anyRunning |= s3.runningProcess().isPresent();
        s3.stop();
        anyRunning |= postgres.isRunning();
        postgres.stop();
        return anyRunning;
    }
}
