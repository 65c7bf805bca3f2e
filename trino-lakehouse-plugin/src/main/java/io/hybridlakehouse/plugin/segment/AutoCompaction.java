package io.hybridlakehouse.plugin.segment;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.HybridConfig;
import io.trino.spi.connector.ConnectorSession;
import jakarta.annotation.PreDestroy;
import org.apache.iceberg.Table;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadExecutor;

/**
 * Keeps the number of segments per partition bounded without the user asking: after an
 * INSERT commits, the table is queued (once) for a background check, which compacts the
 * segments of about the same size of a partition once they went past
 * {@code hybrid.compaction.segment-threshold} (see {@link SegmentCompactor#sizeClass}). The
 * INSERT itself never waits for it.
 */
public class AutoCompaction
{
    private static final Logger log = Logger.get(AutoCompaction.class);

    private final SegmentCompactor compactor;
    private final int threshold;
    private final ExecutorService executor = newSingleThreadExecutor(daemonThreadsNamed("hybrid-auto-compaction"));
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    @Inject
    public AutoCompaction(SegmentCompactor compactor, HybridConfig config)
    {
        this.compactor = requireNonNull(compactor, "compactor is null");
        this.threshold = config.getCompactionSegmentThreshold();
    }

    public void afterInsert(ConnectorSession session, Table table)
    {
        if (threshold <= 0 || !queued.add(table.uuid().toString())) {
            return;
        }
        executor.execute(() -> {
            queued.remove(table.uuid().toString());
            try {
                if (compactor.needsCompaction(table, threshold)) {
                    SegmentCompactor.Result result = compactor.compactSimilarSizes(session, table, threshold);
                    log.debug("Auto-compaction of %s: %s", table.name(), result);
                }
            }
            catch (RuntimeException e) {
                // the segments stay as they are and readable; the next INSERT retries
                log.warn(e, "Auto-compaction of %s failed", table.name());
            }
        });
    }

    @PreDestroy
    public void shutdown()
    {
        executor.shutdownNow();
    }
}
