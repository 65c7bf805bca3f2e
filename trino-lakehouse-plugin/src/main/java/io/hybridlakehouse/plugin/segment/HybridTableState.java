package io.hybridlakehouse.plugin.segment;

import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.trino.spi.connector.SchemaTableName;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The segment metastore's row of a table this connector manages.
 *
 * @param retiredAt when a materialized view stopped using this state table; it is dropped a grace period later
 */
public record HybridTableState(String tableUuid, SchemaTableName name, TableSettings settings, Optional<String> location, long version, long nextSegmentId, long tieringClaim, Optional<Instant> retiredAt)
{
    public HybridTableState
    {
        requireNonNull(tableUuid, "tableUuid is null");
        requireNonNull(name, "name is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(location, "location is null");
        requireNonNull(retiredAt, "retiredAt is null");
    }

    public TableMode mode()
    {
        return settings.mode();
    }
}
