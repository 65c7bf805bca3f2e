package io.hybridlakehouse.plugin.metadata;

import java.util.Locale;

public enum TableMode
{
    /** INSERT lands in hot segments; tiering moves them to Iceberg later. */
    HYBRID,
    /** INSERT commits Iceberg snapshots directly, as the stock Iceberg connector does. */
    LAKE;

    public String sqlName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
