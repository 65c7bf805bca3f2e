package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    private final Path jar;
    private final Path directory;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final ServiceProcess process;

    public S3Server(Path jar, Path directory, int port, String accessKey, String secretKey)
    {
        this.jar = requireNonNull(jar, "jar is null");
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.port = port;
        this.accessKey = requireNonNull(accessKey, "accessKey is null");
        this.secretKey = requireNonNull(secretKey, "secretKey is null");
        // an anonymous request is refused (403), which proves the server answers
        this.process = new ServiceProcess("s3proxy", this.directory, URI.create(endpoint() + "/"), 0);
    }

    public String endpoint()
    {
        return "http://127.0.0.1:" + port;
    }

    private Path objects()
    {
        return directory.resolve("objects");
    }

    public Path log()
    {
        return process.log();
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
                .add("-Xmx512m", "--sun-misc-unsafe-memory-access=allow")
                .add("-jar", jar.toString(), "--properties", properties.toString())
                .build();
        process.start(command, Map.of());
    }

    public void stop()
            throws IOException, InterruptedException
    {
        process.stop();
    }

    public Optional<ProcessHandle> runningProcess()
            throws IOException
    {
        return process.runningProcess();
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
