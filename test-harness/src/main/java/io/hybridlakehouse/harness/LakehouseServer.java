package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * A real single-node Trino 476 server process with the plugin, laid out under the
 * configuration's home directory. It outlives the process that started it; its pid is kept
 * in a file so a later {@code ./lakehouse down} can stop it.
 */
public final class LakehouseServer
{
    private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final TrinoDistribution distribution;
    private final ServerConfiguration configuration;

    public LakehouseServer(TrinoDistribution distribution, ServerConfiguration configuration)
    {
        this.distribution = requireNonNull(distribution, "distribution is null");
        this.configuration = requireNonNull(configuration, "configuration is null");
    }

    public ServerConfiguration configuration()
    {
        return configuration;
    }

    public TrinoCli cli()
    {
        return new TrinoCli(distribution.cliJar(), configuration.url());
    }

    /**
     * What {@code ./lakehouse up} does: start the server unless it already runs, wait until
     * it answers queries, and load the demo data unless it is there.
     */
    public void up(ProgressListener progress)
            throws IOException, InterruptedException, SQLException
    {
        if (runningProcess().isPresent()) {
            progress.step("Server already running (pid %d) at %s".formatted(runningProcess().get().pid(), configuration.url()));
        }
        else {
            progress.step("Laying out server in " + configuration.serverDirectory());
            new ServerLayout(distribution, configuration).layOut();
            progress.step("Starting Trino 476 on port " + configuration.httpPort());
            start();
        }
        awaitReady(progress);
        try (Connection connection = connect()) {
            new DemoData(progress).loadIfAbsent(connection);
        }
    }

    private void start()
            throws IOException
    {
        Path server = configuration.serverDirectory();
        ImmutableList.Builder<String> command = ImmutableList.builder();
        // its own session, so closing the terminal or Ctrl-C in it does not stop the server
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(JavaRuntime.javaExecutable().toString());
        command.addAll(jvmOptions(server.resolve("etc/jvm.config")));
        for (String line : Files.readAllLines(server.resolve("etc/node.properties"), UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                command.add("-D" + line.strip());
            }
        }
        command.add(
                "-Dconfig=etc/config.properties",
                "-Dlog.levels-file=etc/log.properties",
                "-Dlog.output-file=" + configuration.serverLog(),
                "-cp", server.resolve("lib").toAbsolutePath() + "/*",
                "io.trino.server.TrinoServer");

        Files.deleteIfExists(configuration.launcherLog());
        Process process = new ProcessBuilder(command.build())
                .directory(server.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(configuration.launcherLog().toFile())
                .redirectErrorStream(true)
                .start();
        Files.writeString(configuration.pidFile(), String.valueOf(process.pid()), UTF_8);
    }

    private static List<String> jvmOptions(Path jvmConfig)
            throws IOException
    {
        return Files.readAllLines(jvmConfig, UTF_8).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    public void awaitReady(ProgressListener progress)
            throws IOException, InterruptedException
    {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String lastError = "";
        while (System.nanoTime() < deadline) {
            if (runningProcess().isEmpty()) {
                throw new ServerException("Trino server exited during startup", configuration, logTail());
            }
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                // the first query right after start can fail with "No nodes available"
                statement.execute("SELECT 1");
                progress.step("Server ready at " + configuration.url());
                return;
            }
            catch (SQLException e) {
                lastError = e.getMessage();
            }
            Thread.sleep(500);
        }
        throw new ServerException("Trino server not ready after %s (last error: %s)".formatted(STARTUP_TIMEOUT, lastError), configuration, logTail());
    }

    public Connection connect()
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", "lakehouse");
        return DriverManager.getConnection("jdbc:trino://127.0.0.1:%d/lakehouse".formatted(configuration.httpPort()), properties);
    }

    /**
     * Stops the server, gracefully first. Returns whether a server was running.
     */
    public boolean down()
            throws IOException
    {
        Optional<ProcessHandle> process = runningProcess();
        if (process.isEmpty()) {
            Files.deleteIfExists(configuration.pidFile());
            return false;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(SHUTDOWN_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (Exception e) {
            process.get().destroyForcibly();
            process.get().onExit().join();
        }
        Files.deleteIfExists(configuration.pidFile());
        return true;
    }

    public Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        if (!Files.exists(configuration.pidFile())) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(configuration.pidFile(), UTF_8).strip());
        // a pid file left by a crashed server may name an unrelated process by now: check it runs our server
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().arguments()
                        .map(arguments -> Stream.of(arguments).anyMatch("io.trino.server.TrinoServer"::equals))
                        .orElse(true));
    }

    public String logTail()
    {
        StringBuilder tail = new StringBuilder();
        for (Path log : List.of(configuration.launcherLog(), configuration.serverLog())) {
            try {
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log, UTF_8);
                    tail.append("--- last lines of ").append(log).append('\n');
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(line -> tail.append(line).append('\n'));
                }
            }
            catch (IOException ignored) {
                // best effort: the log path is printed anyway
            }
        }
        return tail.toString();
    }

    public static class ServerException
            extends RuntimeException
    {
        public ServerException(String message, ServerConfiguration configuration, String logTail)
        {
            super(message + "\nServer log: " + configuration.serverLog() + "\nLauncher log: " + configuration.launcherLog() + "\n" + logTail);
        }
    }

    public interface ProgressListener
    {
        void step(String message);
    }
}
