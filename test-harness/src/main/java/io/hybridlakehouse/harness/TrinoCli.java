package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * The real {@code trino-cli} executable jar, run as a separate process the way a user runs it.
 */
public final class TrinoCli
{
    private final Path cliJar;
    private final String serverUrl;

    public TrinoCli(Path cliJar, String serverUrl)
    {
        this.cliJar = requireNonNull(cliJar, "cliJar is null");
        this.serverUrl = requireNonNull(serverUrl, "serverUrl is null");
    }

    public record Result(int exitCode, String output, String error)
    {
        public Result
        {
            requireNonNull(output, "output is null");
            requireNonNull(error, "error is null");
        }

        public Result assertSuccess()
        {
            if (exitCode != 0) {
                throw new IllegalStateException("trino-cli exited with " + exitCode + ": " + error.strip());
            }
            return this;
        }

        public List<String> lines()
        {
            return output.lines().toList();
        }
    }

    /**
     * Runs SQL in batch mode ({@code --execute}) and returns what the CLI printed.
     */
    public Result execute(String sql, String... extraArguments)
            throws IOException, InterruptedException
    {
        List<String> command = ImmutableList.<String>builder()
                .addAll(baseCommand())
                .add("--execute", sql)
                .add(extraArguments)
                .build();
        Path stdout = Files.createTempFile("trino-cli", ".out");
        Path stderr = Files.createTempFile("trino-cli", ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("trino-cli did not finish within 10 minutes: " + sql);
            }
            return new Result(process.exitValue(), Files.readString(stdout, UTF_8), Files.readString(stderr, UTF_8));
        }
        finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /**
     * Opens the interactive CLI on this terminal.
     */
    public int interactive(List<String> extraArguments)
            throws IOException, InterruptedException
    {
        List<String> command = ImmutableList.<String>builder()
                .addAll(baseCommand())
                .addAll(extraArguments)
                .build();
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private List<String> baseCommand()
    {
        return ImmutableList.of(
                JavaRuntime.javaExecutable().toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Dorg.jline.terminal.dumb=" + (System.console() == null),
                "-jar", cliJar.toString(),
                "--server", serverUrl,
                "--catalog", "lakehouse",
                "--user", System.getProperty("user.name", "lakehouse"));
    }
}
