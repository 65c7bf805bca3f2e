package io.hybridlakehouse.harness;

import java.nio.file.Path;

final class JavaRuntime
{
    private JavaRuntime() {}

    /**
     * The java executable running this process; the launch scripts make sure it is Java 25+,
     * which the server and CLI need too.
     */
    static Path javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
