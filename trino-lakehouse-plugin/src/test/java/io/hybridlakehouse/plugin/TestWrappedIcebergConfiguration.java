package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.cache.HybridCacheConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestWrappedIcebergConfiguration
{
    @Test
    public void testEmbeddedDefault()
    {
        HybridConfig config = new HybridConfig().setWarehouse("/var/lib/lakehouse");
        WrappedIcebergConfiguration wrapped = WrappedIcebergConfiguration.derive("lakehouse", config, Map.of("hybrid.warehouse", "/var/lib/lakehouse"));

        assertThat(wrapped.localWarehouse()).contains(Path.of("/var/lib/lakehouse"));
        assertThat(wrapped.metastore().url()).startsWith("jdbc:sqlite:/var/lib/lakehouse/metastore.db?");
        assertThat(wrapped.properties())
                .containsEntry("iceberg.catalog.type", "jdbc")
                .containsEntry("iceberg.jdbc-catalog.driver-class", "org.sqlite.JDBC")
                .containsEntry("iceberg.jdbc-catalog.connection-url", wrapped.metastore().url())
                .containsEntry("iceberg.jdbc-catalog.catalog-name", "lakehouse")
                .containsEntry("iceberg.jdbc-catalog.default-warehouse-dir", "local:///iceberg")
                .containsEntry("iceberg.extended-statistics.collect-on-write", "false")
                .containsEntry("fs.native-local.enabled", "true")
                .containsEntry("local.location", "/var/lib/lakehouse")
                .containsEntry("hybrid.warehouse", "/var/lib/lakehouse")
                .containsEntry("iceberg.allowed-extra-properties", "hybrid.tiered-through");
    }

    @Test
    public void testAllowedExtraPropertiesKeepTheHandOffMark()
    {
        HybridConfig config = new HybridConfig().setWarehouse("/data");
        assertThat(WrappedIcebergConfiguration.derive("lakehouse", config, Map.of("iceberg.allowed-extra-properties", "owner,team")).properties())
                .containsEntry("iceberg.allowed-extra-properties", "owner,team,hybrid.tiered-through");
    }

    @Test
    public void testPostgresqlAndS3()
    {
        HybridConfig config = new HybridConfig()
                .setWarehouse("s3://bucket/lake/")
                .setMetastoreUrl("jdbc:postgresql://db:5432/lakehouse")
                .setMetastoreUser("user")
                .setMetastorePassword("password");
        WrappedIcebergConfiguration wrapped = WrappedIcebergConfiguration.derive("prod", config, Map.of());

        assertThat(wrapped.localWarehouse()).isEmpty();
        assertThat(wrapped.metastore().driverClass()).isEqualTo("org.postgresql.Driver");
        assertThat(wrapped.properties())
                .containsEntry("fs.native-s3.enabled", "true")
                .containsEntry("iceberg.jdbc-catalog.connection-user", "user")
                .containsEntry("iceberg.jdbc-catalog.connection-password", "password")
                .containsEntry("iceberg.jdbc-catalog.default-warehouse-dir", "s3://bucket/lake/iceberg")
                .doesNotContainKey("fs.native-local.enabled");
    }

    @Test
    public void testUserPropertiesWin()
    {
        HybridConfig config = new HybridConfig().setWarehouse("/data");
        WrappedIcebergConfiguration wrapped = WrappedIcebergConfiguration.derive("lakehouse", config, ImmutableMap.of(
                "iceberg.catalog.type", "rest",
                "iceberg.rest-catalog.uri", "http://rest:8181"));

        assertThat(wrapped.properties())
                .containsEntry("iceberg.catalog.type", "rest")
                .containsEntry("iceberg.rest-catalog.uri", "http://rest:8181")
                .doesNotContainKey("iceberg.jdbc-catalog.connection-url");
    }

    @Test
    public void testCacheDerivation()
    {
        HybridConfig config = new HybridConfig().setWarehouse("/data/lake");
        assertThat(WrappedIcebergConfiguration.derive("lakehouse", config, new HybridCacheConfig(), Map.of()).properties())
                .doesNotContainKey("fs.cache.enabled");
        assertThat(WrappedIcebergConfiguration.derive("lakehouse", config, new HybridCacheConfig().setEnabled(true), Map.of()).properties())
                .containsEntry("fs.cache.enabled", "true")
                .containsEntry("fs.cache.directories", "/data/lake/.cache")
                .containsEntry("fs.cache.max-disk-usage-percentages", "50");
        assertThat(WrappedIcebergConfiguration.derive("lakehouse", config, new HybridCacheConfig().setEnabled(true).setDirectory("/ssd/cache").setMaxDiskUsagePercentage(80), Map.of()).properties())
                .containsEntry("fs.cache.directories", "/ssd/cache")
                .containsEntry("fs.cache.max-disk-usage-percentages", "80");
        assertThatThrownBy(() -> WrappedIcebergConfiguration.derive("lakehouse",
                new HybridConfig().setWarehouse("s3://bucket/lake").setMetastoreUrl("jdbc:postgresql://db/lake"), new HybridCacheConfig().setEnabled(true), Map.of()))
                .hasMessageContaining("hybrid.cache.directory must be set");
    }

    @Test
    public void testInvalidLocations()
    {
        assertThatThrownBy(() -> WrappedIcebergConfiguration.derive("lakehouse", new HybridConfig().setWarehouse("s3://bucket/x"), Map.of()))
                .hasMessageContaining("hybrid.metastore.url must be set");
        assertThatThrownBy(() -> WrappedIcebergConfiguration.derive("lakehouse",
                new HybridConfig().setWarehouse("/data").setMetastoreUrl("jdbc:mysql://db/x"), Map.of()))
                .hasMessageContaining("must be a jdbc:postgresql: or jdbc:sqlite: URL");
        assertThat(WrappedIcebergConfiguration.derive("lakehouse", new HybridConfig().setWarehouse("file:///data/lake"), Map.of()).localWarehouse())
                .isEqualTo(Optional.of(Path.of("/data/lake")));
    }
}
