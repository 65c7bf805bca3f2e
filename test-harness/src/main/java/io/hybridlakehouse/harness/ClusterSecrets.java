package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * The credentials of a production layout: the metadata database's passwords and the S3 keys.
 * Made at random when the layout is first created and kept in a file only its owner reads;
 * the Trino nodes get them as environment variables, which their catalog file reads as
 * {@code ${ENV:...}}.
 */
public record ClusterSecrets(String databaseSuperuserPassword, String metastorePassword, String s3AccessKey, String s3SecretKey)
{
    public static final String METASTORE_PASSWORD_VARIABLE = "LAKEHOUSE_METASTORE_PASSWORD";
    public static final String S3_ACCESS_KEY_VARIABLE = "LAKEHOUSE_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY_VARIABLE = "LAKEHOUSE_S3_SECRET_KEY";

    public ClusterSecrets
    {
        requireNonNull(databaseSuperuserPassword, "databaseSuperuserPassword is null");
        requireNonNull(metastorePassword, "metastorePassword is null");
        requireNonNull(s3AccessKey, "s3AccessKey is null");
        requireNonNull(s3SecretKey, "s3SecretKey is null");
    }

    public static ClusterSecrets loadOrCreate(Path file)
            throws IOException
    {
        if (Files.exists(file)) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
            return new ClusterSecrets(
                    properties.getProperty("database-superuser-password"),
                    properties.getProperty("metastore-password"),
                    properties.getProperty("s3-access-key"),
                    properties.getProperty("s3-secret-key"));
        }
        ClusterSecrets secrets = new ClusterSecrets(random("pg-"), random("md-"), "AK" + random("").toUpperCase(java.util.Locale.ROOT).substring(0, 18), random("sk-"));
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Properties properties = new Properties();
        properties.setProperty("database-superuser-password", secrets.databaseSuperuserPassword());
        properties.setProperty("metastore-password", secrets.metastorePassword());
        properties.setProperty("s3-access-key", secrets.s3AccessKey());
        properties.setProperty("s3-secret-key", secrets.s3SecretKey());
        try (Writer writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "credentials of this production layout: keep private");
        }
        return secrets;
    }

    /**
     * The environment of every Trino node.
     */
    public Map<String, String> nodeEnvironment()
    {
        return Map.of(
                METASTORE_PASSWORD_VARIABLE, metastorePassword,
                S3_ACCESS_KEY_VARIABLE, s3AccessKey,
                S3_SECRET_KEY_VARIABLE, s3SecretKey);
    }

    private static String random(String prefix)
    {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    @Override
    public String toString()
    {
        return "ClusterSecrets[REDACTED]";
    }
}
