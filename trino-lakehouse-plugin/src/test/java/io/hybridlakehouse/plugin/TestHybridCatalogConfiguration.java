package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableMap;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.trino.testing.TestingSession.testSessionBuilder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

/**
 * A misconfigured catalog must fail when it is created (at server start) with a message
 * naming the property, never later on a query.
 */
@TestInstance(PER_CLASS)
public class TestHybridCatalogConfiguration
{
    private QueryRunner queryRunner;
    private Path warehouse;

    @BeforeAll
    public void setUp()
            throws Exception
    {
        queryRunner = DistributedQueryRunner.builder(testSessionBuilder().build()).setWorkerCount(0).build();
        queryRunner.installPlugin(new HybridLakehousePlugin());
        warehouse = Files.createTempDirectory("hybrid-config-test");
    }

    @AfterAll
    public void tearDown()
            throws IOException
    {
        queryRunner.close();
        deleteRecursively(warehouse, ALLOW_INSECURE);
    }

    @Test
    public void testValidCatalogCreatesMetastore()
    {
        queryRunner.createCatalog("valid", "hybrid_lakehouse", Map.of("hybrid.warehouse", warehouse.resolve("valid").toString()));
        assertThat(queryRunner.execute("SHOW SCHEMAS FROM valid").getOnlyColumnAsSet()).contains("information_schema");
        assertThat(warehouse.resolve("valid/metastore.db")).exists();
    }

    @Test
    public void testMisspelledHybridProperty()
    {
        assertCatalogFails(ImmutableMap.of("hybrid.warehouse", warehouse.toString(), "hybrid.warehose", "/tmp"),
                "Unknown configuration properties in catalog 'broken': hybrid.warehose");
    }

    @Test
    public void testMisspelledIcebergProperty()
    {
        assertCatalogFails(ImmutableMap.of("hybrid.warehouse", warehouse.resolve("misspelled").toString(), "iceberg.file-fromat", "ORC"),
                "Configuration property 'iceberg.file-fromat' was not used");
    }

    @Test
    public void testMissingWarehouse()
    {
        assertCatalogFails(ImmutableMap.of(), "hybrid.warehouse");
    }

    @Test
    public void testRelativeWarehouse()
    {
        assertCatalogFails(ImmutableMap.of("hybrid.warehouse", "relative/dir"), "hybrid.warehouse");
    }

    @Test
    public void testInvalidIcebergValue()
    {
        assertCatalogFails(ImmutableMap.of("hybrid.warehouse", warehouse.resolve("invalid-value").toString(), "iceberg.file-format", "CSV"),
                "iceberg.file-format");
    }

    @Test
    public void testUnreachableMetastore()
    {
        assertCatalogFails(ImmutableMap.of("hybrid.warehouse", warehouse.toString(), "hybrid.metastore.url", "jdbc:postgresql://127.0.0.1:1/none"),
                "cannot prepare the metadata database");
    }

    private void assertCatalogFails(Map<String, String> properties, String message)
    {
        assertThatThrownBy(() -> queryRunner.createCatalog("broken", "hybrid_lakehouse", properties))
                .satisfies(failure -> assertThat(causalChainMessages(failure)).contains(message));
    }

    private static String causalChainMessages(Throwable failure)
    {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
