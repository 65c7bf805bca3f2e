package io.hybridlakehouse.plugin.cache;

import com.google.common.cache.Cache;
import com.google.common.util.concurrent.UncheckedExecutionException;
import com.google.inject.Inject;
import io.hybridlakehouse.cache.CacheAdmission;
import io.hybridlakehouse.cache.CachePolicy;
import io.trino.filesystem.TrinoInputFile;
import io.trino.cache.EvictableCacheBuilder;
import io.trino.plugin.iceberg.cache.IcebergCacheKeyProvider;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import static java.util.Objects.requireNonNull;

/**
 * Replaces Iceberg's cache key provider (which caches every file) with the table's
 * {@code cache} policy and the admission rule; metadata files are cached as Iceberg does,
 * except for tables that cache nothing.
 * It extends Iceberg's provider so that binding this class in its place needs no change to
 * Iceberg's module.
 */
public class TablePolicyCacheKeyProvider
        extends IcebergCacheKeyProvider
{
    // Table files are never rewritten in place, so a file's modification time is fixed once it
    // exists. On object storage remembering it spares a HEAD request every time a cached file is
    // opened; a local file's is one stat call, read each time
    private static final long REMEMBERED_MODIFICATION_TIMES = 200_000;

    private final TableCachePolicies policies;
    private final CacheAdmission admission;
    private final CacheStats stats;
    private final Cache<String, Instant> modificationTimes = EvictableCacheBuilder.newBuilder()
            .maximumSize(REMEMBERED_MODIFICATION_TIMES)
            .build();

    @Inject
    public TablePolicyCacheKeyProvider(TableCachePolicies policies, CacheAdmission admission, CacheStats stats)
    {
        this.policies = requireNonNull(policies, "policies is null");
        this.admission = requireNonNull(admission, "admission is null");
        this.stats = requireNonNull(stats, "stats is null");
    }

    @Override
    public Optional<String> getCacheKey(TrinoInputFile inputFile)
    {
        String location = inputFile.location().toString();
        TableCachePolicies.FilePolicy file = policies.policyFor(location);
        CachePolicy policy = file.policy();
        if (policy != CachePolicy.NONE && TableCachePolicies.isTableMetadata(location)) {
            // Iceberg metadata is small and read by every query: cached whatever its age
            return super.getCacheKey(inputFile);
        }
        Optional<String> key;
        try {
            Instant modified = TableCachePolicies.onObjectStore(location) ? modificationTimes.get(location, inputFile::lastModified) : inputFile.lastModified();
            key = admission.cacheKey(location, modified, policy, file.inNewestPartitions(), Instant.now());
        }
        catch (IOException | ExecutionException | UncheckedExecutionException e) {
            // without a version the file is read from storage: never a stale page
            key = Optional.empty();
        }
        if (key.isEmpty()) {
            stats.recordBypass();
        }
        return key;
    }
}
