package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * The {@code iceberg-java} module as the build left it: Apache Iceberg's own Java libraries
 * (the REST catalog server, the generic reader) on a class path of their own, run as separate
 * processes so none of them meets Trino's classes.
 */
public record IcebergJava(Path target)
{
    public static final String SYSTEM_PROPERTY = "iceberg.java.directory";

    public IcebergJava
    {
        requireNonNull(target, "target is null");
    }

    public static IcebergJava fromSystemProperty()
    {
        String location = System.getProperty(SYSTEM_PROPERTY);
        if (location == null) {
            throw new IllegalStateException("System property " + SYSTEM_PROPERTY + " is not set");
        }
        return new IcebergJava(Path.of(location));
    }

    public String classPath()
    {
        Path dependencies = target.resolve("classpath.txt");
        if (!Files.exists(dependencies)) {
            throw new IllegalStateException("Iceberg class path not built at " + dependencies + ": build with ./mvnw -B -DskipTests package");
        }
        try {
            return target.resolve("classes") + ":" + Files.readString(dependencies, UTF_8).strip();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
