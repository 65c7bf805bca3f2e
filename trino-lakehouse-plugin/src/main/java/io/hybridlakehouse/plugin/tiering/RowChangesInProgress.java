package io.hybridlakehouse.plugin.tiering;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * The DELETE, UPDATE and MERGE statements running on this coordinator, by table. Such a
 * statement commits against the Iceberg files its scan read and fails when a commit in between
 * replaced them; the background merge of small cold files ({@link ColdFileCompactor}) gives way
 * to it instead: it does not start on a table with one running, and drops its work when one
 * started while it ran.
 */
public class RowChangesInProgress
{
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final Map<String, Long> lastStarted = new ConcurrentHashMap<>();

    /**
     * Records a statement changing rows of the table until the returned handle is closed.
     */
    public Runnable begin(String tableUuid)
    {
        requireNonNull(tableUuid, "tableUuid is null");
        running.merge(tableUuid, 1, Integer::sum);
        lastStarted.put(tableUuid, System.nanoTime());
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                running.computeIfPresent(tableUuid, (_, count) -> count == 1 ? null : count - 1);
            }
        };
    }

    /**
     * Whether a statement changing rows of the table runs now, or started after {@code sinceNanos} ({@link System#nanoTime()}).
     */
    public boolean runningOrStartedSince(String tableUuid, long sinceNanos)
    {
        Long started = lastStarted.get(tableUuid);
        return running.containsKey(tableUuid) || (started != null && started - sinceNanos >= 0);
    }
}
