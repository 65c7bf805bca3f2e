package io.hybridlakehouse.plugin.cache;

import com.google.inject.Inject;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.SegmentStore;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The {@code cache} policy of the table a file belongs to, found by the table location the
 * file lies under. Read from the segment metastore at most every few seconds: files are opened
 * far more often than policies change.
 */
public class TableCachePolicies
{
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SegmentStore segmentStore;
    private final CachePolicy defaultPolicy;
    private volatile Snapshot snapshot = new Snapshot(-1, 0, new TreeMap<>());

    private record Snapshot(long tableChanges, long loadedNanos, NavigableMap<String, CachePolicy> policiesByLocation) {}

    @Inject
    public TableCachePolicies(SegmentStore segmentStore, HybridCacheConfig config)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.defaultPolicy = config.getDefaultPolicy();
    }

    public CachePolicy policyFor(String fileLocation)
    {
        // the longest table location that prefixes the file; table locations never nest
        Map.Entry<String, CachePolicy> candidate = policies().floorEntry(fileLocation);
        if (candidate != null && fileLocation.startsWith(candidate.getKey())) {
            return candidate.getValue();
        }
        return defaultPolicy;
    }

    private NavigableMap<String, CachePolicy> policies()
    {
        Snapshot current = snapshot;
        long changes = segmentStore.tableChanges();
        if (current.tableChanges() == changes && System.nanoTime() - current.loadedNanos() < REFRESH_NANOS) {
            return current.policiesByLocation();
        }
        NavigableMap<String, CachePolicy> policies = new TreeMap<>();
        for (HybridTableState table : segmentStore.listTables()) {
            if (table.location().isPresent() && table.settings().cache().isPresent()) {
                policies.put(withSlash(table.location().get()), table.settings().cache().get());
            }
        }
        snapshot = new Snapshot(changes, System.nanoTime(), policies);
        return policies;
    }

    private static String withSlash(String location)
    {
        return location.endsWith("/") ? location : location + "/";
    }
}
