package io.hybridlakehouse.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

/**
 * A TCP proxy on loopback that holds every request a fixed time before passing it on: a
 * loopback S3 server answers in well under a millisecond, S3 itself takes tens of
 * milliseconds to the first byte of each GET. The start of every HTTP request from the client
 * (on a kept-alive connection too) waits {@code delay}; request bodies and responses pass at once.
 */
public final class LatencyProxy
        implements AutoCloseable
{
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final List<String> METHODS = List.of("GET ", "PUT ", "HEAD ", "POST ", "DELETE ");

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Duration delay;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    public LatencyProxy(int targetPort, Duration delay)
            throws IOException
    {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.delay = requireNonNull(delay, "delay is null");
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    public int port()
    {
        return listener.getLocalPort();
    }

    private void accept()
    {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                threads.submit(() -> pump(client, server, true));
                threads.submit(() -> pump(server, client, false));
            }
            catch (SocketException e) {
                // closed
                return;
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean delayed)
    {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (from; to) {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (delayed && startsRequest(buffer, read)) {
                    Thread.sleep(delay);
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        }
        catch (IOException e) {
            // one side closed the connection: the other is closed with it
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean startsRequest(byte[] buffer, int length)
    {
        String start = new String(buffer, 0, Math.min(length, 8), US_ASCII);
        return METHODS.stream().anyMatch(start::startsWith);
    }

    @Override
    public void close()
            throws IOException
    {
        listener.close();
        threads.shutdownNow();
    }
}
