package io.hybridlakehouse.harness;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Lays out a server directory from {@code etc-catalog/}: configuration files with
 * their {@code ${...}} placeholders filled in, and the staged server libraries and plugin
 * directories linked in place, so the server loads exactly what the build produced.
 */
public final class ServerLayout
{
    // the server core's own plugin/ is replaced by the plugins this project runs with
    private static final List<String> LINKED_FROM_CORE = List.of("lib", "secrets-plugin");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z][a-z0-9.]*)}");

    private final ServerDistribution distribution;
    private final ServerConfiguration configuration;

    public ServerLayout(ServerDistribution distribution, ServerConfiguration configuration)
    {
        this.distribution = requireNonNull(distribution, "distribution is null");
        this.configuration = requireNonNull(configuration, "configuration is null");
    }

    public void layOut()
            throws IOException
    {
        Path server = configuration.serverDirectory();
        Files.createDirectories(configuration.logDirectory());
        Files.createDirectories(configuration.dataDirectory());
        Files.createDirectories(configuration.warehouse());
        Files.createDirectories(configuration.cacheDirectory());

        // etc/, lib and plugin/ are derived: rewritten on every start so they follow the build and etc-catalog/
        deleteIfExists(server.resolve("etc"));
        deleteIfExists(server.resolve("plugin"));
        for (String linked : LINKED_FROM_CORE) {
            Files.deleteIfExists(server.resolve(linked));
        }

        Map<String, String> values = new HashMap<>(configuration.values());
        values.put("server.data", configuration.dataDirectory().toString());
        values.put("http.port", String.valueOf(configuration.httpPort()));
        values.put("server.heap", configuration.heapSize());
        values.put("warehouse", configuration.warehouse().toString());
        values.put("cache", configuration.cacheDirectory().toString());
        for (String template : configuration.nodeTemplates()) {
            copyTemplates(configuration.etcCatalog().resolve(template), server.resolve("etc"), values);
        }
        for (String catalogs : configuration.catalogDirectories()) {
            copyTemplates(configuration.etcCatalog().resolve(catalogs), server.resolve("etc/catalog"), values);
        }

        for (String linked : LINKED_FROM_CORE) {
            Files.createSymbolicLink(server.resolve(linked), distribution.serverCore().resolve(linked));
        }
        Files.createDirectories(server.resolve("plugin"));
        for (Map.Entry<String, Path> plugin : distribution.plugins().entrySet()) {
            Files.createSymbolicLink(server.resolve("plugin").resolve(plugin.getKey()), plugin.getValue());
        }
    }

    private static void copyTemplates(Path source, Path target, Map<String, String> values)
            throws IOException
    {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file, UTF_8);
                Files.writeString(target.resolve(file.getFileName()), substitute(text, values, file), UTF_8);
            }
        }
    }

    static String substitute(String text, Map<String, String> values, Path file)
    {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException("Unknown placeholder ${%s} in %s; known: %s".formatted(matcher.group(1), file, values.keySet()));
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    private static void deleteIfExists(Path directory)
    {
        if (Files.exists(directory)) {
            try {
                MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
