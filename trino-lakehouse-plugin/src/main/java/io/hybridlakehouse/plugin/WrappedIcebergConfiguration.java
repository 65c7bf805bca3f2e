package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.metastore.MetastoreConnection;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Derives the configuration of the wrapped Iceberg connector from the catalog's
 * {@code hybrid.*} properties. Properties the user set explicitly always win, so experts can
 * still tune {@code iceberg.*} and {@code fs.*} directly.
 */
public record WrappedIcebergConfiguration(Optional<Path> localWarehouse, MetastoreConnection metastore, Map<String, String> properties)
{
    /** Where Iceberg table directories live below the warehouse root. */
    public static final String ICEBERG_DIRECTORY = "iceberg";
    private static final String ALLOWED_EXTRA_PROPERTIES = "iceberg.allowed-extra-properties";

    public WrappedIcebergConfiguration
    {
        requireNonNull(localWarehouse, "localWarehouse is null");
        requireNonNull(metastore, "metastore is null");
        properties = ImmutableMap.copyOf(properties);
    }

    public static WrappedIcebergConfiguration derive(String catalogName, HybridConfig config, Map<String, String> userProperties)
    {
        return derive(catalogName, config, new HybridCacheConfig(), userProperties);
    }

    public static WrappedIcebergConfiguration derive(String catalogName, HybridConfig config, HybridCacheConfig cacheConfig, Map<String, String> userProperties)
    {
        Optional<Path> localWarehouse = localWarehouse(config.getWarehouse());
        MetastoreConnection metastore = MetastoreConnection.fromConfig(config, localWarehouse);

        Map<String, String> derived = new HashMap<>();
        String icebergWarehouse;
        if (localWarehouse.isPresent()) {
            derived.put("fs.native-local.enabled", "true");
            derived.put("local.location", localWarehouse.get().toString());
            icebergWarehouse = "local:///" + ICEBERG_DIRECTORY;
        }
        else {
            derived.put("fs.native-s3.enabled", "true");
            icebergWarehouse = config.getWarehouse().replaceAll("/+$", "") + "/" + ICEBERG_DIRECTORY;
        }

        derived.put("iceberg.catalog.type", "jdbc");
        // the theta-sketch function used when collecting NDVs on write belongs to the stock Iceberg plugin
        derived.put("iceberg.extended-statistics.collect-on-write", "false");
        String catalogType = userProperties.getOrDefault("iceberg.catalog.type", "jdbc").toLowerCase(Locale.ROOT);
        if (catalogType.equals("jdbc")) {
            derived.put("iceberg.jdbc-catalog.driver-class", metastore.driverClass());
            derived.put("iceberg.jdbc-catalog.connection-url", metastore.url());
            metastore.user().ifPresent(user -> derived.put("iceberg.jdbc-catalog.connection-user", user));
            metastore.password().ifPresent(password -> derived.put("iceberg.jdbc-catalog.connection-password", password));
            derived.put("iceberg.jdbc-catalog.catalog-name", catalogName);
            derived.put("iceberg.jdbc-catalog.default-warehouse-dir", icebergWarehouse);
        }

        if (cacheConfig.isEnabled()) {
            String directory = cacheConfig.getDirectory()
                    .or(() -> localWarehouse.map(warehouse -> warehouse.resolve(".cache").toString()))
                    .orElseThrow(() -> new IllegalArgumentException("hybrid.cache.directory must be set when hybrid.warehouse is not a local path, e.g. hybrid.cache.directory=/mnt/ssd/trino-cache"));
            derived.put("fs.cache.enabled", "true");
            derived.put("fs.cache.directories", directory);
            derived.put("fs.cache.max-disk-usage-percentages", String.valueOf(cacheConfig.getMaxDiskUsagePercentage()));
        }

        derived.putAll(userProperties);
        // CREATE OR REPLACE hides the replaced table's hot segments by the hand-off mark, set in the replacing commit
        String allowed = userProperties.get(ALLOWED_EXTRA_PROPERTIES);
        derived.put(ALLOWED_EXTRA_PROPERTIES, allowed == null || allowed.isBlank()
                ? HotTierPin.TIERED_THROUGH_PROPERTY
                : allowed + "," + HotTierPin.TIERED_THROUGH_PROPERTY);
        return new WrappedIcebergConfiguration(localWarehouse, metastore, derived);
    }

    private static Optional<Path> localWarehouse(String warehouse)
    {
        if (warehouse.startsWith("s3://")) {
            return Optional.empty();
        }
        if (warehouse.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(warehouse)));
        }
        Path path = Path.of(warehouse);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("hybrid.warehouse must be an absolute path, got: " + warehouse);
        }
        return Optional.of(path.normalize());
    }
}
