package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.SchemaTableName;

/**
 * A table handle whose scan returns an aggregation's result, answered by the connector instead
 * of by reading the table's rows: Iceberg knows no such handle, so the calls Trino makes on a
 * scan are answered for it by the connector.
 */
public sealed interface AnsweredAggregation
        extends ConnectorTableHandle
        permits RollupTableHandle, RowCountTableHandle
{
    /**
     * The relation the answer comes from, as Trino names the scan.
     */
    SchemaTableName relation();
}
