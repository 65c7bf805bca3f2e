package io.hybridlakehouse.plugin.mv;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.HybridConfig;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.NodeManager;
import io.trino.spi.connector.SchemaTableName;
import jakarta.annotation.PreDestroy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadScheduledExecutor;

/**
 * The materialized view builds this process runs, renewed in the metastore a few times per
 * lease ({@code hybrid.materialized-views.build-lease}). A build that stops being renewed (its
 * coordinator died, or its statement failed after the view was switched to the state being
 * built) is abandoned; {@link ViewBuildRecovery} takes it over. A renewal the metastore missed
 * is made up by the next one, so only a lease without any renewal counts.
 */
public class ViewBuildLeases
{
    private static final Logger log = Logger.get(ViewBuildLeases.class);

    private final String owner = UUID.randomUUID().toString();
    private final SegmentStore segmentStore;
    private final Duration lease;
    private final Map<SchemaTableName, Integer> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer = newSingleThreadScheduledExecutor(daemonThreadsNamed("hybrid-view-build-leases"));

    /**
     * A build this process runs, renewed until closed; closing does not end the lease in the
     * metastore, which expires as a dead process's would.
     */
    public interface Lease
            extends AutoCloseable
    {
        @Override
        void close();
    }

    @Inject
    public ViewBuildLeases(SegmentStore segmentStore, HybridConfig config, NodeManager nodeManager)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.lease = Duration.ofMillis(config.getViewBuildLease().toMillis());
        // builds run in metadata calls, on the coordinator: a worker holds none to renew
        if (nodeManager.getCurrentNode().isCoordinator()) {
            long renewMillis = Math.max(lease.toMillis() / 4, 100);
            renewer.scheduleWithFixedDelay(this::renew, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        }
    }

    @PreDestroy
    public void stop()
    {
        renewer.shutdownNow();
    }

    /**
     * This process, as the owner of the builds it runs.
     */
    public String owner()
    {
        return owner;
    }

    public Duration lease()
    {
        return lease;
    }

    /**
     * Builds last renewed before this instant are abandoned.
     */
    public Instant expiredBefore(Instant now)
    {
        return now.minus(lease);
    }

    public Lease hold(SchemaTableName view)
    {
        held.merge(view, 1, Integer::sum);
        return () -> held.computeIfPresent(view, (_, count) -> count == 1 ? null : count - 1);
    }

    public boolean holds(SchemaTableName view)
    {
        return held.containsKey(view);
    }

    private void renew()
    {
        try {
            segmentStore.renewViewBuilds(held.keySet(), owner);
        }
        catch (RuntimeException e) {
            log.warn(e, "Renewing the leases of materialized view builds %s failed; retried in a moment", held.keySet());
        }
    }
}
