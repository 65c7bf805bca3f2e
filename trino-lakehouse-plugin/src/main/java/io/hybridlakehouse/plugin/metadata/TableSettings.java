package io.hybridlakehouse.plugin.metadata;

import io.hybridlakehouse.cache.CachePolicy;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The connector's own table properties, as kept in the segment metastore.
 *
 * @param tierAfter how old a hot segment gets before the tiering service moves it to Iceberg; empty: the catalog default
 * @param retention how long partitions are kept in both tiers; empty: forever
 * @param cache what of the table the local cache may hold; empty: the catalog default
 */
public record TableSettings(TableMode mode, Optional<Duration> tierAfter, Optional<Duration> retention, Optional<CachePolicy> cache)
{
    public TableSettings
    {
        requireNonNull(mode, "mode is null");
        requireNonNull(tierAfter, "tierAfter is null");
        requireNonNull(retention, "retention is null");
        requireNonNull(cache, "cache is null");
    }

    public static TableSettings ofMode(TableMode mode)
    {
        return new TableSettings(mode, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
