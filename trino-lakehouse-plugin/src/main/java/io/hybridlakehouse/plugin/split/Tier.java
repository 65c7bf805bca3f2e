package io.hybridlakehouse.plugin.split;

public enum Tier
{
    /** a hot segment recorded in the segment metastore */
    HOT,
    /** a data file of the table's Iceberg snapshot */
    COLD,
}
