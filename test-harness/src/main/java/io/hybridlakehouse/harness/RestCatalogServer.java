package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * An Iceberg REST catalog service on loopback: Iceberg 1.9.1's own REST catalog server
 * ({@code org.apache.iceberg.rest.RESTCatalogServer}, the one Iceberg's conformance tests and
 * its Docker fixture run), backed by a JDBC catalog in PostgreSQL and writing table metadata
 * to S3 with S3FileIO. It stands in for the REST catalog service (Polaris, Gravitino, Nessie,
 * a cloud catalog) a production cluster points at.
 */
public final class RestCatalogServer
{
    private static final String MAIN_CLASS = "org.apache.iceberg.rest.RESTCatalogServer";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final IcebergJava iceberg;
    private final Path directory;
    private final int port;
    private final Map<String, String> catalogEnvironment;

    /**
     * {@code databaseUrl} and credentials: the JDBC catalog the service keeps its tables in;
     * {@code warehouse}: where new tables go ({@code s3://bucket/path}).
     */
    public RestCatalogServer(IcebergJava iceberg, Path directory, int port, String databaseUrl, String databaseUser, String databasePassword,
            String warehouse, String s3Endpoint, String s3AccessKey, String s3SecretKey)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.port = port;
        // RESTCatalogServer reads its catalog's properties from CATALOG_* variables: '__' is '-', '_' is '.'
        this.catalogEnvironment = Map.ofEntries(
                Map.entry("CATALOG_CATALOG__IMPL", "org.apache.iceberg.jdbc.JdbcCatalog"),
                Map.entry("CATALOG_URI", databaseUrl),
                Map.entry("CATALOG_JDBC_USER", databaseUser),
                Map.entry("CATALOG_JDBC_PASSWORD", databasePassword),
                Map.entry("CATALOG_JDBC_SCHEMA__VERSION", "V1"),
                Map.entry("CATALOG_WAREHOUSE", warehouse),
                Map.entry("CATALOG_IO__IMPL", "org.apache.iceberg.aws.s3.S3FileIO"),
                Map.entry("CATALOG_S3_ENDPOINT", s3Endpoint),
                Map.entry("CATALOG_S3_PATH__STYLE__ACCESS", "true"),
                Map.entry("CATALOG_S3_ACCESS__KEY__ID", s3AccessKey),
                Map.entry("CATALOG_S3_SECRET__ACCESS__KEY", s3SecretKey),
                Map.entry("CATALOG_CLIENT_REGION", S3Server.REGION),
                Map.entry("CATALOG_REST_PORT", String.valueOf(port)),
                // S3Proxy checks payload checksums the way S3 did before the SDK's 2025 default of CRC on every request
                Map.entry("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED"),
                Map.entry("AWS_RESPONSE_CHECKSUM_VALIDATION", "WHEN_REQUIRED"));
    }

    public String uri()
    {
        return "http://127.0.0.1:" + port;
    }

    public Path log()
    {
        return directory.resolve("rest-catalog.log");
    }

    private Path pidFile()
    {
        return directory.resolve("rest-catalog.pid");
    }

    public void start()
            throws IOException, InterruptedException
    {
        if (runningProcess().isPresent()) {
            return;
        }
        Files.createDirectories(directory);
        ImmutableList.Builder<String> command = ImmutableList.builder();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(
                JavaRuntime.javaExecutable().toString(),
                "-Xmx512m",
                "--sun-misc-unsafe-memory-access=allow",
                // the server logs every catalog property at start, the database password and S3 keys among them
                "-Dorg.slf4j.simpleLogger.log." + MAIN_CLASS + "=warn",
                "-cp", iceberg.classPath(),
                MAIN_CLASS);
        if (answers()) {
            throw new IOException("Port %d is taken by another process: stop it, or choose another port".formatted(port));
        }
        ProcessBuilder builder = new ProcessBuilder(command.build())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(log().toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(catalogEnvironment);
        Process process = builder.start();
        Files.writeString(pidFile(), String.valueOf(process.pid()), UTF_8);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Iceberg REST catalog server exited during startup; log: " + log());
            }
            if (answers()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IOException("Iceberg REST catalog server not answering on %s after %s; log: %s".formatted(uri(), STARTUP_TIMEOUT, log()));
    }

    private boolean answers()
    {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(uri() + "/v1/config").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            return connection.getResponseCode() == 200;
        }
        catch (IOException e) {
            return false;
        }
    }

    public void stop()
            throws IOException, InterruptedException
    {
        Optional<ProcessHandle> process = runningProcess();
        if (process.isPresent()) {
            Processes.stop(process.get());
        }
        Files.deleteIfExists(pidFile());
    }

    public Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        if (!Files.exists(pidFile())) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(pidFile(), UTF_8).strip());
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().arguments()
                        .map(arguments -> Stream.of(arguments).anyMatch(MAIN_CLASS::equals))
                        .orElse(false));
    }
}
