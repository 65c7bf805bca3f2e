package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import io.trino.plugin.base.session.SessionPropertiesProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.session.PropertyMetadata;

import java.util.List;

import static io.trino.spi.session.PropertyMetadata.booleanProperty;

public final class HybridSessionProperties
        implements SessionPropertiesProvider
{
    public static final String READ_HOT_TIER = "read_hot_tier";
    public static final String READ_COLD_TIER = "read_cold_tier";
    public static final String MV_REWRITE_ENABLED = "mv_rewrite_enabled";
    public static final String COUNT_FROM_METADATA_ENABLED = "count_from_metadata_enabled";

    private final List<PropertyMetadata<?>> sessionProperties = ImmutableList.of(
            booleanProperty(READ_HOT_TIER, "Read rows of hot segments (turn off only to inspect the tiers apart: results are then partial)", true, false),
            booleanProperty(READ_COLD_TIER, "Read rows of the Iceberg snapshot (turn off only to inspect the tiers apart: results are then partial)", true, false),
            booleanProperty(MV_REWRITE_ENABLED, "Answer aggregations over a base table from its synchronous materialized views where they give the same result", true, false),
            booleanProperty(COUNT_FROM_METADATA_ENABLED, "Answer count(*) of a whole table from the row counts the segment metastore and the Iceberg snapshot record, without reading files", true, false));

    @Override
    public List<PropertyMetadata<?>> getSessionProperties()
    {
        return sessionProperties;
    }

    public static boolean isReadHotTier(ConnectorSession session)
    {
        return session.getProperty(READ_HOT_TIER, Boolean.class);
    }

    public static boolean isMvRewriteEnabled(ConnectorSession session)
    {
        return session.getProperty(MV_REWRITE_ENABLED, Boolean.class);
    }

    public static boolean isCountFromMetadataEnabled(ConnectorSession session)
    {
        return session.getProperty(COUNT_FROM_METADATA_ENABLED, Boolean.class);
    }

    public static boolean isReadColdTier(ConnectorSession session)
    {
        return session.getProperty(READ_COLD_TIER, Boolean.class);
    }
}
