package io.hybridlakehouse.plugin.metastore;

import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
import io.airlift.configuration.AbstractConfigurationAwareModule;
import io.airlift.configuration.ConfigurationFactory;
import io.trino.plugin.iceberg.IcebergConfig;
import io.trino.plugin.iceberg.catalog.IcebergCatalogModule;
import io.trino.plugin.iceberg.catalog.IcebergTableOperationsProvider;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcClient;

import static io.trino.plugin.iceberg.CatalogType.JDBC;

/**
 * Trino's Iceberg catalog bindings as they are, except that a JDBC catalog reads through
 * {@link PooledIcebergJdbcConnections} instead of opening a connection per metadata read,
 * keeps Iceberg's catalog object across transactions ({@link SharedJdbcCatalogFactory}) and
 * parses each metadata file once ({@link MetadataCachingJdbcTableOperationsProvider}).
 */
public class PooledJdbcCatalogModule
        extends AbstractConfigurationAwareModule
{
    private ConfigurationFactory configurationFactory;

    @Override
    public synchronized void setConfigurationFactory(ConfigurationFactory configurationFactory)
    {
        super.setConfigurationFactory(configurationFactory);
        this.configurationFactory = configurationFactory;
    }

    @Override
    protected void setup(Binder binder)
    {
        IcebergCatalogModule catalog = new IcebergCatalogModule();
        if (buildConfigObject(IcebergConfig.class).getCatalogType() != JDBC) {
            install(catalog);
            return;
        }
        catalog.setConfigurationFactory(configurationFactory);
        binder.install(Modules.override(catalog).with(new PooledClientModule()));
    }

    private static class PooledClientModule
            extends com.google.inject.AbstractModule
    {
        @Override
        protected void configure()
        {
            bind(PooledIcebergJdbcConnections.class).in(Scopes.SINGLETON);
            bind(TrinoCatalogFactory.class).to(SharedJdbcCatalogFactory.class).in(Scopes.SINGLETON);
            bind(IcebergTableOperationsProvider.class).to(MetadataCachingJdbcTableOperationsProvider.class).in(Scopes.SINGLETON);
        }

        @Provides
        @Singleton
        public static IcebergJdbcClient createIcebergJdbcClient(IcebergJdbcCatalogConfig config, PooledIcebergJdbcConnections connections, MetastoreConnectionPool metastore)
        {
            return new PooledIcebergJdbcClient(connections, metastore, config.getCatalogName(), config.getSchemaVersion());
        }
    }
}
