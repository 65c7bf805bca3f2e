package io.hybridlakehouse.harness;

import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Where a single-node server lives and how it is reached. Everything it writes stays under
 * {@code home}: the server directory, the node data directory and the warehouse.
 * {@code extraCatalogDirectories} are directories of {@code etcCatalog} whose catalog files
 * are added to those of {@code catalog/} (the benchmark adds {@code bench/}).
 */
public record ServerConfiguration(Path home, int httpPort, String heapSize, Path etcCatalog, List<String> extraCatalogDirectories)
{
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HEAP = "4G";

    public ServerConfiguration
    {
        requireNonNull(home, "home is null");
        requireNonNull(heapSize, "heapSize is null");
        requireNonNull(etcCatalog, "etcCatalog is null");
        extraCatalogDirectories = List.copyOf(extraCatalogDirectories);
        home = home.toAbsolutePath().normalize();
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
