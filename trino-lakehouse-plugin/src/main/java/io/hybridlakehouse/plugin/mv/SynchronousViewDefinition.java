package io.hybridlakehouse.plugin.mv;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a synchronous materialized view computes, as {@link MaterializedViewAnalyzer} reads
 * its definition: grouping keys, mergeable aggregates, and one branch per base table whose
 * INSERTs update the view (several branches: metric stitching).
 */
public record SynchronousViewDefinition(List<Key> keys, List<Aggregate> aggregates, List<String> branchColumns, List<Branch> branches)
{
    /**
     * @param branchColumns the names of the UNION ALL subquery's columns (empty for a single base), which each branch's projections fill in order
     */
    public SynchronousViewDefinition
    {
        keys = List.copyOf(keys);
        aggregates = List.copyOf(aggregates);
        branchColumns = List.copyOf(branchColumns);
        branches = List.copyOf(branches);
    }

    /**
     * @param expression the key's SQL: a column, {@code date_trunc(unit, column)} or a cast of a column
     */
    public record Key(String name, String expression)
    {
        public Key
        {
            requireNonNull(name, "name is null");
            requireNonNull(expression, "expression is null");
        }
    }

    public enum AggregateFunction
    {
        COUNT_ALL,
        COUNT,
        SUM,
        MIN,
        MAX,
        // kept as sum and count, merged as their quotient
        AVG,
        // kept as a HyperLogLog sketch with approx_distinct's own parameters
        APPROX_DISTINCT,
    }

    public record Aggregate(String name, AggregateFunction function, Optional<String> argument)
    {
        public Aggregate
        {
            requireNonNull(name, "name is null");
            requireNonNull(function, "function is null");
            requireNonNull(argument, "argument is null");
        }
    }

    /**
     * @param baseTable the table whose INSERTs feed this branch
     * @param baseAlias the name its columns are qualified with (its alias, or its own name)
     * @param dimensions tables joined at write time, looked up as of each INSERT, in join order
     */
    public record Branch(String baseTable, String baseAlias, List<Dimension> dimensions, Optional<String> filter, List<String> projections)
    {
        public Branch
        {
            requireNonNull(baseTable, "baseTable is null");
            requireNonNull(baseAlias, "baseAlias is null");
            dimensions = List.copyOf(dimensions);
            requireNonNull(filter, "filter is null");
            projections = List.copyOf(projections);
        }
    }

    /**
     * A dimension joined at write time on equalities of an expression over the rows joined so far with a column of the dimension.
     */
    public record Dimension(String table, String alias, boolean leftJoin, List<JoinKey> keys)
    {
        public Dimension
        {
            requireNonNull(table, "table is null");
            requireNonNull(alias, "alias is null");
            keys = List.copyOf(keys);
        }
    }

    public record JoinKey(String probeExpression, String dimensionColumn)
    {
        public JoinKey
        {
            requireNonNull(probeExpression, "probeExpression is null");
            requireNonNull(dimensionColumn, "dimensionColumn is null");
        }
    }
}
