package io.hybridlakehouse.harness;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static com.google.common.base.Preconditions.checkArgument;
import static io.hybridlakehouse.harness.JdbcResults.scalar;
import static java.util.Objects.requireNonNull;

/**
 * Waits until a starting server runs what users run, not merely until it answers. Trino
 * answers {@code SELECT 1} a few seconds before the coordinator has refreshed its active
 * node set; until then a scan fails with "No nodes available to run query" and a
 * partitioned write with "nodes is empty". So readiness is, in order: the node is
 * {@code active} in {@code system.runtime.nodes}, catalog {@code lakehouse} is loaded, and
 * a probe through that catalog (a partitioned CREATE TABLE AS, an INSERT and a scan of a
 * scratch table, dropped afterwards) succeeds. Every check is retried until the deadline;
 * the process exiting ends the wait at once.
 */
public final class ServerReadiness
{
    static final Duration TIMEOUT = Duration.ofMinutes(3);
    static final String PROBE_SCHEMA = "lakehouse.lakehouse_readiness";
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    // what Trino says while its node set or catalogs are still coming up
    private static final List<String> TRANSIENT_ERRORS = List.of(
            "no nodes available",
            "nodes is empty",
            "server is starting",
            "still initializing",
            "server_starting_up",
            "catalog 'lakehouse' not found",
            "catalog 'lakehouse' does not exist",
            "connection refused",
            "failed to connect");

    private final LakehouseServer server;
    private final ProcessHandle process;
    private final int expectedNodes;

    /**
     * {@code expectedNodes}: how many active nodes the coordinator must see (a cluster's workers
     * announce themselves to it).
     */
    public ServerReadiness(LakehouseServer server, ProcessHandle process, int expectedNodes)
    {
        this.server = requireNonNull(server, "server is null");
        this.process = requireNonNull(process, "process is null");
        checkArgument(expectedNodes >= 1, "expectedNodes must be at least 1");
        this.expectedNodes = expectedNodes;
    }

    /**
     * Returns true once the server is ready, false if its process exited first; throws
     * {@link LakehouseServer.ServerException} when it is still not ready at the deadline.
     */
    public boolean await(LakehouseServer.ProgressListener progress)
            throws InterruptedException
    {
        long start = System.nanoTime();
        long deadline = start + TIMEOUT.toNanos();
        String lastError = "no answer yet";
        String stage = "answering";
        int failedChecks = 0;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive() || LakehouseServer.isZombie(process)) {
                return false;
            }
            try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
                stage = expectedNodes == 1 ? "an active node" : expectedNodes + " active nodes";
                long active = scalar(statement, "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'");
                if (active < expectedNodes) {
                    throw new SQLException("%d of %d nodes active in system.runtime.nodes".formatted(active, expectedNodes));
                }
                stage = "catalog lakehouse";
                if (scalar(statement, "SELECT count(*) FROM system.metadata.catalogs WHERE catalog_name = 'lakehouse'") == 0) {
                    throw new SQLException("catalog 'lakehouse' not found");
                }
                stage = "a write and a read through catalog lakehouse";
                probe(statement);
                progress.step("Server ready at %s (%.1f s: %s, catalog lakehouse writes and reads%s)".formatted(
                        server.configuration().url(),
                        (System.nanoTime() - start) / 1e9,
                        expectedNodes == 1 ? "node active" : expectedNodes + " nodes active",
                        failedChecks == 0 ? "" : "; %d checks before failed, the last waiting for %s: %s".formatted(failedChecks, stage, lastError)));
                return true;
            }
            catch (SQLException e) {
                lastError = firstLine(e.getMessage());
                failedChecks++;
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
        throw new LakehouseServer.ServerException(
                "Trino server not ready after %d s: still waiting for %s (last error: %s)".formatted(TIMEOUT.toSeconds(), stage, lastError),
                server.configuration(),
                server.logTail());
    }

    /**
     * A partitioned CREATE TABLE AS (the write that needs the catalog's active nodes), a hot
     * INSERT and a scan, on a table of its own that is dropped again.
     */
    private void probe(Statement statement)
            throws SQLException
    {
        String table = "%s.probe_%d_%d".formatted(PROBE_SCHEMA, ProcessHandle.current().pid(), System.nanoTime());
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + PROBE_SCHEMA);
        try {
            statement.execute("CREATE TABLE " + table + " WITH (partitioning = ARRAY['part']) AS SELECT 1 AS part, BIGINT '1' AS v");
            statement.execute("INSERT INTO " + table + " VALUES (2, 2)");
            long rows = scalar(statement, "SELECT count(*) FROM " + table);
            if (rows != 2) {
                throw new IllegalStateException("Readiness probe read %d rows from %s, expected 2".formatted(rows, table));
            }
        }
        finally {
            statement.execute("DROP TABLE IF EXISTS " + table);
            try {
                statement.execute("DROP SCHEMA IF EXISTS " + PROBE_SCHEMA);
            }
            catch (SQLException e) {
                // another probe running at the same moment still has a table in it: it drops the schema
            }
        }
    }

    /**
     * Whether a failed statement is worth retrying: the server or its node set is still starting.
     */
    public static boolean isTransient(SQLException e)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (TRANSIENT_ERRORS.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }

    static String firstLine(String message)
    {
        String text = String.valueOf(message).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
