package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

final class TestingPorts
{
    private TestingPorts() {}

    /**
     * A loopback port nothing listens on right now, for a server a test starts.
     */
    static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
