package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * A Java service a layout runs beside Trino (the S3 server, the REST catalog server) as a detached
 * process: started unless it runs, found again by its pid file, ready once its HTTP endpoint
 * answers, stopped with SIGTERM and then SIGKILL.
 */
final class ServiceProcess
{
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final Path pidFile;
    private final Path log;
    // an argument naming the service tells its process from another that took its pid; read from
    // /proc: ProcessHandle.Info gives no arguments at all for a command line as long as a class path of ~80 jars
    private final String marker;
    private final URI health;
    private final int readyStatus;

    /**
     * {@code health}: answers {@code readyStatus} once the service serves (0: any HTTP answer).
     */
    ServiceProcess(String name, Path directory, URI health, int readyStatus)
    {
        this.name = requireNonNull(name, "name is null");
        this.pidFile = directory.resolve(name + ".pid");
        this.log = directory.resolve(name + ".log");
        this.marker = "-Dlakehouse.service=" + name;
        this.health = requireNonNull(health, "health is null");
        this.readyStatus = readyStatus;
    }

    Path log()
    {
        return log;
    }

    /**
     * Starts {@code java} with {@code arguments} unless the service runs.
     */
    void start(List<String> arguments, Map<String, String> environment)
            throws IOException, InterruptedException
    {
        if (runningProcess().isPresent()) {
            return;
        }
        if (answers()) {
            throw new IOException("%s cannot start: %s is served by another process; stop it or choose another port".formatted(name, health));
        }
        Files.createDirectories(pidFile.getParent());
        ImmutableList.Builder<String> detached = ImmutableList.builder();
        // its own session, so closing the terminal that started it does not stop it
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            detached.add("/usr/bin/setsid");
        }
        detached.add(JavaRuntime.javaExecutable().toString(), marker).addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(detached.build())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(log.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Files.writeString(pidFile, String.valueOf(process.pid()), UTF_8);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("%s exited during startup; log: %s".formatted(name, log));
            }
            if (answers()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("%s not answering on %s after %s; log: %s".formatted(name, health, STARTUP_TIMEOUT, log));
    }

    private boolean answers()
    {
        try {
            HttpURLConnection connection = (HttpURLConnection) health.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            int status = connection.getResponseCode();
            return readyStatus == 0 ? status > 0 : status == readyStatus;
        }
        catch (IOException e) {
            return false;
        }
    }

    /**
     * SIGTERM, then SIGKILL after a grace period. Waits by polling: a process this JVM started
     * but holds no {@code Process} for may stay a zombie, which {@code onExit} never reports.
     */
    void stop()
            throws IOException, InterruptedException
    {
        Optional<ProcessHandle> process = runningProcess();
        if (process.isPresent()) {
            process.get().destroy();
            if (!awaitExit(process.get())) {
                process.get().destroyForcibly();
                awaitExit(process.get());
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private static boolean awaitExit(ProcessHandle process)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        while (process.isAlive() && !LakehouseServer.isZombie(process)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(pidFile, UTF_8).strip());
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> !LakehouseServer.isZombie(handle))
                .filter(handle -> commandLine(handle).contains(marker));
    }

    private static String commandLine(ProcessHandle process)
    {
        try {
            // arguments separated by NUL bytes
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline")), UTF_8);
        }
        catch (IOException e) {
            return process.info().commandLine().orElse("");
        }
    }
}
