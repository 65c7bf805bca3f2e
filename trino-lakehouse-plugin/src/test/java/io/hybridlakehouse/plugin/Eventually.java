package io.hybridlakehouse.plugin;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waits for what the background service does on its own schedule.
 */
final class Eventually
{
    private Eventually() {}

    /**
     * Returns once {@code condition} holds, checking every 250 ms; fails after 60 s.
     */
    static void waitUntil(BooleanSupplier condition)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 60 s").isLessThan(deadline);
            Thread.sleep(250);
        }
    }
}
