package io.hybridlakehouse.plugin.metastore;

import com.google.common.collect.ImmutableMap;
import com.google.inject.Inject;
import jakarta.annotation.PreDestroy;
import org.apache.iceberg.ClientPool;
import org.apache.iceberg.jdbc.JdbcClientPool;

import java.sql.Connection;
import java.sql.SQLException;

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

    @Inject
    public MetastoreConnectionPool(MetastoreConnection metastore)
    {
        MetastoreConnection.loadDriver(metastore.driverClass());
        ImmutableMap.Builder<String, String> properties = ImmutableMap.builder();
        // Iceberg's pool passes on the properties prefixed "jdbc."
        metastore.user().ifPresent(user -> properties.put("jdbc.user", user));
        metastore.password().ifPresent(password -> properties.put("jdbc.password", password));
        this.pool = new JdbcClientPool(POOL_SIZE, metastore.url(), properties.buildOrThrow());
    }

    public <R> R run(ClientPool.Action<R, Connection, SQLException> action)
            throws SQLException
    {
        try {
            return pool.run(action);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted while waiting for a metastore connection", e);
        }
    }

    @PreDestroy
    @Override
    public void close()
    {
        pool.close();
    }
}
