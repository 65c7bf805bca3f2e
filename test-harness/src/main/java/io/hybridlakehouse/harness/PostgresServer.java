package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * A PostgreSQL server from Debian's {@code postgresql} package, on loopback, with its data
 * directory under {@code directory}: the metadata database of a production layout. It is
 * started with the package's own {@code initdb} and {@code pg_ctl}; PostgreSQL refuses to run
 * as root, so as root they run as the package's {@code postgres} user.
 */
public final class PostgresServer
{
    public static final String SUPERUSER = "postgres";
    private static final Path DEBIAN_INSTALLATIONS = Path.of("/usr/lib/postgresql");
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final Path directory;
    private final int port;
    private final String password;
    private final Path binaries;

    public PostgresServer(Path directory, int port, String password)
    {
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.port = port;
        this.password = requireNonNull(password, "password is null");
        this.binaries = installedBinaries();
    }

    public int port()
    {
        return port;
    }

    public String jdbcUrl(String database)
    {
        return "jdbc:postgresql://127.0.0.1:%d/%s".formatted(port, database);
    }

    private Path dataDirectory()
    {
        return directory.resolve("data");
    }

    public Path log()
    {
        return directory.resolve("postgresql.log");
    }

    /**
     * Creates the cluster on first use, starts it unless it runs, and creates the databases
     * that are missing.
     */
    public void start(List<String> databases)
            throws IOException, InterruptedException
    {
        Files.createDirectories(directory);
        giveToServerUser(directory);
        if (isRoot() && execute(asServerUser("test", "-w", directory.toString())).exitCode() != 0) {
            throw new IOException("User %s cannot reach %s: every directory above it must be searchable by others (chmod o+x)".formatted(SUPERUSER, directory));
        }
        if (!Files.exists(dataDirectory().resolve("PG_VERSION"))) {
            Path passwordFile = directory.resolve("initdb-password");
            Files.writeString(passwordFile, password + "\n", UTF_8);
            giveToServerUser(passwordFile);
            try {
                run(asServerUser(binaries.resolve("initdb").toString(), "-D", dataDirectory().toString(), "-U", SUPERUSER,
                        "--auth=scram-sha-256", "--pwfile=" + passwordFile, "--encoding=UTF8", "--locale=C.UTF-8"));
            }
            finally {
                Files.deleteIfExists(passwordFile);
            }
        }
        if (!isRunning()) {
            run(asServerUser(binaries.resolve("pg_ctl").toString(), "-D", dataDirectory().toString(), "-l", log().toString(), "-w", "-t", "60",
                    "-o", "-p %d -c listen_addresses=127.0.0.1 -k %s -c max_connections=300".formatted(port, directory), "start"));
        }
        for (String database : databases) {
            String exists = psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '%s'".formatted(database)).strip();
            if (exists.isEmpty()) {
                psql("postgres", "CREATE DATABASE " + database);
            }
        }
    }

    /**
     * The login role a catalog connects as, owning {@code databases}; its password is (re)set.
     */
    public void ensureRole(String role, String rolePassword, List<String> databases)
            throws IOException, InterruptedException
    {
        String quotedPassword = rolePassword.replace("'", "''");
        if (psql("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '%s'".formatted(role)).strip().isEmpty()) {
            psql("postgres", "CREATE ROLE %s LOGIN PASSWORD '%s'".formatted(role, quotedPassword));
        }
        else {
            psql("postgres", "ALTER ROLE %s PASSWORD '%s'".formatted(role, quotedPassword));
        }
        for (String database : databases) {
            psql("postgres", "ALTER DATABASE %s OWNER TO %s".formatted(database, role));
            psql(database, "ALTER SCHEMA public OWNER TO " + role);
        }
    }

    public boolean isRunning()
            throws IOException, InterruptedException
    {
        if (!Files.exists(dataDirectory().resolve("PG_VERSION"))) {
            return false;
        }
        return execute(asServerUser(binaries.resolve("pg_ctl").toString(), "-D", dataDirectory().toString(), "status")).exitCode() == 0;
    }

    /**
     * A fast shutdown: open connections are cut, as when the database host goes away.
     */
    public void stop()
            throws IOException, InterruptedException
    {
        if (isRunning()) {
            run(asServerUser(binaries.resolve("pg_ctl").toString(), "-D", dataDirectory().toString(), "-m", "fast", "-w", "stop"));
        }
    }

    /**
     * Runs SQL through {@code psql} and returns its unaligned output.
     */
    public String psql(String database, String sql)
            throws IOException, InterruptedException
    {
        return run(ImmutableList.of(binaries.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", SUPERUSER,
                "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql));
    }

    private List<String> asServerUser(String... command)
    {
        ImmutableList.Builder<String> builder = ImmutableList.builder();
        if (isRoot()) {
            builder.add("runuser", "-u", SUPERUSER, "--");
        }
        return builder.add(command).build();
    }

    private void giveToServerUser(Path path)
            throws IOException, InterruptedException
    {
        if (isRoot()) {
            run(ImmutableList.of("chown", "-R", SUPERUSER + ":", path.toString()));
        }
    }

    private static boolean isRoot()
    {
        return "root".equals(System.getProperty("user.name"));
    }

    private String run(List<String> command)
            throws IOException, InterruptedException
    {
        Result result = execute(command);
        if (result.exitCode() != 0) {
            throw new IOException("PostgreSQL command failed (exit %d): %s%n%s%nLog: %s".formatted(result.exitCode(), String.join(" ", command), result.output().strip(), log()));
        }
        return result.output();
    }

    private Result execute(List<String> command)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        // pg_ctl start leaves the server holding inherited descriptors: read the output to the end only for short commands
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("PostgreSQL command did not finish in %s: %s".formatted(COMMAND_TIMEOUT, String.join(" ", command)));
        }
        return new Result(process.exitValue(), output);
    }

    private record Result(int exitCode, String output) {}

    /**
     * The newest PostgreSQL of Debian's layout ({@code /usr/lib/postgresql/<version>/bin}).
     */
    static Path installedBinaries()
    {
        if (Files.isDirectory(DEBIAN_INSTALLATIONS)) {
            try (Stream<Path> versions = Files.list(DEBIAN_INSTALLATIONS)) {
                return versions
                        .filter(version -> Files.isExecutable(version.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(version -> Integer.parseInt(version.getFileName().toString().replaceAll("\\D.*", "0"))))
                        .map(version -> version.resolve("bin"))
                        .orElseThrow(PostgresServer::notInstalled);
            }
            catch (IOException e) {
                throw notInstalled();
            }
        }
        throw notInstalled();
    }

    private static IllegalStateException notInstalled()
    {
        return new IllegalStateException("PostgreSQL is not installed: run 'apt-get install -y postgresql' (Debian's package; the server binaries go to " + DEBIAN_INSTALLATIONS + ")");
    }
}
