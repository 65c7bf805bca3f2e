package io.hybridlakehouse.cache;

import com.google.inject.Inject;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Decides per file whether it enters the cache, and under which key. Data files are
 * immutable, but the key still carries the file's modification time, so a path ever written
 * twice can never serve the old bytes.
 */
public class CacheAdmission
{
    private final long hotAgeMillis;
    private final long admissionMaxAgeMillis;

    @Inject
    public CacheAdmission(HybridCacheConfig config)
    {
        this.hotAgeMillis = config.getHotAge().toMillis();
        this.admissionMaxAgeMillis = config.getAdmissionMaxAge().toMillis();
    }

    /**
     * @param inNewestPartitions whether the file lies in one of its table's newest partitions
     */
    public Optional<String> cacheKey(String path, Instant lastModified, CachePolicy policy, boolean inNewestPartitions, Instant now)
    {
        requireNonNull(path, "path is null");
        long age = now.toEpochMilli() - lastModified.toEpochMilli();
        boolean admitted = switch (policy) {
            case NONE -> false;
            // hot segments and freshly tiered files are recent; older files of the newest partitions stay hot too
            case HOT -> age <= hotAgeMillis || inNewestPartitions;
            case ALL -> age <= admissionMaxAgeMillis;
        };
        return admitted ? Optional.of(path + "#" + lastModified.toEpochMilli()) : Optional.empty();
    }
}
