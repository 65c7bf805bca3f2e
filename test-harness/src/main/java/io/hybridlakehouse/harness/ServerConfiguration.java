package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Where one server process lives and how it is reached. Everything it writes stays under
 * {@code home}: the server directory, the node data directory, the local warehouse and cache.
 *
 * <ul>
 * <li>{@code nodeTemplates}: directories of {@code etcCatalog} whose files make the server's
 * {@code etc/}, later ones overriding earlier ones ({@code single-node}, or
 * {@code single-node} then {@code cluster/coordinator});</li>
 * <li>{@code catalogDirectories}: directories of {@code etcCatalog} whose catalog files go to
 * {@code etc/catalog/} ({@code catalog}, plus {@code bench} for the benchmark);</li>
 * <li>{@code values}: placeholders of those files beyond the ones every server has;</li>
 * <li>{@code environment}: variables of the server process, which catalog files read as
 * {@code ${ENV:NAME}} (secrets never appear in a file).</li>
 * </ul>
 */
public record ServerConfiguration(
        Path home,
        int httpPort,
        String heapSize,
        Path etcCatalog,
        List<String> nodeTemplates,
        List<String> catalogDirectories,
        Map<String, String> values,
        Map<String, String> environment)
{
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HEAP = "4G";

    public ServerConfiguration
    {
        requireNonNull(home, "home is null");
        requireNonNull(heapSize, "heapSize is null");
        requireNonNull(etcCatalog, "etcCatalog is null");
        nodeTemplates = ImmutableList.copyOf(nodeTemplates);
        catalogDirectories = ImmutableList.copyOf(catalogDirectories);
        values = ImmutableMap.copyOf(values);
        environment = ImmutableMap.copyOf(environment);
        home = home.toAbsolutePath().normalize();
    }

    /**
     * A single-node server with the catalogs of {@code catalog/} and of {@code extraCatalogDirectories}.
     */
    public ServerConfiguration(Path home, int httpPort, String heapSize, Path etcCatalog, List<String> extraCatalogDirectories)
    {
        this(home, httpPort, heapSize, etcCatalog, List.of("single-node"),
                ImmutableList.<String>builder().add("catalog").addAll(extraCatalogDirectories).build(), Map.of(), Map.of());
    }

    public ServerConfiguration(Path home, int httpPort, String heapSize, Path etcCatalog)
    {
        this(home, httpPort, heapSize, etcCatalog, List.of());
    }

    public Path serverDirectory()
    {
        return home.resolve("server");
    }

    public Path dataDirectory()
    {
        return home.resolve("data");
    }

    public Path warehouse()
    {
        return home.resolve("warehouse");
    }

    public Path cacheDirectory()
    {
        return home.resolve("cache");
    }

    public Path logDirectory()
    {
        return serverDirectory().resolve("var/log");
    }

    public Path serverLog()
    {
        return logDirectory().resolve("server.log");
    }

    public Path launcherLog()
    {
        return logDirectory().resolve("launcher.log");
    }

    public Path pidFile()
    {
        return home.resolve("server.pid");
    }

    public String url()
    {
        return "http://127.0.0.1:" + httpPort;
    }
}
