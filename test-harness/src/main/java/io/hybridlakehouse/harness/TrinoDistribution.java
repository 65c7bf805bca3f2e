package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static java.util.Objects.requireNonNull;

/**
 * What the Maven build of {@code test-harness} staged under {@code target/trino-dist}: the
 * Trino server core, the plugins a server gets (ours, the stock Iceberg connector and a few
 * reference connectors) and the CLI executable jar.
 */
public record TrinoDistribution(Path root)
        implements ServerDistribution
{
    public static final String SYSTEM_PROPERTY = "trino.dist.directory";

    public TrinoDistribution
    {
        requireNonNull(root, "root is null");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("Trino distribution not found at " + root + ": build it with ./mvnw -B -DskipTests package");
        }
    }

    public static TrinoDistribution fromSystemProperty()
    {
        String location = System.getProperty(SYSTEM_PROPERTY);
        if (location == null) {
            throw new IllegalStateException("System property " + SYSTEM_PROPERTY + " is not set");
        }
        return new TrinoDistribution(Path.of(location));
    }

    @Override
    public Path serverCore()
    {
        return onlyDirectory(root, "trino-server-core-");
    }

    @Override
    public Path cliJar()
    {
        return root.resolve("trino-cli.jar");
    }

    public Path s3ProxyJar()
    {
        return root.resolve("s3proxy.jar");
    }

    /**
     * Plugin directories by the name they get under the server's {@code plugin/} directory.
     */
    @Override
    public Map<String, Path> plugins()
    {
        return Map.of(
                "hybrid_lakehouse", onlyDirectory(root.resolve("hybrid-plugin"), "trino-lakehouse-plugin-"),
                "iceberg", onlyDirectory(root.resolve("plugins"), "trino-iceberg-"),
                "tpch", onlyDirectory(root.resolve("plugins"), "trino-tpch-"),
                "memory", onlyDirectory(root.resolve("plugins"), "trino-memory-"))
                .entrySet().stream()
                .collect(toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Path onlyDirectory(Path parent, String prefix)
    {
        try (Stream<Path> children = Files.list(parent)) {
            return children
                    .filter(Files::isDirectory)
                    .filter(path -> path.getFileName().toString().startsWith(prefix))
                    .reduce((first, second) -> {
                        throw new IllegalStateException("More than one " + prefix + "* directory in " + parent + ": run ./mvnw clean package");
                    })
                    .orElseThrow(() -> new IllegalStateException("No " + prefix + "* directory in " + parent + ": build with ./mvnw -B -DskipTests package"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
