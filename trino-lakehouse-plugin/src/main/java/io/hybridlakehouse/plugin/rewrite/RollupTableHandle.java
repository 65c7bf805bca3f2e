package io.hybridlakehouse.plugin.rewrite;

import io.hybridlakehouse.plugin.metadata.IcebergHandles;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.type.Type;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * An aggregation over a base table answered from a materialized view: the view's state table
 * (pinned at the same metastore version as the base), read, filtered on view keys and merged
 * by the query's grouping keys into the final values the query asked for.
 *
 * @param stateColumns the state table's columns the rollup reads, in channel order
 * @param filters domains on state channels that a state row must satisfy (the query's filter, mapped onto view keys)
 * @param baseRowsChannel for a view stitched from several bases: the channel counting the queried base's rows, to drop keys only other bases have
 */
public record RollupTableHandle(
        SchemaTableName view,
        SchemaTableName base,
        IcebergTableHandle stateTable,
        List<IcebergColumnHandle> stateColumns,
        List<Key> keys,
        List<Aggregate> aggregates,
        List<Filter> filters,
        OptionalInt baseRowsChannel)
        implements AnsweredAggregation
{
    public RollupTableHandle
    {
        requireNonNull(view, "view is null");
        requireNonNull(base, "base is null");
        requireNonNull(stateTable, "stateTable is null");
        stateColumns = List.copyOf(stateColumns);
        keys = List.copyOf(keys);
        aggregates = List.copyOf(aggregates);
        filters = List.copyOf(filters);
        requireNonNull(baseRowsChannel, "baseRowsChannel is null");
    }

    @Override
    public SchemaTableName relation()
    {
        return view;
    }

    /**
     * A grouping key of the query: a view key, cast and truncated to a coarser unit as the query asks, or a date/time field read from it.
     */
    public record Key(String name, int channel, boolean castToMillis, Optional<String> unit, Optional<String> field, Type outputType)
    {
        public Key
        {
            requireNonNull(name, "name is null");
            requireNonNull(unit, "unit is null");
            requireNonNull(field, "field is null");
            requireNonNull(outputType, "outputType is null");
        }
    }

    public enum Merge
    {
        // sums of partial sums and counts; a count of no rows is 0, a sum of no rows NULL
        SUM,
        COUNT,
        // channels: a row count and a key; the count of rows whose key is not NULL
        COUNT_WHERE_KEY_NOT_NULL,
        MIN,
        MAX,
        // channels: the sum and the count
        AVG,
        // a HyperLogLog sketch per state row, merged, then its cardinality
        APPROX_DISTINCT,
    }

    public record Aggregate(String name, Merge merge, List<Integer> channels, Type outputType)
    {
        public Aggregate
        {
            requireNonNull(name, "name is null");
            requireNonNull(merge, "merge is null");
            channels = List.copyOf(channels);
            requireNonNull(outputType, "outputType is null");
        }
    }

    public record Filter(int channel, Domain domain)
    {
        public Filter
        {
            requireNonNull(domain, "domain is null");
        }
    }

    /**
     * The state table with the query's filter on its key columns as Iceberg's predicate, so that
     * the state files and row groups whose key statistics exclude it are not read. It only skips
     * rows the filter rejects anyway: all the partial rows of a key carry the same key values,
     * and the rollup still filters every row it reads.
     */
    public IcebergTableHandle filteredStateTable()
    {
        Map<IcebergColumnHandle, Domain> domains = new HashMap<>();
        for (Filter filter : filters) {
            IcebergColumnHandle column = stateColumns.get(filter.channel());
            if (column.getType().equals(filter.domain().getType())) {
                domains.merge(column, filter.domain(), Domain::intersect);
            }
        }
        if (domains.isEmpty()) {
            return stateTable;
        }
        return IcebergHandles.withUnenforcedPredicate(stateTable, stateTable.getUnenforcedPredicate().intersect(TupleDomain.withColumnDomains(domains)));
    }

    @Override
    public String toString()
    {
        // what EXPLAIN shows in the table scan
        return "%s (materialized view answering %s; group by %s; aggregates %s)".formatted(
                view,
                base,
                keys.stream().map(Key::name).collect(Collectors.joining(", ", "[", "]")),
                aggregates.stream().map(Aggregate::name).collect(Collectors.joining(", ", "[", "]")));
    }
}
