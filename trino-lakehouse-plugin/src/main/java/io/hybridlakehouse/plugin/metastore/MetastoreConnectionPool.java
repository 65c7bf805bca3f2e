package io.hybridlakehouse.plugin.metastore;

import com.google.common.collect.ImmutableMap;
import com.google.inject.Inject;
import io.trino.spi.TrinoException;
import io.trino.spi.catalog.CatalogName;
import jakarta.annotation.PreDestroy;
import org.apache.iceberg.ClientPool;
import org.apache.iceberg.jdbc.JdbcClientPool;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Open connections to the metadata database, reused across calls: every query plans
 * against the segment metastore, and opening a connection per call costs a file open on
 * SQLite and a network round trip plus authentication on PostgreSQL. Iceberg's own JDBC
 * client pool, which its JDBC catalog uses for the same database.
 */
public class MetastoreConnectionPool
        implements AutoCloseable
{
    private static final int POOL_SIZE = 8;

    private final JdbcClientPool pool;
    private final Optional<StatementCache> statements;
    private final MetastoreConnection metastore;
    private final String catalogName;

    @Inject
    public MetastoreConnectionPool(MetastoreConnection metastore, CatalogName catalogName)
    {
        this(metastore, catalogName.toString());
    }

    public MetastoreConnectionPool(MetastoreConnection metastore, String catalogName)
    {
        this.metastore = requireNonNull(metastore, "metastore is null");
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
        MetastoreConnection.loadDriver(metastore.driverClass());
        ImmutableMap.Builder<String, String> properties = ImmutableMap.builder();
        // Iceberg's pool passes on the properties prefixed "jdbc."
        metastore.user().ifPresent(user -> properties.put("jdbc.user", user));
        metastore.password().ifPresent(password -> properties.put("jdbc.password", password));
        this.pool = new JdbcClientPool(POOL_SIZE, metastore.url(), properties.buildOrThrow());
        this.statements = metastore.isSqlite() ? Optional.of(new StatementCache()) : Optional.empty();
    }

    public <R> R run(ClientPool.Action<R, Connection, SQLException> action)
            throws SQLException
    {
        try {
            return pool.run(connection -> action.run(reusingStatements(connection)));
        }
        catch (ClassCastException e) {
            // Iceberg's pool retries a connection failure once on a new connection; when that
            // reconnect fails too (the database is down) it rethrows the original failure cast to
            // its own exception type (ClientPoolImpl.run), which fails for other driver exceptions
            throw new SQLException("The metadata database cannot be reached: " + e.getMessage(), MetastoreAvailability.CONNECTION_FAILURE_STATE, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for a metastore connection", e);
        }
    }

    /**
     * The connection, of this pool or another of the same database, with its prepared
     * statements kept for the next use of the same SQL where the driver does not keep them.
     */
    public Connection reusingStatements(Connection connection)
    {
        return statements.map(cache -> cache.wrap(connection)).orElse(connection);
    }

    /**
     * The error to show for a failure of this database that is not the statement's fault: the
     * database cannot be reached, or its contents cannot be read.
     */
    public Optional<TrinoException> availabilityFailure(Throwable failure)
    {
        return MetastoreAvailability.connectionFailure(failure).map(this::unavailable)
                .or(() -> MetastoreAvailability.damaged(failure).map(this::unreadable));
    }

    /**
     * The error for a database that cannot be reached, naming this catalog and the database.
     */
    public TrinoException unavailable(SQLException cause)
    {
        return MetastoreAvailability.unavailable(catalogName, metastore, cause);
    }

    /**
     * The error for a database whose contents cannot be read, naming this catalog and the database.
     */
    public TrinoException unreadable(SQLException cause)
    {
        return MetastoreAvailability.unreadable(catalogName, metastore, cause);
    }

    @PreDestroy
    @Override
    public void close()
    {
        pool.close();
    }
}
