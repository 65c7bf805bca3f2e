package io.hybridlakehouse.plugin.metastore;

import io.hybridlakehouse.plugin.HybridConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * Where the catalog's metadata database lives: the segment metastore and the Iceberg JDBC
 * catalog share it, so one database holds all metadata of a catalog.
 */
public record MetastoreConnection(String url, String driverClass, Optional<String> user, Optional<String> password)
{
    public static final String EMBEDDED_DATABASE_FILE = "metastore.db";

    // busy_timeout makes concurrent writers wait instead of failing. WAL (readers beside the single
    // writer) is not set here: switching a new file to it at connect time fails with SQLITE_BUSY,
    // without waiting, when several connections open at once; the migrator sets it once, and it persists in the file
    private static final String SQLITE_OPTIONS = "?busy_timeout=30000&synchronous=NORMAL";

    public MetastoreConnection
    {
        requireNonNull(url, "url is null");
        requireNonNull(driverClass, "driverClass is null");
        requireNonNull(user, "user is null");
        requireNonNull(password, "password is null");
    }

    public static MetastoreConnection fromConfig(HybridConfig config, Optional<Path> localWarehouse)
    {
        Optional<String> url = config.getMetastoreUrl();
        if (url.isEmpty()) {
            Path warehouse = localWarehouse.orElseThrow(() -> new IllegalArgumentException(
                    "hybrid.metastore.url must be set when hybrid.warehouse is not a local path: the embedded database needs a local directory. " +
                            "Example: hybrid.metastore.url=jdbc:postgresql://db-host:5432/lakehouse"));
            String embeddedUrl = "jdbc:sqlite:" + warehouse.resolve(EMBEDDED_DATABASE_FILE) + SQLITE_OPTIONS;
            return new MetastoreConnection(embeddedUrl, "org.sqlite.JDBC", Optional.empty(), Optional.empty());
        }
        return new MetastoreConnection(url.get(), driverClassFor(url.get()), config.getMetastoreUser(), config.getMetastorePassword());
    }

    private static String driverClassFor(String url)
    {
        if (url.startsWith("jdbc:sqlite:")) {
            return "org.sqlite.JDBC";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException("hybrid.metastore.url must be a jdbc:postgresql: or jdbc:sqlite: URL, got: " + url);
    }

    /**
     * The URL without its query parameters, which may hold credentials ({@code ?password=...}):
     * the form error messages and logs show.
     */
    public String redactedUrl()
    {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?...";
    }

    @Override
    public String toString()
    {
        return "MetastoreConnection[url=%s, user=%s, password=%s]".formatted(redactedUrl(), user.orElse(""), password.isPresent() ? "[REDACTED]" : "");
    }

    public boolean isSqlite()
    {
        return url.startsWith("jdbc:sqlite:");
    }

    public Connection open()
            throws SQLException
    {
        Properties properties = new Properties();
        user.ifPresent(value -> properties.setProperty("user", value));
        password.ifPresent(value -> properties.setProperty("password", value));
        loadDriver(driverClass);
        return DriverManager.getConnection(url, properties);
    }

    static void loadDriver(String driverClass)
    {
        try {
            // plugin class loaders are invisible to DriverManager's service lookup, so load the driver explicitly
            Class.forName(driverClass, true, MetastoreConnection.class.getClassLoader());
        }
        catch (ClassNotFoundException e) {
            throw new IllegalStateException("JDBC driver not found: " + driverClass, e);
        }
    }
}
