package io.hybridlakehouse.harness;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a server is laid out from: Trino's libraries, the plugin directories it loads, the CLI.
 */
public interface ServerDistribution
{
    /** The unpacked Trino server whose {@code lib/} the server runs. */
    Path serverCore();

    /** Plugin directories by the name they get under the server's {@code plugin/} directory. */
    Map<String, Path> plugins();

    Path cliJar();
}
