package io.hybridlakehouse.plugin;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

public class TestCatalogPropertiesLog
{
    @Test
    public void testCredentialsRedacted()
    {
        String line = CatalogPropertiesLog.describe(Map.of(
                "hybrid.warehouse", "s3://bucket/lakehouse",
                "hybrid.metastore.url", "jdbc:postgresql://db:5432/lakehouse?user=lakehouse&password=hunter2",
                "hybrid.metastore.password", "hunter2",
                "s3.aws-access-key", "AKIAEXAMPLE",
                "s3.aws-secret-key", "wJalrXUtnFEMI",
                "iceberg.rest-catalog.oauth2.token", "tok3n",
                "iceberg.rest-catalog.oauth2.credential", "client:secret"));
        assertThat(line)
                .contains("hybrid.warehouse=s3://bucket/lakehouse")
                .contains("hybrid.metastore.url=jdbc:postgresql://db:5432/lakehouse?...")
                .contains("s3.aws-access-key=[REDACTED]")
                .doesNotContain("hunter2", "AKIAEXAMPLE", "wJalrXUtnFEMI", "tok3n", "client:secret");
    }
}
