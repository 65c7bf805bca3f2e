package io.hybridlakehouse.harness;

import java.time.Duration;

/**
 * Stopping the helper processes a layout starts (S3 server, REST catalog server).
 */
final class Processes
{
    private static final Duration GRACE = Duration.ofSeconds(30);

    private Processes() {}

    /**
     * SIGTERM, then SIGKILL after a grace period. Waits by polling: a process this JVM started
     * but no longer holds a {@code Process} for may stay a zombie, which {@code onExit} never reports.
     */
    static void stop(ProcessHandle process)
            throws InterruptedException
    {
        process.destroy();
        if (!awaitExit(process, GRACE)) {
            process.destroyForcibly();
            awaitExit(process, GRACE);
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive() && !LakehouseServer.isZombie(process)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }
}
