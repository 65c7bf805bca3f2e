package io.hybridlakehouse.plugin.metastore;

import io.hybridlakehouse.plugin.HybridConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

public class TestMetastoreMigrator
{
    @Test
    public void testMigrateIsIdempotent()
            throws Exception
    {
        MetastoreConnection metastore = embedded(Files.createTempDirectory("metastore"));
        assertThat(MetastoreMigrator.migrate(metastore)).isEqualTo(MetastoreMigrator.MIGRATIONS.size());
        assertThat(MetastoreMigrator.migrate(metastore)).isEqualTo(MetastoreMigrator.MIGRATIONS.size());
        try (Connection connection = metastore.open(); Statement statement = connection.createStatement()) {
            try (ResultSet resultSet = statement.executeQuery("SELECT count(*) FROM hybrid_schema_version")) {
                resultSet.next();
                assertThat(resultSet.getInt(1)).isEqualTo(MetastoreMigrator.MIGRATIONS.size());
            }
            // the Iceberg JDBC catalog's own tables are there, in the V1 layout
            statement.execute("INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) " +
                    "VALUES ('c', 's', 't', 'm', NULL, 'TABLE')");
            statement.execute("INSERT INTO iceberg_namespace_properties VALUES ('c', 's', 'k', 'v')");
        }
    }

    @Test
    public void testConcurrentMigrations()
            throws Exception
    {
        MetastoreConnection metastore = embedded(Files.createTempDirectory("metastore"));
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(executor.submit(() -> MetastoreMigrator.migrate(metastore)));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(MetastoreMigrator.MIGRATIONS.size());
            }
            // readers beside the writer: the file was switched to WAL once, for every later connection
            try (Connection connection = metastore.open();
                    Statement statement = connection.createStatement();
                    ResultSet resultSet = statement.executeQuery("PRAGMA journal_mode")) {
                resultSet.next();
                assertThat(resultSet.getString(1)).isEqualTo("wal");
            }
        }
        finally {
            executor.shutdownNow();
        }
    }

    private static MetastoreConnection embedded(Path directory)
    {
        return MetastoreConnection.fromConfig(new HybridConfig().setWarehouse(directory.toString()), Optional.of(directory));
    }
}
