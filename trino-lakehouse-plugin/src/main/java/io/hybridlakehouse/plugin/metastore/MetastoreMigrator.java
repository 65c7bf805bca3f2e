package io.hybridlakehouse.plugin.metastore;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.io.Resources;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.mv.ViewRows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Brings the metadata database to the newest schema. Migrations are numbered SQL resources
 * that run on both SQLite and PostgreSQL; each runs in its own transaction together with
 * the row recording it, so two coordinators starting at once cannot apply one twice.
 */
public final class MetastoreMigrator
{
    private static final Logger log = Logger.get(MetastoreMigrator.class);

    static final List<String> MIGRATIONS = ImmutableList.of(
            "V1__iceberg_catalog.sql",
            "V2__hot_segments.sql",
            "V3__tiering_and_retention.sql",
            "V4__cache_policy.sql",
            "V5__hot_tier_history.sql",
            "V6__materialized_views.sql",
            "V7__view_coverage.sql",
            "V8__column_sketches.sql",
            "V9__table_names.sql",
            "V10__view_coverage_keys.sql",
            "V11__purged_segment_ids.sql",
            "V12__retired_tables.sql",
            "V13__view_build_leases.sql",
            "V14__view_dimensions.sql");

    private static final int WAL_ATTEMPTS = 50;
    // an arbitrary constant naming this lock among the database's advisory locks
    private static final long MIGRATION_LOCK_KEY = 0x4879_6272_6964L;

    private MetastoreMigrator() {}

    public static int migrate(MetastoreConnection metastore)
            throws SQLException
    {
        requireNonNull(metastore, "metastore is null");
        try (Connection connection = metastore.open()) {
            try (Statement statement = connection.createStatement()) {
                if (metastore.isSqlite()) {
                    useWriteAheadLog(statement);
                }
                else {
                    // every node of a cluster migrates at start, at the same moment: one at a time, or two
                    // concurrent CREATE TABLE IF NOT EXISTS collide in PostgreSQL's catalog. Released when the connection closes
                    statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK_KEY + ")");
                }
                statement.execute("CREATE TABLE IF NOT EXISTS hybrid_schema_version (version INTEGER PRIMARY KEY, script VARCHAR(255) NOT NULL)");
            }
            for (int version = currentVersion(connection) + 1; version <= MIGRATIONS.size(); version++) {
                apply(connection, version, MIGRATIONS.get(version - 1));
            }
            indexViewDimensions(connection);
            return currentVersion(connection);
        }
    }

    /**
     * Switches the file to WAL once; it stays so. SQLite refuses the switch with SQLITE_BUSY, without
     * waiting for busy_timeout, while another connection (a concurrent migrator) is in the file.
     */
    private static void useWriteAheadLog(Statement statement)
            throws SQLException
    {
        for (int attempt = 1; ; attempt++) {
            try {
                statement.execute("PRAGMA journal_mode=WAL");
                return;
            }
            catch (SQLException e) {
                if (attempt >= WAL_ATTEMPTS || !String.valueOf(e.getMessage()).contains("SQLITE_BUSY")) {
                    throw e;
                }
                try {
                    Thread.sleep(20L * attempt);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("Interrupted while switching the metastore to WAL", interrupted);
                }
            }
        }
    }

    /**
     * Views registered before V14 have no recorded dimensions, so every INSERT's dimension check
     * reads them (see {@link ViewRows#joiningAsDimension}): recorded here once. A failure leaves
     * them so, which costs time, not correctness; the next start tries again.
     */
    private static void indexViewDimensions(Connection connection)
    {
        try {
            connection.setAutoCommit(false);
            try {
                int indexed = ViewRows.indexDimensions(connection);
                connection.commit();
                if (indexed > 0) {
                    log.info("Recorded the write-time dimensions of %s materialized views", indexed);
                }
            }
            catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            finally {
                connection.setAutoCommit(true);
            }
        }
        catch (SQLException | RuntimeException e) {
            log.warn(e, "Could not record the write-time dimensions of materialized views registered before V14; INSERTs check them all until the next start");
        }
    }

    static int currentVersion(Connection connection)
            throws SQLException
    {
        try (Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery("SELECT coalesce(max(version), 0) FROM hybrid_schema_version")) {
            resultSet.next();
            return resultSet.getInt(1);
        }
    }

    private static void apply(Connection connection, int version, String script)
            throws SQLException
    {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements(script)) {
                statement.execute(sql);
            }
            statement.execute("INSERT INTO hybrid_schema_version (version, script) VALUES (" + version + ", '" + script + "')");
            connection.commit();
            log.info("Applied metastore migration %s", script);
        }
        catch (SQLException e) {
            connection.rollback();
            if (currentVersion(connection) >= version) {
                // another coordinator applied it concurrently
                return;
            }
            throw new SQLException("Metastore migration %s failed: %s".formatted(script, e.getMessage()), e);
        }
        finally {
            connection.setAutoCommit(true);
        }
    }

    private static List<String> statements(String script)
    {
        String text;
        try {
            text = Resources.toString(Resources.getResource(MetastoreMigrator.class, script), UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder withoutComments = new StringBuilder();
        for (String line : Splitter.on('\n').split(text)) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        return Splitter.on(';').trimResults().omitEmptyStrings().splitToList(withoutComments);
    }
}
