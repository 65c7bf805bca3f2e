package io.hybridlakehouse.plugin;

import com.google.inject.Binder;
import com.google.inject.Injector;
import com.google.inject.Scopes;
import com.google.inject.util.Modules;
import io.airlift.bootstrap.Bootstrap;
import io.airlift.configuration.AbstractConfigurationAwareModule;
import io.airlift.configuration.ConfigurationFactory;
import io.airlift.configuration.ConfigurationMetadata;
import io.airlift.json.JsonModule;
import io.airlift.log.Logger;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.cache.VerifiedAlluxioFileSystemCache;
import io.hybridlakehouse.plugin.cache.CoordinatorMemoryFileCache;
import io.hybridlakehouse.plugin.metastore.MetastoreConnection;
import io.hybridlakehouse.plugin.metastore.MetastoreMigrator;
import io.hybridlakehouse.plugin.metastore.PooledJdbcCatalogModule;
import io.hybridlakehouse.plugin.tiering.TieringConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.trino.filesystem.cache.TrinoFileSystemCache;
import io.trino.filesystem.manager.FileSystemConfig;
import io.trino.filesystem.manager.FileSystemModule;
import io.trino.plugin.base.jmx.ConnectorObjectNameGeneratorModule;
import io.trino.plugin.base.jmx.MBeanServerModule;
import io.trino.plugin.hive.NodeVersion;
import io.trino.plugin.iceberg.IcebergConfig;
import io.trino.plugin.iceberg.IcebergModule;
import io.trino.plugin.iceberg.IcebergSecurityModule;
import io.trino.spi.NodeManager;
import io.trino.spi.PageIndexerFactory;
import io.trino.spi.PageSorter;
import io.trino.spi.TrinoException;
import io.trino.spi.catalog.CatalogName;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.CatalogHandle;
import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorContext;
import io.trino.spi.connector.ConnectorFactory;
import io.trino.spi.type.TypeManager;
import org.weakref.jmx.guice.MBeanModule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CONFIGURATION_ERROR;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_ERROR;
import static io.trino.plugin.base.Versions.checkStrictSpiVersionMatch;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.toCollection;

/**
 * Composes the connector the way {@code IcebergConnectorFactory} does, from the same Iceberg
 * modules, plus our own module; the result is a {@link HybridConnector} wrapping the Iceberg
 * connector built in the same injector.
 */
public class HybridConnectorFactory
        implements ConnectorFactory
{
    public static final String CONNECTOR_NAME = "hybrid_lakehouse";
    private static final Logger log = Logger.get(HybridConnectorFactory.class);
    private static final String HYBRID_PROPERTY_PREFIX = "hybrid.";
    // every config class binding hybrid.* properties
    private static final List<Class<?>> HYBRID_CONFIG_CLASSES = List.of(HybridConfig.class, TieringConfig.class, HybridCacheConfig.class);

    @Override
    public String getName()
    {
        return CONNECTOR_NAME;
    }

    @Override
    public Connector create(String catalogName, Map<String, String> config, ConnectorContext context)
    {
        checkStrictSpiVersionMatch(context, this);
        requireNonNull(config, "config is null");

        ClassLoader classLoader = HybridConnectorFactory.class.getClassLoader();
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(classLoader)) {
            WrappedIcebergConfiguration wrapped;
            try {
                ConfigurationFactory configurationFactory = new ConfigurationFactory(config);
                checkHybridProperties(catalogName, config);
                wrapped = WrappedIcebergConfiguration.derive(catalogName, build(catalogName, configurationFactory, HybridConfig.class), build(catalogName, configurationFactory, HybridCacheConfig.class), config);
            }
            catch (IllegalArgumentException e) {
                throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Invalid configuration of catalog '%s': %s".formatted(catalogName, e.getMessage()), e);
            }
            prepareMetastore(catalogName, wrapped);

            Bootstrap app = new Bootstrap(
                    new MBeanModule(),
                    new ConnectorObjectNameGeneratorModule("io.hybridlakehouse.plugin", "trino.plugin.hybrid_lakehouse"),
                    new JsonModule(),
                    new IcebergModule(),
                    new IcebergSecurityModule(),
                    new PooledJdbcCatalogModule(),
                    new MBeanServerModule(),
                    new WarehouseFileSystemModule(catalogName, context),
                    binder -> {
                        binder.bind(ClassLoader.class).toInstance(classLoader);
                        binder.bind(OpenTelemetry.class).toInstance(context.getOpenTelemetry());
                        binder.bind(Tracer.class).toInstance(context.getTracer());
                        binder.bind(NodeVersion.class).toInstance(new NodeVersion(context.getNodeManager().getCurrentNode().getVersion()));
                        binder.bind(NodeManager.class).toInstance(context.getNodeManager());
                        binder.bind(TypeManager.class).toInstance(context.getTypeManager());
                        binder.bind(PageIndexerFactory.class).toInstance(context.getPageIndexerFactory());
                        binder.bind(CatalogHandle.class).toInstance(context.getCatalogHandle());
                        binder.bind(CatalogName.class).toInstance(new CatalogName(catalogName));
                        binder.bind(PageSorter.class).toInstance(context.getPageSorter());
                        binder.bind(WrappedIcebergConfiguration.class).toInstance(wrapped);
                        binder.bind(MetastoreConnection.class).toInstance(wrapped.metastore());
                    },
                    new HybridModule());

            // quiet: the table of every resolved property Bootstrap logs shows S3 access keys, which
            // Trino's S3 file system does not mark sensitive; the catalog's own properties are logged below, credentials redacted
            Injector injector = app
                    .doNotInitializeLogging()
                    .quiet()
                    .setRequiredConfigurationProperties(wrapped.properties())
                    .initialize();
            log.info("Catalog %s: %s", catalogName, CatalogPropertiesLog.describe(config));

            return injector.getInstance(HybridConnector.class);
        }
    }

    /**
     * The {@code hybrid.*} properties are needed before the injector exists (they decide the
     * Iceberg configuration), so they are bound and checked here first, with the same
     * messages airlift gives for every other property.
     */
    private static <T> T build(String catalogName, ConfigurationFactory configurationFactory, Class<T> configClass)
    {
        try {
            return configurationFactory.build(configClass);
        }
        catch (RuntimeException e) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Invalid configuration of catalog '%s': %s".formatted(catalogName, e.getMessage()), e);
        }
    }

    private static void checkHybridProperties(String catalogName, Map<String, String> config)
    {
        Set<String> known = HYBRID_CONFIG_CLASSES.stream()
                .flatMap(configClass -> ConfigurationMetadata.getConfigurationMetadata(configClass).getAttributes().values().stream())
                .map(attribute -> attribute.getInjectionPoint().getProperty())
                .collect(toCollection(TreeSet::new));
        Set<String> unknown = config.keySet().stream()
                .filter(key -> key.startsWith(HYBRID_PROPERTY_PREFIX))
                .filter(key -> !known.contains(key))
                .collect(toCollection(TreeSet::new));
        if (!unknown.isEmpty()) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Unknown configuration properties in catalog '%s': %s. Valid hybrid.* properties: %s"
                    .formatted(catalogName, String.join(", ", unknown), String.join(", ", known)));
        }
    }

    private static void prepareMetastore(String catalogName, WrappedIcebergConfiguration wrapped)
    {
        try {
            if (wrapped.localWarehouse().isPresent()) {
                Path warehouse = wrapped.localWarehouse().get();
                Files.createDirectories(warehouse.resolve(WrappedIcebergConfiguration.ICEBERG_DIRECTORY));
            }
        }
        catch (IOException e) {
            throw new TrinoException(HYBRID_CONFIGURATION_ERROR, "Catalog '%s': cannot create warehouse directory %s: %s. Check hybrid.warehouse and the server's file permissions"
                    .formatted(catalogName, wrapped.localWarehouse().get(), e.getMessage()), e);
        }
        try {
            MetastoreMigrator.migrate(wrapped.metastore());
        }
        catch (SQLException e) {
            throw new TrinoException(HYBRID_METASTORE_ERROR, "Catalog '%s': cannot prepare the metadata database at %s: %s. Check hybrid.metastore.url and that the database is reachable"
                    .formatted(catalogName, wrapped.metastore().redactedUrl(), e.getMessage()), e);
        }
    }

    private static class WarehouseFileSystemModule
            extends AbstractConfigurationAwareModule
    {
        private final String catalogName;
        private final ConnectorContext context;
        private ConfigurationFactory configurationFactory;

        WarehouseFileSystemModule(String catalogName, ConnectorContext context)
        {
            this.catalogName = requireNonNull(catalogName, "catalogName is null");
            this.context = requireNonNull(context, "context is null");
        }

        @Override
        public synchronized void setConfigurationFactory(ConfigurationFactory configurationFactory)
        {
            super.setConfigurationFactory(configurationFactory);
            this.configurationFactory = configurationFactory;
        }

        @Override
        protected void setup(Binder binder)
        {
            boolean metadataCacheEnabled = buildConfigObject(IcebergConfig.class).isMetadataCacheEnabled();
            FileSystemModule fileSystem = new FileSystemModule(catalogName, context.getNodeManager(), context.getOpenTelemetry(), metadataCacheEnabled);
            if (!buildConfigObject(FileSystemConfig.class).isCacheEnabled()) {
                install(fileSystem);
                return;
            }
            // Trino's Alluxio cache module as it is (configuration, statistics, split affinity),
            // with its page cache swapped for the one that checksums pages, and Iceberg's
            // metadata files kept in the coordinator's memory as they are without a disk cache
            fileSystem.setConfigurationFactory(configurationFactory);
            binder.install(Modules.override(fileSystem).with(overrides -> {
                overrides.bind(VerifiedAlluxioFileSystemCache.class).in(Scopes.SINGLETON);
                overrides.bind(TrinoFileSystemCache.class).to(CoordinatorMemoryFileCache.class).in(Scopes.SINGLETON);
            }));
        }
    }
}
