package io.hybridlakehouse.cache;

import java.util.Locale;

/**
 * What of a table the local cache may hold (table property {@code cache}).
 */
public enum CachePolicy
{
    /** never cache: scans of the table always read storage */
    NONE,
    /** only recently written files: hot segments and freshly tiered Iceberg files (the ODS/DWD working set) */
    HOT,
    /** every file younger than the admission age */
    ALL;

    public String sqlName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CachePolicy fromSqlName(String value)
    {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
