package io.hybridlakehouse.plugin.segment;

import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.trino.spi.connector.SchemaTableName;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The segment metastore's row of a table this connector manages.
 */
public record HybridTableState(String tableUuid, SchemaTableName name, TableSettings settings, Optional<String> location, long version, long nextSegmentId, long tieringClaim)
{
    public HybridTableState
    {
        requireNonNull(tableUuid, "tableUuid is null");
        requireNonNull(name, "name is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(location, "location is null");
    }

    public TableMode mode()
    {
        return settings.mode();
    }
}
