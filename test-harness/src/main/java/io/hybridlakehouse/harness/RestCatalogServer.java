package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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

    private final IcebergJava iceberg;
    private final Path directory;
    private final int port;
    private final Map<String, String> catalogEnvironment;
    private final ServiceProcess process;

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
        this.process = new ServiceProcess("rest-catalog", this.directory, URI.create(uri() + "/v1/config"), 200);
    }

    public String uri()
    {
        return "http://127.0.0.1:" + port;
    }

    public Path log()
    {
        return process.log();
    }

    public void start()
            throws IOException, InterruptedException
    {
        process.start(ImmutableList.of(
                "-Xmx512m",
                "--sun-misc-unsafe-memory-access=allow",
                // the server logs every catalog property at start, the database password and S3 keys among them
                "-Dorg.slf4j.simpleLogger.log." + MAIN_CLASS + "=warn",
                "-cp", iceberg.classPath(),
                MAIN_CLASS), catalogEnvironment);
    }

    public void stop()
            throws IOException, InterruptedException
    {
        process.stop();
    }

    public Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        return process.runningProcess();
    }
}
