package io.hybridlakehouse.plugin.procedure;

import com.google.inject.Inject;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.connector.SchemaTableName;

import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.schemaTableName;
import static java.util.Objects.requireNonNull;

/**
 * The table a procedure on hot segments works on: the table named, or the state table of the
 * materialized view named, which holds the view's rows and tiers, compacts and expires as any
 * table does. Users know a view by its own name, not by its hidden state table's.
 */
public class ProcedureTables
{
    private final SegmentStore segmentStore;

    @Inject
    public ProcedureTables(SegmentStore segmentStore)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
    }

    public SchemaTableName hotTierTable(String schema, String table)
    {
        SchemaTableName name = schemaTableName(schema, table);
        return segmentStore.view(name).map(SynchronousView::stateTable).orElse(name);
    }
}
