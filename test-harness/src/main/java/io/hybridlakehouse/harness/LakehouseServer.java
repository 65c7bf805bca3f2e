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
 * A real Trino 476 server process with the plugin (a single node, or one node of a
 * {@link LakehouseCluster}), laid out under the
 * configuration's home directory. It outlives the process that started it; its pid is kept
 * in a file so a later {@code ./lakehouse down} can stop it.
 */
public final class LakehouseServer
{
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final ServerDistribution distribution;
    private final ServerConfiguration configuration;

    public LakehouseServer(ServerDistribution distribution, ServerConfiguration configuration)
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
     * What {@code ./lakehouse up} does: start the server unless one already runs, wait until
     * it runs what users run (see {@link ServerReadiness}), and load the demo data unless it
     * is there. A server left by an earlier run that is exiting, or is gone, is replaced.
     */
    public void up(ProgressListener progress)
            throws IOException, InterruptedException, SQLException
    {
        Optional<ProcessHandle> existing = runningProcess();
        if (existing.isPresent()) {
            progress.step("Server already running (pid %d) at %s".formatted(existing.get().pid(), configuration.url()));
            if (!new ServerReadiness(this, existing.get(), 1).await(progress)) {
                progress.step("Server pid %d exited; starting a new one".formatted(existing.get().pid()));
                startNew(progress);
            }
        }
        else {
            startNew(progress);
        }
        try (Connection connection = connect()) {
            new DemoData(progress).loadIfAbsent(connection);
        }
    }

    private void startNew(ProgressListener progress)
            throws IOException, InterruptedException, SQLException
    {
        ProcessHandle process = layOutAndStart(progress);
        if (!new ServerReadiness(this, process, 1).await(progress)) {
            throw new ServerException("Trino server exited during startup", configuration, logTail());
        }
    }

    /**
     * Lays the server out afresh and starts its process, without waiting for it: a cluster
     * starts all its nodes at once and then waits on its coordinator.
     */
    ProcessHandle layOutAndStart(ProgressListener progress)
            throws IOException
    {
        progress.step("Laying out server in " + configuration.serverDirectory());
        new ServerLayout(distribution, configuration).layOut();
        progress.step("Starting Trino 476 on port " + configuration.httpPort());
        return start();
    }

    private ProcessHandle start()
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
        ProcessBuilder builder = new ProcessBuilder(command.build());
        builder.environment().putAll(configuration.environment());
        Process process = builder
                .directory(server.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(configuration.launcherLog().toFile())
                .redirectErrorStream(true)
                .start();
        Files.writeString(configuration.pidFile(), String.valueOf(process.pid()), UTF_8);
        return process.toHandle();
    }

    private static List<String> jvmOptions(Path jvmConfig)
            throws IOException
    {
        return Files.readAllLines(jvmConfig, UTF_8).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
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
        // a pid file left by a crashed server may name an unrelated process by now, or a killed
        // server nobody reaped yet (a zombie still counts as alive): only a live server of ours counts
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> !isZombie(handle))
                .filter(handle -> handle.info().arguments()
                        .map(arguments -> Stream.of(arguments).anyMatch("io.trino.server.TrinoServer"::equals))
                        .orElse(false));
    }

    static boolean isZombie(ProcessHandle process)
    {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"), UTF_8);
            // the state follows the command name, which is in parentheses and may itself hold spaces
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return afterName.startsWith("Z") || afterName.startsWith("X");
        }
        catch (IOException | RuntimeException e) {
            // no /proc entry: the process is gone
            return !process.isAlive();
        }
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
        private final String logTail;

        public ServerException(String message, ServerConfiguration configuration, String logTail)
        {
            super(message + " (server log: " + configuration.serverLog() + ", launcher log: " + configuration.launcherLog() + ")");
            this.logTail = requireNonNull(logTail, "logTail is null");
        }

        public String logTail()
        {
            return logTail;
        }
    }

    public interface ProgressListener
    {
        void step(String message);
    }
}
