package io.hybridlakehouse.plugin.metadata;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The connector's own table properties, as kept in the segment metastore.
 *
 * @param tierAfter how old a hot segment gets before the tiering service moves it to Iceberg; empty: the catalog default
 * @param retention how long partitions are kept in both tiers; empty: forever
 */
public record TableSettings(TableMode mode, Optional<Duration> tierAfter, Optional<Duration> retention)
{
    public TableSettings
    {
        requireNonNull(mode, "mode is null");
        requireNonNull(tierAfter, "tierAfter is null");
        requireNonNull(retention, "retention is null");
    }

    public static TableSettings ofMode(TableMode mode)
    {
        return new TableSettings(mode, Optional.empty(), Optional.empty());
    }

    public TableSettings withMode(TableMode mode)
    {
        return new TableSettings(mode, tierAfter, retention);
    }
}
