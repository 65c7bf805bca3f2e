package io.hybridlakehouse.plugin.metastore;

import io.trino.spi.TrinoException;

import java.sql.SQLException;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_ERROR;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_UNAVAILABLE;
import static java.util.Objects.requireNonNull;

/**
 * Tells a metadata database that cannot be reached (down, restarting, network gone) from
 * other failures, and turns it into one error users can act on. Both the segment store and
 * Iceberg's JDBC catalog talk to that database; their own messages ("Cannot check and
 * eventually update SQL schema", a ClassCastException from Iceberg's pool) do not say what
 * is wrong.
 */
public final class MetastoreAvailability
{
    /** SQLSTATE class 08: connection exception (SQL standard; PostgreSQL uses 08001, 08003, 08006). */
    public static final String CONNECTION_FAILURE_STATE = "08006";
    // PostgreSQL shutting down or restarting: admin_shutdown, crash_shutdown, cannot_connect_now
    private static final String[] SERVER_GOING_AWAY_STATES = {"57P01", "57P02", "57P03"};

    private MetastoreAvailability() {}

    public static Optional<SQLException> connectionFailure(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sqlException && isConnectionFailure(sqlException)) {
                return Optional.of(sqlException);
            }
            if (cause instanceof ClassCastException && String.valueOf(cause.getMessage()).contains(" to java.sql.SQL")) {
                // Iceberg's pool after a failed reconnect (see MetastoreConnectionPool.run): its catalog's pool does the same
                return Optional.of(new SQLException("connection lost and reconnecting failed", CONNECTION_FAILURE_STATE, cause));
            }
        }
        return Optional.empty();
    }

    public static boolean isConnectionFailure(SQLException e)
    {
        String state = e.getSQLState();
        if (state == null) {
            return false;
        }
        if (state.startsWith("08")) {
            return true;
        }
        for (String goingAway : SERVER_GOING_AWAY_STATES) {
            if (goingAway.equals(state)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A database that answers but whose contents cannot be read: an SQLite file that is not a
     * database or fails its integrity checks, or PostgreSQL reporting corrupted data or indexes.
     */
    public static Optional<SQLException> damaged(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sqlException) {
                String message = String.valueOf(sqlException.getMessage());
                // PostgreSQL class XX: internal error (XX001 data_corrupted, XX002 index_corrupted)
                if (message.contains("SQLITE_NOTADB") || message.contains("SQLITE_CORRUPT") || String.valueOf(sqlException.getSQLState()).startsWith("XX")) {
                    return Optional.of(sqlException);
                }
            }
        }
        return Optional.empty();
    }

    public static TrinoException unreadable(String catalogName, MetastoreConnection metastore, SQLException cause)
    {
        return new TrinoException(HYBRID_METASTORE_ERROR, ("Catalog '%s': the metadata database %s answers but cannot be read (%s). " +
                "It holds the tables' segments and Iceberg pointers: restore it from a backup (for the embedded database, the metastore.db file of the warehouse). " +
                "Queries of this catalog fail until then; nothing was changed")
                .formatted(catalogName, metastore.redactedUrl(), firstLine(cause.getMessage())), cause);
    }

    public static TrinoException unavailable(String catalogName, MetastoreConnection metastore, SQLException cause)
    {
        requireNonNull(catalogName, "catalogName is null");
        requireNonNull(metastore, "metastore is null");
        return new TrinoException(HYBRID_METASTORE_UNAVAILABLE, ("Catalog '%s': the metadata database %s cannot be reached (%s). " +
                "Queries of this catalog fail until it is back; nothing was changed. Check that the database is running and reachable from every Trino node")
                .formatted(catalogName, metastore.redactedUrl(), firstLine(cause.getMessage())), cause);
    }

    private static String firstLine(String message)
    {
        String text = String.valueOf(message).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
