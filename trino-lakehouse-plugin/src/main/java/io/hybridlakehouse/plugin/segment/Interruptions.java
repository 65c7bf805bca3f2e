package io.hybridlakehouse.plugin.segment;

import io.trino.spi.TrinoException;

import static io.trino.spi.StandardErrorCode.USER_CANCELED;

/**
 * Step boundaries of compaction and tiering where an interrupted thread stops: Trino interrupts
 * the task of a killed or cancelled query ({@code ALTER TABLE ... EXECUTE}), and a server
 * shutting down interrupts the background service. Each boundary lies before a commit, so
 * stopping there leaves the table as it was and only unreferenced files, which the orphan sweep
 * collects.
 */
public final class Interruptions
{
    private Interruptions() {}

    public static void checkNotInterrupted(String work)
    {
        if (Thread.currentThread().isInterrupted()) {
            throw new TrinoException(USER_CANCELED, work + " stopped before its commit: its query was cancelled or the server is shutting down");
        }
    }
}
