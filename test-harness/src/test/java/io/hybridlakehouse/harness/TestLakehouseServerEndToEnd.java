package io.hybridlakehouse.harness;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * The server {@code ./lakehouse up} starts (same classes, same staged distribution, same
 * etc-catalog files), driven through the real trino-cli executable jar.
 */
@TestInstance(PER_CLASS)
public class TestLakehouseServerEndToEnd
{
    private LakehouseServer server;
    private TrinoCli cli;

    @BeforeAll
    public void startServer()
            throws Exception
    {
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        ServerConfiguration configuration = new ServerConfiguration(
                Files.createTempDirectory("lakehouse-e2e"),
                freePort(),
                "2G",
                repository.resolve("etc-catalog"));
        server = new LakehouseServer(TrinoDistribution.fromSystemProperty(), configuration);
        server.up(message -> System.out.println("[e2e] " + message));
        cli = server.cli();
    }

    @AfterAll
    public void stopServer()
            throws IOException
    {
        if (server != null) {
            assertThat(server.down()).isTrue();
            assertThat(server.runningProcess()).isEmpty();
        }
    }

    @Test
    public void testDemoDataLoadedOnceAndPluginLoaded()
            throws Exception
    {
        assertThat(query("SELECT count(*) FROM lakehouse.demo.ods_events")).containsExactly("\"300000\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.dim_item")).containsExactly("\"1000\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.\"ods_events$snapshots\"")).containsExactly("\"1\"");

        // a second `up` finds the server running and the data loaded: nothing is loaded twice
        List<String> progress = new ArrayList<>();
        server.up(progress::add);
        assertThat(progress).anyMatch(line -> line.startsWith("Server already running"));
        assertThat(progress).contains("Demo table lakehouse.demo.ods_events already loaded");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.\"ods_events$snapshots\"")).containsExactly("\"1\"");
        assertThat(query("SELECT count(*) FROM lakehouse.demo.ods_events")).containsExactly("\"300000\"");

        // the catalog runs on the plugin this build produced
        assertThat(query("SELECT connector_name FROM system.metadata.catalogs WHERE catalog_name = 'lakehouse'"))
                .containsExactly("\"hybrid_lakehouse\"");
        assertThat(server.configuration().serverDirectory().resolve("plugin/hybrid_lakehouse").toRealPath())
                .isEqualTo(TrinoDistribution.fromSystemProperty().plugins().get("hybrid_lakehouse").toRealPath());
    }

    @Test
    public void testStatementsThroughCli()
            throws Exception
    {
        cli.execute("CREATE SCHEMA lakehouse.e2e").assertSuccess();
        assertThat(query("SHOW SCHEMAS FROM lakehouse LIKE 'e2e'")).containsExactly("\"e2e\"");
        cli.execute("""
                CREATE TABLE lakehouse.e2e.events (
                    event_time timestamp(6) COMMENT 'when it happened',
                    user_id bigint,
                    region varchar)
                COMMENT 'e2e events'
                WITH (partitioning = ARRAY['day(event_time)'])""").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e.events VALUES (TIMESTAMP '2026-11-24 10:00:00', 1, 'beijing'), (TIMESTAMP '2026-11-25 10:00:00', 2, 'shanghai')").assertSuccess();
        cli.execute("INSERT INTO lakehouse.e2e.events VALUES (TIMESTAMP '2026-11-25 11:00:00', 3, 'beijing')").assertSuccess();

        assertThat(query("SELECT region, count(*) FROM lakehouse.e2e.events GROUP BY region ORDER BY region"))
                .containsExactly("\"beijing\",\"2\"", "\"shanghai\",\"1\"");
        assertThat(query("DESCRIBE lakehouse.e2e.events"))
                .containsExactly("\"event_time\",\"timestamp(6)\",\"\",\"when it happened\"", "\"user_id\",\"bigint\",\"\",\"\"", "\"region\",\"varchar\",\"\",\"\"");
        assertThat(String.join("\n", query("SHOW CREATE TABLE lakehouse.e2e.events")))
                .contains("COMMENT 'e2e events'")
                .contains("partitioning = ARRAY['day(event_time)']");
        assertThat(query("SELECT count(*) FROM lakehouse.e2e.\"events$partitions\"")).containsExactly("\"2\"");

        cli.execute("CREATE TABLE lakehouse.e2e.by_region AS SELECT region, count(*) AS events FROM lakehouse.demo.ods_events GROUP BY region").assertSuccess();
        assertThat(query("SELECT sum(events) FROM lakehouse.e2e.by_region")).containsExactly("\"300000\"");

        TrinoCli.Result missing = cli.execute("SELECT * FROM lakehouse.e2e.no_such_table");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.error()).contains("Table 'lakehouse.e2e.no_such_table' does not exist");

        cli.execute("DROP TABLE lakehouse.e2e.by_region").assertSuccess();
        cli.execute("DROP TABLE lakehouse.e2e.events").assertSuccess();
        cli.execute("DROP SCHEMA lakehouse.e2e").assertSuccess();
        assertThat(query("SHOW SCHEMAS FROM lakehouse LIKE 'e2e'")).isEmpty();
    }

    private List<String> query(String sql)
            throws Exception
    {
        return cli.execute(sql, "--output-format", "CSV").assertSuccess().lines();
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
