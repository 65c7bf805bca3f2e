package io.hybridlakehouse.plugin.system;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.rewrite.RewriteStats;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.InMemoryRecordSet;
import io.trino.spi.connector.RecordCursor;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * {@code system.mv_rewrites}: how often each materialized view answered an aggregation over
 * one of its bases ({@code hit}) or could not, and why ({@code miss}), since the coordinator started.
 */
public class MaterializedViewRewritesTable
        implements SystemTable
{
    private static final ConnectorTableMetadata METADATA = new ConnectorTableMetadata(
            new SchemaTableName("system", "mv_rewrites"),
            ImmutableList.of(
                    new ColumnMetadata("view_schema", VARCHAR),
                    new ColumnMetadata("view_name", VARCHAR),
                    new ColumnMetadata("base_table", VARCHAR),
                    new ColumnMetadata("outcome", VARCHAR),
                    new ColumnMetadata("reason", VARCHAR),
                    new ColumnMetadata("queries", BIGINT)));

    private final RewriteStats stats;

    @Inject
    public MaterializedViewRewritesTable(RewriteStats stats)
    {
        this.stats = requireNonNull(stats, "stats is null");
    }

    @Override
    public Distribution getDistribution()
    {
        // decisions are taken where queries are planned
        return Distribution.SINGLE_COORDINATOR;
    }

    @Override
    public ConnectorTableMetadata getTableMetadata()
    {
        return METADATA;
    }

    @Override
    public RecordCursor cursor(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint, Set<Integer> requiredColumns, ConnectorSplit split, ConnectorAccessControl accessControl)
    {
        InMemoryRecordSet.Builder rows = InMemoryRecordSet.builder(METADATA);
        List<RewriteStats.DecisionCount> decisions = stats.decisions();
        // a row names a view and its base table: shown to users who may see both
        Set<SchemaTableName> visible = accessControl.filterTables(null, decisions.stream()
                .flatMap(count -> Stream.of(count.decision().view(), count.decision().base()))
                .collect(toImmutableSet()));
        for (RewriteStats.DecisionCount count : decisions) {
            RewriteStats.Decision decision = count.decision();
            if (!visible.contains(decision.view()) || !visible.contains(decision.base())) {
                continue;
            }
            rows.addRow(decision.view().getSchemaName(), decision.view().getTableName(), decision.base().toString(), decision.outcome(), decision.reason(), count.queries());
        }
        return rows.build().cursor();
    }
}
