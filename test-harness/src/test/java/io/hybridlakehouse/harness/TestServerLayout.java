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
        assertThatThrownBy(() -> ServerLayout.substitute("${unknown.key}", Map.of("warehouse", "/w"), Path.of("f.properties")))
                .hasMessageContaining("Unknown placeholder ${unknown.key} in f.properties");
    }
}
