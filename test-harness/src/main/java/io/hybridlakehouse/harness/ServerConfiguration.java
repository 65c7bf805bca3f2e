package io.hybridlakehouse.harness;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * Where a single-node server lives and how it is reached. Everything it writes stays under
 * {@code home}: the server directory, the node data directory and the warehouse.
 */
public record ServerConfiguration(Path home, int httpPort, String heapSize, Path etcCatalog)
{
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_HEAP = "4G";

    public ServerConfiguration
    {
        requireNonNull(home, "home is null");
        requireNonNull(heapSize, "heapSize is null");
        requireNonNull(etcCatalog, "etcCatalog is null");
        home = home.toAbsolutePath().normalize();
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
