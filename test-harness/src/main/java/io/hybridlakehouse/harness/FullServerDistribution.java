package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Trino's full server distribution ({@code io.trino:trino-server:476:tar.gz}, every stock
 * plugin) with the hybrid_lakehouse plugin added as a user adds it: unzipped into
 * {@code plugin/hybrid_lakehouse/}.
 */
public record FullServerDistribution(Path server, Path hybridPlugin, Path cliJar)
        implements ServerDistribution
{
    public FullServerDistribution
    {
        requireNonNull(server, "server is null");
        requireNonNull(hybridPlugin, "hybridPlugin is null");
        requireNonNull(cliJar, "cliJar is null");
        if (!Files.isDirectory(server.resolve("plugin"))) {
            throw new IllegalStateException("Trino server distribution not found at " + server + ": run ./mvnw -B verify, which stages it before the integration tests");
        }
    }

    /**
     * Unpacks the distribution's tarball in {@code directory} unless done before, with the system's
     * {@code tar}: the tarball stores the jars plugins share with {@code lib/} as hard links.
     */
    public static Path unpack(Path directory)
            throws IOException, InterruptedException
    {
        Path tarball;
        try (Stream<Path> files = Files.list(directory)) {
            tarball = files.filter(file -> file.getFileName().toString().matches("trino-server-\\d+\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No trino-server-*.tar.gz in " + directory + ": run ./mvnw -B verify, which copies it there"));
        }
        Path server = directory.resolve(tarball.getFileName().toString().replace(".tar.gz", ""));
        Path done = directory.resolve(server.getFileName() + ".unpacked");
        if (!Files.exists(done)) {
            Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", directory.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (tar.waitFor() != 0) {
                throw new IOException("tar failed to unpack " + tarball);
            }
            Files.createFile(done);
        }
        return server;
    }

    @Override
    public Path serverCore()
    {
        return server;
    }

    @Override
    public Map<String, Path> plugins()
    {
        ImmutableMap.Builder<String, Path> plugins = ImmutableMap.builder();
        try (Stream<Path> stock = Files.list(server.resolve("plugin"))) {
            stock.filter(Files::isDirectory).sorted().forEach(plugin -> plugins.put(plugin.getFileName().toString(), plugin));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return plugins.put("hybrid_lakehouse", hybridPlugin).buildOrThrow();
    }
}
