package io.hybridlakehouse.plugin.tiering;

import com.google.common.util.concurrent.Striped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;

import static java.util.Objects.requireNonNull;

/**
 * The DELETE, UPDATE and MERGE statements running on this coordinator, by table. Such a
 * statement commits against the Iceberg files its scan read and fails when a commit in between
 * replaced them; the background merge of small cold files ({@link ColdFileCompactor}) gives way
 * to it instead: it does not start on a table with one running, and drops its work when one
 * started while it ran. A statement's start and a merge's commit exclude each other, so a
 * statement that started has either held the merge off or sees its commit: one that read the
 * table before the merge committed then reads the merge's snapshot, the same rows in other
 * files (see {@link #mergedSince}).
 */
public class RowChangesInProgress
{
    private final Striped<Lock> tableLocks = Striped.lock(64);
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final Map<String, Long> lastStarted = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastMerged = new ConcurrentHashMap<>();

    /**
     * Records a statement changing rows of the table until the returned handle is closed. Waits
     * for a merge of the table's files that is committing.
     */
    public Runnable begin(String tableUuid)
    {
        requireNonNull(tableUuid, "tableUuid is null");
        Lock lock = tableLocks.get(tableUuid);
        lock.lock();
        try {
            running.merge(tableUuid, 1, Integer::sum);
            lastStarted.put(tableUuid, System.nanoTime());
        }
        finally {
            lock.unlock();
        }
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

    /**
     * Runs a merge's {@code commit} unless a statement changing rows of the table runs now or
     * started after {@code sinceNanos}; a statement starting meanwhile waits until it is done.
     *
     * @return whether it committed
     */
    public boolean commitUnlessRowChanges(String tableUuid, long sinceNanos, Runnable commit)
    {
        Lock lock = tableLocks.get(tableUuid);
        lock.lock();
        try {
            if (runningOrStartedSince(tableUuid, sinceNanos)) {
                return false;
            }
            commit.run();
            lastMerged.put(tableUuid, Instant.now());
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Whether a merge of the table's files committed at or after {@code instant}.
     */
    public boolean mergedSince(String tableUuid, Instant instant)
    {
        Instant merged = lastMerged.get(tableUuid);
        return merged != null && !merged.isBefore(instant);
    }
}
