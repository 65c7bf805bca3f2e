package io.hybridlakehouse.plugin.split;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.cache.CacheStats;
import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.HybridConfig;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The files Iceberg planned for recent cold scans, kept on the coordinator by table snapshot,
 * filter and the columns whose statistics the scan read. A snapshot's files never change, so a
 * plan is valid as long as it is kept: a query repeated on an unchanged table skips decoding the
 * manifests, the larger part of a small query's own planning. Only plans Iceberg listed to the
 * end are kept (a scan stopped early by a LIMIT keeps nothing), and only plans of at most
 * {@value #MAX_FILES_PER_PLAN} files: reading a longer plan costs little beside the scan.
 */
public class ColdScanPlans
{
    @VisibleForTesting
    static final int MAX_FILES_PER_PLAN = 1_000;

    /**
     * Keeps no plan: for scans whose filter differs from one query to the next (a join's dynamic filter).
     */
    static final ColdScanPlans NONE = new ColdScanPlans(0);

    private final Optional<Cache<PlanKey, List<FileScanTask>>> plans;

    @Inject
    public ColdScanPlans(HybridConfig config)
    {
        this(config.getColdPlanCacheMaxFiles());
    }

    @VisibleForTesting
    ColdScanPlans(long maxFiles)
    {
        this.plans = maxFiles == 0
                ? Optional.empty()
                : Optional.of(CacheBuilder.newBuilder()
                        // one segment: Guava divides the weight among its segments, and a plan
                        // heavier than its segment's share would be dropped as soon as it is kept
                        .concurrencyLevel(1)
                        .maximumWeight(maxFiles)
                        // an empty plan weighs one, as the entry itself is kept
                        .<PlanKey, List<FileScanTask>>weigher((_, tasks) -> tasks.size() + 1)
                        .recordStats()
                        .build());
    }

    /**
     * The scan, answering {@code planFiles} from the plans kept when its filter and statistics
     * match one, and keeping what it plans otherwise. The scan must be of the given snapshot.
     */
    public TableScan cachingScan(TableScan scan, Table table, long snapshotId)
    {
        // without a cache the scan still filters as PlanCachingTableScan does, and plans every time
        return new PlanCachingTableScan(scan, this, new PlanKey(table.uuid(), table.location(), snapshotId, scan.schema().schemaId(), ImmutableList.of(), ColumnStatistics.NONE));
    }

    @VisibleForTesting
    CacheStats stats()
    {
        return plans.map(Cache::stats).orElseGet(() -> new CacheStats(0, 0, 0, 0, 0, 0));
    }

    @VisibleForTesting
    long plansKept()
    {
        return plans.map(Cache::size).orElse(0L);
    }

    /**
     * The plan kept under the key, or the planner's, recorded as it is read; the planner is not
     * called for a kept plan, as Iceberg reads the snapshot's manifest list when asked to plan.
     */
    CloseableIterable<FileScanTask> planFiles(PlanKey key, Supplier<CloseableIterable<FileScanTask>> planner)
    {
        if (plans.isEmpty()) {
            return planner.get();
        }
        Cache<PlanKey, List<FileScanTask>> cache = plans.get();
        List<FileScanTask> kept = cache.getIfPresent(key);
        if (kept != null) {
            return CloseableIterable.withNoopClose(kept);
        }
        CloseableIterable<FileScanTask> planned = planner.get();
        return new CloseableIterable<>()
        {
            @Override
            public CloseableIterator<FileScanTask> iterator()
            {
                return new KeepingIterator(planned.iterator(), tasks -> cache.put(key, tasks));
            }

            @Override
            public void close()
                    throws IOException
            {
                planned.close();
            }
        };
    }

    /**
     * What identifies a plan: the table (its UUID, as a name may come back as another table,
     * and its location, as a copy of a table with its paths rewritten keeps the UUID and the
     * snapshot IDs), the snapshot, the schema the filter's column names are bound in, the filter's conjuncts
     * in the order the scan was given them, and the statistics the scan was asked to return.
     */
    record PlanKey(UUID tableUuid, String tableLocation, long snapshotId, int schemaId, List<ScanFilterKey> filters, ColumnStatistics statistics)
    {
        PlanKey
        {
            requireNonNull(tableUuid, "tableUuid is null");
            requireNonNull(tableLocation, "tableLocation is null");
            filters = ImmutableList.copyOf(filters);
            requireNonNull(statistics, "statistics is null");
        }

        PlanKey withFilter(ScanFilterKey filter)
        {
            return new PlanKey(tableUuid, tableLocation, snapshotId, schemaId, ImmutableList.<ScanFilterKey>builder().addAll(filters).add(filter).build(), statistics);
        }

        PlanKey withStatistics(ColumnStatistics statistics)
        {
            return new PlanKey(tableUuid, tableLocation, snapshotId, schemaId, filters, statistics);
        }
    }

    /**
     * The column statistics a scan was asked for, as it was asked: none, all
     * ({@code includeColumnStats()}), or those of some columns.
     */
    record ColumnStatistics(boolean included, Optional<Set<String>> columns)
    {
        static final ColumnStatistics NONE = new ColumnStatistics(false, Optional.empty());
        static final ColumnStatistics ALL = new ColumnStatistics(true, Optional.empty());

        ColumnStatistics
        {
            columns = columns.map(Set::copyOf);
        }

        static ColumnStatistics of(Collection<String> columns)
        {
            return new ColumnStatistics(true, Optional.of(Set.copyOf(columns)));
        }
    }

    /**
     * Passes the planned files on while recording them; hands the record over when the plan
     * ran to its end within the limit.
     */
    private static final class KeepingIterator
            implements CloseableIterator<FileScanTask>
    {
        private final CloseableIterator<FileScanTask> planned;
        private final Consumer<List<FileScanTask>> onComplete;
        private List<FileScanTask> seen = new ArrayList<>();

        private KeepingIterator(CloseableIterator<FileScanTask> planned, Consumer<List<FileScanTask>> onComplete)
        {
            this.planned = requireNonNull(planned, "planned is null");
            this.onComplete = requireNonNull(onComplete, "onComplete is null");
        }

        @Override
        public boolean hasNext()
        {
            boolean more = planned.hasNext();
            if (!more && seen != null) {
                onComplete.accept(ImmutableList.copyOf(seen));
                seen = null;
            }
            return more;
        }

        @Override
        public FileScanTask next()
        {
            FileScanTask task = planned.next();
            if (seen != null) {
                if (seen.size() < MAX_FILES_PER_PLAN) {
                    seen.add(task);
                }
                else {
                    seen = null;
                }
            }
            return task;
        }

        @Override
        public void close()
                throws IOException
        {
            seen = null;
            planned.close();
        }
    }
}
