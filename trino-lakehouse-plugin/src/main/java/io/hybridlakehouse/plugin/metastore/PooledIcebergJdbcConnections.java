package io.hybridlakehouse.plugin.metastore;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcConnectionFactory;
import jakarta.annotation.PreDestroy;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Connections of the Iceberg JDBC catalog, kept open between uses. Trino's catalog opens a
 * new connection for every metadata read; on the embedded SQLite file that is a file open and
 * schema parse, on PostgreSQL a TCP connection and authentication, paid by every query that
 * loads a table. A connection idle longer than {@link #VALIDATE_AFTER_IDLE_NANOS} is checked
 * before reuse, so a restarted database costs a reconnect, not a failed query.
 */
public class PooledIcebergJdbcConnections
        extends IcebergJdbcConnectionFactory
{
    private static final Logger log = Logger.get(PooledIcebergJdbcConnections.class);
    private static final int MAX_IDLE = 8;
    private static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    private record IdleConnection(Connection connection, long idleSinceNanos) {}

    private final Deque<IdleConnection> idle = new ArrayDeque<>();
    private boolean closed;

    @Inject
    public PooledIcebergJdbcConnections(IcebergJdbcCatalogConfig config)
    {
        super(driver(requireNonNull(config.getDriverClass(), "iceberg.jdbc-catalog.driver-class is not set")),
                config.getConnectionUrl(),
                config.getConnectionUser(),
                config.getConnectionPassword());
    }

    @Override
    public Connection openConnection()
            throws SQLException
    {
        while (true) {
            IdleConnection reusable = takeIdle();
            if (reusable == null) {
                return super.openConnection();
            }
            if (System.nanoTime() - reusable.idleSinceNanos() < VALIDATE_AFTER_IDLE_NANOS || isValid(reusable.connection())) {
                return reusable.connection();
            }
            closeQuietly(reusable.connection());
        }
    }

    @Override
    public void closeConnection(Connection connection)
    {
        try {
            if (connection.isClosed()) {
                return;
            }
            if (!connection.getAutoCommit()) {
                // a statement that failed inside a transaction leaves it open: never hand that on
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
        catch (SQLException e) {
            closeQuietly(connection);
            return;
        }
        synchronized (this) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.push(new IdleConnection(connection, System.nanoTime()));
                return;
            }
        }
        closeQuietly(connection);
    }

    public void discard(Connection connection)
    {
        closeQuietly(connection);
    }

    @PreDestroy
    public void close()
    {
        synchronized (this) {
            closed = true;
        }
        IdleConnection connection;
        while ((connection = takeIdle()) != null) {
            closeQuietly(connection.connection());
        }
    }

    private static Driver driver(String driverClass)
    {
        try {
            return Class.forName(driverClass, true, PooledIcebergJdbcConnections.class.getClassLoader()).asSubclass(Driver.class).getConstructor().newInstance();
        }
        catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("JDBC driver %s of the Iceberg catalog cannot be loaded".formatted(driverClass), e);
        }
    }

    private synchronized IdleConnection takeIdle()
    {
        return idle.poll();
    }

    private static boolean isValid(Connection connection)
    {
        try {
            return connection.isValid(VALIDATION_TIMEOUT_SECONDS);
        }
        catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection connection)
    {
        try {
            connection.close();
        }
        catch (SQLException e) {
            log.debug(e, "Closing a catalog connection failed");
        }
    }
}
