package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * An S3-compatible server on loopback: S3Proxy (the {@code org.gaul:s3proxy} executable jar
 * staged by the build) storing objects as files under {@code directory}, one directory per
 * bucket. Every read of table data through it is an HTTP request, as against S3.
 */
public final class S3Server
{
    public static final String REGION = "us-east-1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final Path jar;
    private final Path directory;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    public S3Server(Path jar, Path directory, int port, String accessKey, String secretKey)
    {
        this.jar = requireNonNull(jar, "jar is null");
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.port = port;
        this.accessKey = requireNonNull(accessKey, "accessKey is null");
        this.secretKey = requireNonNull(secretKey, "secretKey is null");
    }

    public String endpoint()
    {
        return "http://127.0.0.1:" + port;
    }

    private Path objects()
    {
        return directory.resolve("objects");
    }

    private Path pidFile()
    {
        return directory.resolve("s3proxy.pid");
    }

    public Path log()
    {
        return directory.resolve("s3proxy.log");
    }

    /**
     * Starts the server unless it runs, with the buckets that are missing.
     */
    public void start(List<String> buckets)
            throws IOException, InterruptedException
    {
        for (String bucket : buckets) {
            Files.createDirectories(objects().resolve(bucket));
        }
        if (runningProcess().isPresent()) {
            return;
        }
        if (answers()) {
            throw new IOException("Port %d is taken by another process: stop it, or choose another port".formatted(port));
        }
        Path properties = directory.resolve("s3proxy.properties");
        // ignore-unknown-headers: the AWS SDK of Trino 476 sends headers S3Proxy 2.6 does not know (x-amz-optional-object-attributes)
        Files.writeString(properties, """
                s3proxy.endpoint=%s
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=%s
                s3proxy.credential=%s
                s3proxy.ignore-unknown-headers=true
                jclouds.provider=filesystem-nio2
                jclouds.identity=local
                jclouds.credential=local
                jclouds.filesystem.basedir=%s
                """.formatted(endpoint(), accessKey, secretKey, objects()), UTF_8);
        List<String> command = ImmutableList.<String>builder()
                .add(JavaRuntime.javaExecutable().toString())
                .add("-Xmx512m", "--sun-misc-unsafe-memory-access=allow")
                .add("-jar", jar.toString(), "--properties", properties.toString())
                .build();
        ImmutableList.Builder<String> detached = ImmutableList.builder();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            detached.add("/usr/bin/setsid");
        }
        Process process = new ProcessBuilder(detached.addAll(command).build())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(log().toFile())
                .redirectErrorStream(true)
                .start();
        Files.writeString(pidFile(), String.valueOf(process.pid()), UTF_8);
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited during startup; log: " + log());
            }
            if (answers()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IOException("S3Proxy not answering on %s after %s; log: %s".formatted(endpoint(), STARTUP_TIMEOUT, log()));
    }

    private boolean answers()
    {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(1000);
            // an anonymous request is refused (403), which proves the server answers
            return connection.getResponseCode() > 0;
        }
        catch (IOException e) {
            return false;
        }
    }

    public void stop()
            throws IOException, InterruptedException
    {
        Optional<ProcessHandle> process = runningProcess();
        if (process.isPresent()) {
            Processes.stop(process.get());
        }
        Files.deleteIfExists(pidFile());
    }

    public Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        if (!Files.exists(pidFile())) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(pidFile(), UTF_8).strip());
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> handle.info().arguments()
                        .map(arguments -> Stream.of(arguments).anyMatch(argument -> argument.equals(jar.toString())))
                        .orElse(false));
    }

    /**
     * Bytes of objects stored under a bucket's key prefix: what the cold tier occupies.
     */
    public long storedBytes(String bucket, String prefix)
            throws IOException
    {
        Path root = objects().resolve(bucket).resolve(prefix);
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
