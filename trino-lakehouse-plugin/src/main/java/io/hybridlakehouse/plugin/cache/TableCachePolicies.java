package io.hybridlakehouse.plugin.cache;

import com.google.common.base.Ticker;
import com.google.common.cache.CacheLoader;
import com.google.common.cache.LoadingCache;
import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.UncheckedExecutionException;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.airlift.log.Logger;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.cache.EvictableCacheBuilder;
import io.trino.filesystem.Location;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.spi.security.ConnectorIdentity;
import jakarta.annotation.PreDestroy;
import org.weakref.jmx.Managed;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static io.airlift.concurrent.Threads.daemonThreadsNamed;
import static java.util.Objects.requireNonNull;
import static java.util.concurrent.Executors.newSingleThreadExecutor;

/**
 * The {@code cache} policy of the table a file belongs to, found by the table location the
 * file lies under, and for tables with policy {@code HOT} their newest partitions: the
 * greatest values of the first partition field, read from the partition directories Iceberg
 * names {@code field=value} (ISO dates and hours sort by time). Read from the segment
 * metastore and the file system at most every few seconds, and then in the background: files
 * are opened far more often than policies or partitions change, and the read lists every table
 * (and on object storage the partitions of {@code HOT} tables, a request each), which no query
 * should wait for.
 */
public class TableCachePolicies
{
    private static final Logger log = Logger.get(TableCachePolicies.class);
    private static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);
    // On object storage a directory listing is a request on every node: there each HOT table's
    // partitions are listed at most once a minute, however often policies are refreshed. A
    // partition newer than the listing holds new files only, which the hot-age rule keeps hot anyway
    private static final long OBJECT_STORE_PARTITION_LISTING_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final ConnectorIdentity IDENTITY = ConnectorIdentity.ofUser("hybrid-lakehouse-cache");

    private final SegmentStore segmentStore;
    // the file system factory wraps the cache, whose key provider asks this class: resolved lazily
    private final Provider<IcebergFileSystemFactory> fileSystemFactory;
    private final CachePolicy defaultPolicy;
    private final int hotPartitions;
    private final ExecutorService refreshExecutor = newSingleThreadExecutor(daemonThreadsNamed("hybrid-cache-policies"));
    private final LoadingCache<Long, NavigableMap<String, TablePolicy>> policies;
    private final Map<String, PartitionListing> partitionListings = new ConcurrentHashMap<>();
    private final AtomicLong directoryListings = new AtomicLong();

    /**
     * The policy of one file: its table's, and whether it lies in one of the table's newest partitions.
     */
    public record FilePolicy(CachePolicy policy, boolean inNewestPartitions) {}

    private record TablePolicy(CachePolicy policy, List<String> newestPartitionLocations) {}

    private record PartitionListing(List<String> newestPartitionLocations, long listedNanos) {}

    @Inject
    public TableCachePolicies(SegmentStore segmentStore, Provider<IcebergFileSystemFactory> fileSystemFactory, HybridCacheConfig config)
    {
        this(segmentStore, fileSystemFactory, config, Ticker.systemTicker());
    }

    TableCachePolicies(SegmentStore segmentStore, Provider<IcebergFileSystemFactory> fileSystemFactory, HybridCacheConfig config, Ticker ticker)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.defaultPolicy = config.getDefaultPolicy();
        this.hotPartitions = config.getHotPartitions();
        // Keyed by this process's count of table changes: after a CREATE, ALTER or DROP here the
        // next file opened waits for the new policies, which is what the user who changed them
        // expects; otherwise a file opened after the refresh interval goes by the policies it
        // finds and starts their reload in the background. Changes made on other nodes show after
        // the next reload.
        this.policies = EvictableCacheBuilder.newBuilder()
                .ticker(ticker)
                .maximumSize(1)
                .refreshAfterWrite(REFRESH_INTERVAL)
                .build(CacheLoader.asyncReloading(CacheLoader.from(this::loadPolicies), refreshExecutor));
    }

    public FilePolicy policyFor(String fileLocation)
    {
        // the longest table location that prefixes the file; table locations never nest
        Map.Entry<String, TablePolicy> candidate = policies().floorEntry(fileLocation);
        if (candidate != null && fileLocation.startsWith(candidate.getKey())) {
            TablePolicy table = candidate.getValue();
            return new FilePolicy(table.policy(), table.newestPartitionLocations().stream().anyMatch(fileLocation::startsWith));
        }
        return new FilePolicy(defaultPolicy, false);
    }

    /**
     * The policy of the table at {@code tableLocation}.
     */
    public CachePolicy policyOfTable(String tableLocation)
    {
        return policyFor(withSlash(tableLocation)).policy();
    }

    private NavigableMap<String, TablePolicy> policies()
    {
        try {
            return policies.getUnchecked(segmentStore.tableChanges());
        }
        catch (UncheckedExecutionException e) {
            // the metastore's own error (unavailable, with its error code) reaches the query as it is
            throwIfUnchecked(e.getCause());
            throw e;
        }
    }

    private NavigableMap<String, TablePolicy> loadPolicies()
    {
        NavigableMap<String, TablePolicy> loaded = new TreeMap<>();
        for (HybridTableState table : segmentStore.listTables()) {
            if (table.location().isEmpty()) {
                continue;
            }
            String location = withSlash(table.location().get());
            CachePolicy policy = table.settings().cache().orElse(defaultPolicy);
            loaded.put(location, new TablePolicy(policy, policy == CachePolicy.HOT ? newestPartitions(location) : ImmutableList.of()));
        }
        partitionListings.keySet().retainAll(loaded.keySet());
        return Collections.unmodifiableNavigableMap(loaded);
    }

    @PreDestroy
    public void stop()
    {
        refreshExecutor.shutdownNow();
    }

    private List<String> newestPartitions(String tableLocation)
    {
        if (hotPartitions == 0) {
            return ImmutableList.of();
        }
        PartitionListing listing = partitionListings.get(tableLocation);
        // a local directory listing costs no request: it follows every policy refresh
        long listingInterval = onObjectStore(tableLocation) ? OBJECT_STORE_PARTITION_LISTING_NANOS : 0;
        if (listing == null || System.nanoTime() - listing.listedNanos() >= listingInterval) {
            listing = new PartitionListing(listNewestPartitions(tableLocation), System.nanoTime());
            partitionListings.put(tableLocation, listing);
        }
        return listing.newestPartitionLocations();
    }

    /**
     * Directory listings this node made for the newest partitions of {@code HOT} tables: one
     * request each on S3 (up to 1,000 partitions).
     */
    @Managed
    public long getPartitionDirectoryListings()
    {
        return directoryListings.get();
    }

    private List<String> listNewestPartitions(String tableLocation)
    {
        directoryListings.incrementAndGet();
        Location data = Location.of(tableLocation + "data");
        try {
            return fileSystemFactory.get().create(IDENTITY, Map.of()).listDirectories(data).stream()
                    // directory locations end with a slash on some file systems
                    .map(directory -> directory.toString().replaceAll("/+$", ""))
                    // partition directories are named field=value; anything else (temporary files of writers) is not a partition
                    .filter(directory -> directory.substring(directory.lastIndexOf('/') + 1).contains("="))
                    .sorted(Comparator.reverseOrder())
                    .limit(hotPartitions)
                    .map(TableCachePolicies::withSlash)
                    .collect(ImmutableList.toImmutableList());
        }
        catch (IOException | RuntimeException e) {
            // without the partition list only recent files count as hot
            log.warn(e, "Cannot list the partitions of %s for its cache policy", tableLocation);
            return ImmutableList.of();
        }
    }

    /**
     * Whether a location is on object storage (S3, GCS, Azure), where every metadata call is a request.
     */
    static boolean onObjectStore(String location)
    {
        return location.startsWith("s3") || location.startsWith("gs:") || location.startsWith("abfs");
    }

    /**
     * Whether a location is one of Iceberg's metadata files (table metadata, manifest lists,
     * manifests, statistics), which Iceberg writes under the table's {@code metadata/} directory.
     */
    static boolean isTableMetadata(String location)
    {
        return location.contains("/metadata/");
    }

    private static String withSlash(String location)
    {
        return location.endsWith("/") ? location : location + "/";
    }
}
