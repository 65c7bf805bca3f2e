package io.hybridlakehouse.plugin.metastore;

import com.google.common.cache.Cache;
import com.google.common.collect.ImmutableMap;
import com.google.common.util.concurrent.UncheckedExecutionException;
import com.google.inject.Inject;
import io.trino.cache.EvictableCacheBuilder;
import io.trino.filesystem.TrinoFileSystemFactory;
import io.trino.plugin.iceberg.IcebergConfig;
import io.trino.plugin.iceberg.catalog.IcebergTableOperationsProvider;
import io.trino.plugin.iceberg.catalog.TrinoCatalog;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcClient;
import io.trino.plugin.iceberg.catalog.jdbc.TrinoJdbcCatalog;
import io.trino.plugin.iceberg.fileio.ForwardingFileIo;
import io.trino.spi.TrinoException;
import io.trino.spi.catalog.CatalogName;
import io.trino.spi.security.ConnectorIdentity;
import io.trino.spi.security.SelectedRole;
import io.trino.spi.type.TypeManager;
import jakarta.annotation.PreDestroy;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.jdbc.JdbcClientPool;
import org.apache.iceberg.jdbc.UncheckedInterruptedException;
import org.apache.iceberg.jdbc.UncheckedSQLException;

import java.security.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static io.trino.cache.CacheUtils.uncheckedCacheGet;
import static io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig.SchemaVersion.V1;
import static java.util.Objects.requireNonNull;
import static org.apache.iceberg.CatalogProperties.URI;
import static org.apache.iceberg.CatalogProperties.WAREHOUSE_LOCATION;
import static org.apache.iceberg.jdbc.JdbcCatalog.PROPERTY_PREFIX;

/**
 * Trino's JDBC catalog factory ({@code TrinoJdbcCatalogFactory}), with Iceberg's
 * {@link JdbcCatalog} kept per identity instead of built per transaction. Building one runs
 * {@code JdbcCatalog.initialize}, which asks the database's metadata whether the catalog
 * tables exist and have their view column: three {@code DatabaseMetaData} reads before every
 * query, slow on SQLite, and answered the same each time. The {@link TrinoCatalog} around it
 * stays one per transaction, as its table cache is the transaction's.
 */
public class SharedJdbcCatalogFactory
        implements TrinoCatalogFactory
{
    private static final long IDENTITIES = 1_000;

    private final CatalogName catalogName;
    private final TypeManager typeManager;
    private final IcebergTableOperationsProvider tableOperationsProvider;
    private final TrinoFileSystemFactory fileSystemFactory;
    private final IcebergJdbcClient jdbcClient;
    private final String jdbcCatalogName;
    private final String defaultWarehouseDir;
    private final boolean uniqueTableLocation;
    private final Map<String, String> catalogProperties;
    private final boolean viewSupport;
    private final JdbcClientPool clientPool;
    private final MetastoreConnectionPool metastore;
    private final Cache<IdentityKey, JdbcCatalog> catalogs = EvictableCacheBuilder.newBuilder()
            .maximumSize(IDENTITIES)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();

    @Inject
    public SharedJdbcCatalogFactory(
            CatalogName catalogName,
            TypeManager typeManager,
            IcebergTableOperationsProvider tableOperationsProvider,
            TrinoFileSystemFactory fileSystemFactory,
            IcebergJdbcClient jdbcClient,
            IcebergJdbcCatalogConfig jdbcConfig,
            IcebergConfig icebergConfig,
            MetastoreConnectionPool metastore)
    {
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
        this.tableOperationsProvider = requireNonNull(tableOperationsProvider, "tableOperationsProvider is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.jdbcClient = requireNonNull(jdbcClient, "jdbcClient is null");
        this.uniqueTableLocation = icebergConfig.isUniqueTableLocation();
        this.jdbcCatalogName = jdbcConfig.getCatalogName();
        this.defaultWarehouseDir = jdbcConfig.getDefaultWarehouseDir();

        // the same properties as Trino's factory
        ImmutableMap.Builder<String, String> properties = ImmutableMap.builder();
        properties.put(URI, jdbcConfig.getConnectionUrl());
        properties.put(WAREHOUSE_LOCATION, defaultWarehouseDir);
        properties.put(PROPERTY_PREFIX + "schema-version", jdbcConfig.getSchemaVersion().toString());
        jdbcConfig.getConnectionUser().ifPresent(user -> properties.put(PROPERTY_PREFIX + "user", user));
        jdbcConfig.getConnectionPassword().ifPresent(password -> properties.put(PROPERTY_PREFIX + "password", password));
        jdbcConfig.getRetryableStatusCodes().ifPresent(codes -> properties.put("retryable_status_codes", codes));
        this.catalogProperties = properties.buildOrThrow();
        this.viewSupport = jdbcConfig.getSchemaVersion() == V1;
        this.metastore = requireNonNull(metastore, "metastore is null");
        this.clientPool = new AvailabilityCheckedPool(jdbcConfig.getConnectionUrl(), catalogProperties, metastore);
    }

    @PreDestroy
    public void shutdown()
    {
        clientPool.close();
    }

    @Override
    public TrinoCatalog create(ConnectorIdentity identity)
    {
        JdbcCatalog jdbcCatalog;
        try {
            jdbcCatalog = uncheckedCacheGet(catalogs, IdentityKey.of(identity), () -> jdbcCatalog(identity));
        }
        catch (UncheckedExecutionException e) {
            // as Trino's factory throws it: callers tell an unreachable database by the cause
            throwIfUnchecked(e.getCause());
            throw e;
        }
        return new TrinoJdbcCatalog(
                catalogName,
                typeManager,
                tableOperationsProvider,
                jdbcCatalog,
                jdbcClient,
                fileSystemFactory,
                uniqueTableLocation,
                defaultWarehouseDir);
    }

    private JdbcCatalog jdbcCatalog(ConnectorIdentity identity)
    {
        JdbcCatalog jdbcCatalog = viewSupport
                ? new ViewCheckingJdbcCatalog(identity)
                : new JdbcCatalog(_ -> new ForwardingFileIo(fileSystemFactory.create(identity)), _ -> clientPool, false);
        jdbcCatalog.initialize(jdbcCatalogName, catalogProperties);
        return jdbcCatalog;
    }

    /**
     * Iceberg's JDBC catalog, asking the database whether a view exists. Iceberg's own answer
     * ({@code ViewCatalog.viewExists}) loads the view and catches the {@code NoSuchViewException}
     * its loading throws, and Trino asks it for each table a query names before it looks the
     * table up: a view operations object, a read and a stack trace filled on every query.
     * This is the row Iceberg's loading reads ({@code JdbcUtil.loadView}), without the rest.
     */
    private class ViewCheckingJdbcCatalog
            extends JdbcCatalog
    {
        ViewCheckingJdbcCatalog(ConnectorIdentity identity)
        {
            super(_ -> new ForwardingFileIo(fileSystemFactory.create(identity)), _ -> clientPool, false);
        }

        @Override
        public boolean viewExists(TableIdentifier identifier)
        {
            try {
                // asked for every table a query names: the statement is kept for the next query
                return clientPool.run(connection -> {
                    try (PreparedStatement statement = metastore.reusingStatements(connection).prepareStatement(
                            "SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND iceberg_type = 'VIEW'")) {
                        statement.setString(1, jdbcCatalogName);
                        // as Iceberg writes a namespace (JdbcUtil.namespaceToString)
                        statement.setString(2, String.join(".", identifier.namespace().levels()));
                        statement.setString(3, identifier.name());
                        try (ResultSet resultSet = statement.executeQuery()) {
                            return resultSet.next();
                        }
                    }
                });
            }
            catch (SQLException e) {
                throw new UncheckedSQLException(e, "Failed to get view %s from catalog %s", identifier, jdbcCatalogName);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedInterruptedException(e, "Interrupted while checking whether view %s exists", identifier);
            }
        }
    }

    /**
     * Iceberg's pool, with a database that is down or damaged reported as such: the catalog
     * is no longer built per transaction, so this is where Iceberg's catalog first reads it.
     */
    private static class AvailabilityCheckedPool
            extends JdbcClientPool
    {
        private final MetastoreConnectionPool metastore;

        AvailabilityCheckedPool(String url, Map<String, String> properties, MetastoreConnectionPool metastore)
        {
            super(url, properties);
            this.metastore = requireNonNull(metastore, "metastore is null");
        }

        @Override
        public <R> R run(Action<R, Connection, SQLException> action, boolean retry)
                throws SQLException, InterruptedException
        {
            try {
                return super.run(action, retry);
            }
            catch (SQLException | RuntimeException e) {
                Optional<TrinoException> failure = metastore.availabilityFailure(e);
                if (failure.isPresent()) {
                    throw failure.get();
                }
                throw e;
            }
        }
    }

    /**
     * What of an identity a file system may depend on (user, groups, roles, extra credentials,
     * as in S3 security mapping): {@link ConnectorIdentity} has no equality of its own.
     */
    private record IdentityKey(
            String user,
            Set<String> groups,
            Optional<String> principal,
            Set<String> enabledSystemRoles,
            Optional<SelectedRole> connectorRole,
            Map<String, String> extraCredentials)
    {
        static IdentityKey of(ConnectorIdentity identity)
        {
            return new IdentityKey(
                    identity.getUser(),
                    Set.copyOf(identity.getGroups()),
                    identity.getPrincipal().map(Principal::getName),
                    Set.copyOf(identity.getEnabledSystemRoles()),
                    identity.getConnectorRole(),
                    Map.copyOf(identity.getExtraCredentials()));
        }
    }
}
