package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.plugin.rewrite.AnsweredAggregation;
import io.hybridlakehouse.plugin.rewrite.DerivedColumnHandle;
import io.hybridlakehouse.plugin.rewrite.RollupColumnHandle;
import io.trino.plugin.base.classloader.ClassLoaderSafeConnectorMetadata;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorPartitioningHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTableProperties;
import io.trino.spi.connector.ConnectorTableSchema;
import io.trino.spi.connector.LimitApplicationResult;
import io.trino.spi.connector.SampleApplicationResult;
import io.trino.spi.connector.SampleType;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SortItem;
import io.trino.spi.connector.TableScanRedirectApplicationResult;
import io.trino.spi.connector.TopNApplicationResult;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Iceberg's metadata with the calls Trino makes on a table scan answered for the connector's
 * own handles: an {@link AnsweredAggregation} (an aggregation answered from a materialized
 * view or from metadata) and its columns, and the {@link DerivedColumnHandle} keys a scan
 * computes. Iceberg knows neither and would fail on them.
 */
abstract class RollupAwareMetadata
        extends ClassLoaderSafeConnectorMetadata
{
    protected RollupAwareMetadata(ConnectorMetadata iceberg)
    {
        super(iceberg, RollupAwareMetadata.class.getClassLoader());
    }

    @Override
    public ConnectorTableProperties getTableProperties(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation ? new ConnectorTableProperties() : super.getTableProperties(session, table);
    }

    @Override
    public void validateScan(ConnectorSession session, ConnectorTableHandle table)
    {
        if (!(table instanceof AnsweredAggregation)) {
            super.validateScan(session, table);
        }
    }

    @Override
    public Optional<ConnectorTableHandle> applyPartitioning(ConnectorSession session, ConnectorTableHandle table, Optional<ConnectorPartitioningHandle> partitioningHandle, List<ColumnHandle> columns)
    {
        return table instanceof AnsweredAggregation ? Optional.empty() : super.applyPartitioning(session, table, partitioningHandle, columns);
    }

    @Override
    public Optional<TableScanRedirectApplicationResult> applyTableScanRedirect(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation ? Optional.empty() : super.applyTableScanRedirect(session, table);
    }

    @Override
    public boolean allowSplittingReadIntoMultipleSubQueries(ConnectorSession session, ConnectorTableHandle table)
    {
        return !(table instanceof AnsweredAggregation) && super.allowSplittingReadIntoMultipleSubQueries(session, table);
    }

    @Override
    public SchemaTableName getTableName(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation answered ? answered.relation() : super.getTableName(session, table);
    }

    @Override
    public ConnectorTableSchema getTableSchema(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation answered ? new ConnectorTableSchema(answered.relation(), ImmutableList.of()) : super.getTableSchema(session, table);
    }

    @Override
    public Optional<Object> getInfo(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation ? Optional.empty() : super.getInfo(session, table);
    }

    @Override
    public Map<String, ColumnHandle> getColumnHandles(ConnectorSession session, ConnectorTableHandle table)
    {
        return table instanceof AnsweredAggregation ? ImmutableMap.of() : super.getColumnHandles(session, table);
    }

    @Override
    public ColumnMetadata getColumnMetadata(ConnectorSession session, ConnectorTableHandle table, ColumnHandle column)
    {
        if (column instanceof RollupColumnHandle rollupColumn) {
            return rollupColumn.columnMetadata();
        }
        if (column instanceof DerivedColumnHandle derived) {
            return derived.columnMetadata();
        }
        return super.getColumnMetadata(session, table, column);
    }

    @Override
    public Optional<LimitApplicationResult<ConnectorTableHandle>> applyLimit(ConnectorSession session, ConnectorTableHandle handle, long limit)
    {
        return handle instanceof AnsweredAggregation ? Optional.empty() : super.applyLimit(session, handle, limit);
    }

    @Override
    public Optional<TopNApplicationResult<ConnectorTableHandle>> applyTopN(ConnectorSession session, ConnectorTableHandle handle, long topNCount, List<SortItem> sortItems, Map<String, ColumnHandle> assignments)
    {
        return handle instanceof AnsweredAggregation ? Optional.empty() : super.applyTopN(session, handle, topNCount, sortItems, assignments);
    }

    @Override
    public Optional<SampleApplicationResult<ConnectorTableHandle>> applySample(ConnectorSession session, ConnectorTableHandle handle, SampleType sampleType, double sampleRatio)
    {
        return handle instanceof AnsweredAggregation ? Optional.empty() : super.applySample(session, handle, sampleType, sampleRatio);
    }
}
