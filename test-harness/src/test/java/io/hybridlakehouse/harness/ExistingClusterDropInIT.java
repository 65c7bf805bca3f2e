package io.hybridlakehouse.harness;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static io.hybridlakehouse.harness.JdbcResults.scalar;
import static io.hybridlakehouse.harness.JdbcResults.strings;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * The plugin added to an existing Trino 476 installation the way the README says: the plugin
 * zip unzipped into {@code plugin/hybrid_lakehouse/} of Trino's full server distribution (every
 * stock plugin: iceberg, hive, delta-lake, postgresql, memory, tpch and the rest), a catalog file
 * added, and catalogs created and dropped at run time with {@code CREATE CATALOG}.
 */
@TestInstance(PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public class ExistingClusterDropInIT
{
    private Path home;
    private LakehouseServer server;

    @BeforeAll
    public void startServer()
            throws Exception
    {
        home = Files.createTempDirectory("lakehouse-drop-in");
        Path plugin = unzipPlugin(Path.of(System.getProperty("hybrid.plugin.zip")), home.resolve("unzipped"));
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        Path fullServer = FullServerDistribution.unpack(Path.of(System.getProperty("trino.full.directory")));
        FullServerDistribution distribution = new FullServerDistribution(fullServer, plugin, TrinoDistribution.fromSystemProperty().cliJar());
        ServerConfiguration configuration = new ServerConfiguration(
                home,
                TestingPorts.freePort(),
                "3G",
                repository.resolve("etc-catalog"),
                List.of("single-node", "existing-cluster"),
                List.of("catalog", "existing-cluster/catalog"),
                Map.of(),
                // what CREATE CATALOG reads as ${ENV:...}
                Map.of("LAKEHOUSE_DYNAMIC_WAREHOUSE", home.resolve("env-warehouse").toString()));
        server = new LakehouseServer(distribution, configuration);
        try {
            server.up(message -> System.out.println("[drop-in] " + message));
        }
        catch (LakehouseServer.ServerException e) {
            throw new AssertionError(e.getMessage() + "\n" + e.logTail(), e);
        }
    }

    /**
     * What a user does with the zip: unzip it and name its one directory {@code hybrid_lakehouse}.
     */
    private static Path unzipPlugin(Path zip, Path target)
            throws IOException
    {
        try (ZipInputStream entries = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                Path file = target.resolve(entry.getName()).normalize();
                assertThat(file.startsWith(target)).as("zip entry %s inside %s", entry.getName(), target).isTrue();
                if (entry.isDirectory()) {
                    Files.createDirectories(file);
                }
                else {
                    Files.createDirectories(file.getParent());
                    // copy reads this entry only; the stream stays open for the next
                    Files.copy(entries, file);
                }
            }
        }
        return onlyChild(target, "trino-lakehouse-plugin-");
    }

    private static Path onlyChild(Path directory, String prefix)
            throws IOException
    {
        try (var children = Files.list(directory)) {
            List<Path> matching = children.filter(child -> child.getFileName().toString().startsWith(prefix)).filter(Files::isDirectory).toList();
            assertThat(matching).as("%s* in %s", prefix, directory).hasSize(1);
            return matching.getFirst();
        }
    }

    @AfterAll
    public void stopServer()
            throws IOException
    {
        if (server != null) {
            server.down();
            MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
        }
    }

    /**
     * Every stock plugin of the distribution loaded beside ours, without a class or function
     * name clash, and both our catalog and a stock Iceberg catalog answer in that server.
     */
    @Test
    @Order(1)
    public void testLoadsNextToEveryStockPlugin()
            throws Exception
    {
        String log = Files.readString(server.configuration().serverLog(), UTF_8);
        for (String stock : List.of("iceberg", "hive", "delta-lake", "postgresql", "memory", "tpch", "hybrid_lakehouse")) {
            assertThat(log).as("plugin %s loaded", stock).containsPattern("-- Finished loading plugin .*/plugin/%s --".formatted(stock));
        }
        assertThat(log).doesNotContain("already registered", "LinkageError", "NoClassDefFoundError", "ClassCastException");

        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA lakehouse.dropin");
            statement.execute("CREATE TABLE lakehouse.dropin.nation WITH (partitioning = ARRAY['regionkey']) AS SELECT * FROM tpch.tiny.nation");
            statement.execute("INSERT INTO lakehouse.dropin.nation SELECT * FROM tpch.tiny.nation");
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse.dropin.nation")).isEqualTo(50);

            statement.execute("CREATE SCHEMA iceberg.dropin");
            statement.execute("CREATE TABLE iceberg.dropin.nation AS SELECT * FROM tpch.tiny.nation");
            statement.execute("INSERT INTO iceberg.dropin.nation SELECT * FROM lakehouse.dropin.nation");
            assertThat(scalar(statement, "SELECT count(*) FROM iceberg.dropin.nation")).isEqualTo(75);

            // one query over both connectors
            assertThat(scalar(statement, "SELECT count(*) FROM (SELECT regionkey FROM lakehouse.dropin.nation UNION ALL SELECT regionkey FROM iceberg.dropin.nation)")).isEqualTo(125);
            assertThat(strings(statement, "SELECT connector_name FROM system.metadata.catalogs WHERE catalog_name IN ('lakehouse', 'iceberg') ORDER BY 1"))
                    .containsExactly("hybrid_lakehouse", "iceberg");
        }
    }

    /**
     * {@code CREATE CATALOG ... USING hybrid_lakehouse} brings up a working catalog at run time
     * and {@code DROP CATALOG} removes it; a bad property fails the statement with a message
     * naming it, and leaves no catalog behind.
     */
    @Test
    @Order(2)
    public void testDynamicCatalog()
            throws Exception
    {
        Path warehouse = home.resolve("dynamic-warehouse");
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE CATALOG lakehouse_dynamic USING hybrid_lakehouse
                    WITH ("hybrid.warehouse" = '%s', "hybrid.tiering.interval" = '5s', "hybrid.cache.enabled" = 'false')""".formatted(warehouse));
            statement.execute("CREATE SCHEMA lakehouse_dynamic.ods");
            statement.execute("CREATE TABLE lakehouse_dynamic.ods.orders WITH (partitioning = ARRAY['orderstatus']) AS SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 0");
            statement.execute("INSERT INTO lakehouse_dynamic.ods.orders SELECT * FROM tpch.tiny.orders WHERE orderkey % 2 = 1");
            assertThat(strings(statement, "SELECT format('%s/%s', CAST(sum(totalprice) AS decimal(20, 2)), count(*)) FROM lakehouse_dynamic.ods.orders"))
                    .isEqualTo(strings(statement, "SELECT format('%s/%s', CAST(sum(totalprice) AS decimal(20, 2)), count(*)) FROM tpch.tiny.orders"));
            statement.execute("CALL lakehouse_dynamic.system.tier_table('ods', 'orders')");
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse_dynamic.ods.orders")).isEqualTo(15_000);

            statement.execute("DROP CATALOG lakehouse_dynamic");
            assertThat(strings(statement, "SHOW CATALOGS")).doesNotContain("lakehouse_dynamic");
            assertThatThrownBy(() -> statement.execute("SELECT count(*) FROM lakehouse_dynamic.ods.orders"))
                    .hasMessageContaining("lakehouse_dynamic");

            // created again over the same warehouse, the catalog finds its tables
            statement.execute("CREATE CATALOG lakehouse_dynamic USING hybrid_lakehouse WITH (\"hybrid.warehouse\" = '%s', \"hybrid.cache.enabled\" = 'false')".formatted(warehouse));
            assertThat(scalar(statement, "SELECT count(*) FROM lakehouse_dynamic.ods.orders")).isEqualTo(15_000);
            statement.execute("DROP CATALOG lakehouse_dynamic");

            // properties taken from the server's environment, as secrets are
            statement.execute("CREATE CATALOG lakehouse_env USING hybrid_lakehouse WITH (\"hybrid.warehouse\" = '${ENV:LAKEHOUSE_DYNAMIC_WAREHOUSE}', \"hybrid.cache.enabled\" = 'false')");
            statement.execute("CREATE SCHEMA lakehouse_env.s");
            statement.execute("CREATE TABLE lakehouse_env.s.t AS SELECT 1 AS x");
            assertThat(home.resolve("env-warehouse/iceberg")).isDirectory();
            statement.execute("DROP CATALOG lakehouse_env");

            assertThatThrownBy(() -> statement.execute("CREATE CATALOG lakehouse_bad USING hybrid_lakehouse WITH (\"hybrid.warehouse\" = 'relative/path')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("hybrid.warehouse");
            assertThatThrownBy(() -> statement.execute("CREATE CATALOG lakehouse_bad USING hybrid_lakehouse WITH (\"hybrid.warehouse\" = '%s', \"hybrid.tiering.intervall\" = '5s')".formatted(warehouse)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("hybrid.tiering.intervall");
            assertThat(strings(statement, "SHOW CATALOGS")).doesNotContain("lakehouse_bad");
        }
    }
}
