package io.hybridlakehouse.harness;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestServerLayout
{
    @Test
    public void testSubstitute()
    {
        assertThat(ServerLayout.substitute("a=${warehouse}\nb=${http.port}$x", Map.of("warehouse", "/w", "http.port", "8080"), Path.of("f")))
                .isEqualTo("a=/w\nb=8080$x");
        // names may hold digits; ${ENV:NAME} is Trino's, left as it is
        assertThat(ServerLayout.substitute("s3.endpoint=${s3.endpoint}\npassword=${ENV:LAKEHOUSE_METASTORE_PASSWORD}", Map.of("s3.endpoint", "http://127.0.0.1:9000"), Path.of("f")))
                .isEqualTo("s3.endpoint=http://127.0.0.1:9000\npassword=${ENV:LAKEHOUSE_METASTORE_PASSWORD}");
        assertThatThrownBy(() -> ServerLayout.substitute("${unknown.key}", Map.of("warehouse", "/w"), Path.of("f.properties")))
                .hasMessageContaining("Unknown placeholder ${unknown.key} in f.properties");
    }
}
