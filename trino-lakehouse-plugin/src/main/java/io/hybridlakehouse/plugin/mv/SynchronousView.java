package io.hybridlakehouse.plugin.mv;

import com.google.common.cache.Cache;
import com.google.common.util.concurrent.UncheckedExecutionException;
import io.trino.cache.EvictableCacheBuilder;
import io.trino.spi.connector.SchemaTableName;

import java.util.List;
import java.util.Optional;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static io.trino.cache.CacheUtils.uncheckedCacheGet;
import static java.util.Objects.requireNonNull;

/**
 * A synchronous materialized view as the metastore keeps it: the user's definition, its
 * output columns, the bases whose INSERTs maintain it, and the hybrid table holding its
 * partial aggregates ({@code stateTable}), which reads merge by key.
 *
 * @param defaultSchema the schema unqualified table names of the definition are in
 * @param bases the base table of each branch of the definition, in branch order
 * @param building true while the state table is being filled from the bases (CREATE, REFRESH):
 * queries then compute the view from its bases
 */
public record SynchronousView(
        SchemaTableName name,
        String definitionSql,
        Optional<String> comment,
        Optional<String> owner,
        List<ViewColumn> columns,
        String defaultSchema,
        List<SchemaTableName> bases,
        SchemaTableName stateTable,
        boolean building)
{
    public static final String STATE_TABLE_PREFIX = "_mv_";

    // every INSERT into a base and every aggregation a view may answer asks for the analysed
    // definition, which depends on its text alone: parse and analyse each text once
    private static final Cache<String, SynchronousViewDefinition> DEFINITIONS = EvictableCacheBuilder.newBuilder()
            .maximumSize(1_000)
            .build();

    public SynchronousView
    {
        requireNonNull(name, "name is null");
        requireNonNull(definitionSql, "definitionSql is null");
        requireNonNull(comment, "comment is null");
        requireNonNull(owner, "owner is null");
        columns = List.copyOf(columns);
        requireNonNull(defaultSchema, "defaultSchema is null");
        bases = List.copyOf(bases);
        requireNonNull(stateTable, "stateTable is null");
    }

    public SynchronousViewDefinition definition()
    {
        try {
            return uncheckedCacheGet(DEFINITIONS, definitionSql, () -> MaterializedViewAnalyzer.analyze(definitionSql));
        }
        catch (UncheckedExecutionException e) {
            // the analyzer's own error, with its error code, as without the cache
            throwIfUnchecked(e.getCause());
            throw e;
        }
    }

    /**
     * The table a dimension of the definition joins, in this metastore.
     */
    public SchemaTableName dimensionTable(SynchronousViewDefinition.Dimension dimension)
    {
        return MaterializedViews.resolveRegistered(dimension.table(), defaultSchema);
    }

    public SynchronousView withState(SchemaTableName newStateTable, boolean newBuilding)
    {
        return new SynchronousView(name, definitionSql, comment, owner, columns, defaultSchema, bases, newStateTable, newBuilding);
    }

    public static boolean isStateTable(SchemaTableName table)
    {
        return table.getTableName().startsWith(STATE_TABLE_PREFIX);
    }

    /**
     * @param type the column's Trino type signature
     */
    public record ViewColumn(String name, String type)
    {
        public ViewColumn
        {
            requireNonNull(name, "name is null");
            requireNonNull(type, "type is null");
        }
    }
}
