package io.hybridlakehouse.plugin.mv;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.HybridConnector;
import io.hybridlakehouse.plugin.metadata.HybridMetadata;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.tiering.BackgroundSession;
import io.hybridlakehouse.plugin.tiering.TieringConfig;
import io.trino.spi.NodeManager;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.SchemaTableName;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static io.trino.spi.transaction.IsolationLevel.READ_COMMITTED;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadScheduledExecutor;

/**
 * Takes up materialized view builds whose process stopped renewing them (see
 * {@link ViewBuildLeases}): a coordinator that died during a CREATE, REFRESH or CREATE OR
 * REPLACE, or a REFRESH that failed after switching the view to its new state. Until a view is
 * built again it answers from its bases and its bases' hot rows are not tiered, so an
 * interrupted REFRESH or replacement is built again; an interrupted CREATE is undone, as its
 * statement failed. Runs on the coordinator every {@code hybrid.tiering.interval}, with the
 * tiering service; a build that fails again is retried after twice the previous wait, up to
 * an hour.
 */
public class ViewBuildRecovery
{
    private static final Logger log = Logger.get(ViewBuildRecovery.class);
    private static final Duration MAX_RETRY_WAIT = Duration.ofHours(1);

    private final HybridConnector connector;
    private final SegmentStore segmentStore;
    private final ViewBuildLeases leases;
    private final BackgroundSession sessions;
    private final TieringConfig config;
    private final boolean coordinator;
    private final Map<SchemaTableName, Retry> retries = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;

    private record Retry(int failures, Instant notBefore) {}

    @Inject
    public ViewBuildRecovery(HybridConnector connector, SegmentStore segmentStore, ViewBuildLeases leases, BackgroundSession sessions, TieringConfig config, NodeManager nodeManager)
    {
        this.connector = requireNonNull(connector, "connector is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.leases = requireNonNull(leases, "leases is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.config = requireNonNull(config, "config is null");
        this.coordinator = nodeManager.getCurrentNode().isCoordinator();
    }

    @PostConstruct
    public void start()
    {
        if (!config.isEnabled() || !coordinator) {
            return;
        }
        long intervalMillis = config.getInterval().toMillis();
        executor = newSingleThreadScheduledExecutor(daemonThreadsNamed("hybrid-view-build-recovery"));
        executor.scheduleWithFixedDelay(this::runOnce, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    public void stop()
    {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    public void runOnce()
    {
        Instant now = Instant.now();
        Instant expiredBefore = leases.expiredBefore(now);
        List<AbandonedViewBuild> builds;
        try {
            builds = segmentStore.abandonedViewBuilds(expiredBefore);
        }
        catch (RuntimeException e) {
            log.warn(e, "Cannot read the materialized view builds to recover");
            return;
        }
        retries.keySet().retainAll(builds.stream().map(build -> build.view().name()).toList());
        for (AbandonedViewBuild build : builds) {
            SchemaTableName name = build.view().name();
            Retry retry = retries.get(name);
            // a build of this process that only missed renewals is still running
            if (leases.holds(name) || (retry != null && now.isBefore(retry.notBefore()))) {
                continue;
            }
            try {
                if (!segmentStore.takeOverViewBuild(build, leases.owner(), expiredBefore)) {
                    continue;
                }
            }
            catch (RuntimeException e) {
                log.warn(e, "Cannot take over the interrupted build of materialized view %s; retried on the next run", name);
                continue;
            }
            try (ViewBuildLeases.Lease _ = leases.hold(name)) {
                recover(build);
                retries.remove(name);
            }
            catch (RuntimeException e) {
                int failures = retry == null ? 1 : retry.failures() + 1;
                Duration wait = leases.lease().multipliedBy(1L << Math.min(failures - 1, 20));
                wait = wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait;
                retries.put(name, new Retry(failures, Instant.now().plus(wait)));
                log.warn(e, "Recovering the interrupted build of materialized view %s failed (%s times); retried in %s, or run REFRESH MATERIALIZED VIEW %s", name, failures, wait, name);
            }
        }
    }

    private void recover(AbandonedViewBuild build)
    {
        ConnectorSession session = sessions.create();
        ConnectorTransactionHandle transaction = connector.beginTransaction(READ_COMMITTED, false, true);
        try {
            HybridMetadata metadata = (HybridMetadata) connector.getMetadata(session, transaction);
            metadata.recoverMaterializedViewBuild(session, build);
        }
        catch (RuntimeException e) {
            connector.rollback(transaction);
            throw e;
        }
        connector.commit(transaction);
    }
}
