package io.hybridlakehouse.plugin.mv;

import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static java.util.Objects.requireNonNull;

/**
 * The statements a table's materialized views forbid on it: those that would change a base's
 * rows past the views' maintenance, drop or rename a table their INSERTs read, or change a
 * view's state table. Each check reads the views from the segment metastore, so it holds for
 * SQL statements and procedures alike.
 */
public class ViewDependents
{
    private final SegmentStore segmentStore;

    public ViewDependents(SegmentStore segmentStore)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
    }

    /**
     * Refuses a statement that would change a base's rows past its views' maintenance.
     */
    public void checkNoViews(String baseUuid, SchemaTableName base, String operation)
    {
        checkNotAStateTable(base, operation);
        List<SynchronousView> views = segmentStore.viewsOfBase(baseUuid);
        if (!views.isEmpty()) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: materialized views %s are maintained from its INSERTs. Drop them first (and create them again afterwards)"
                    .formatted(operation, base, views.stream().map(SynchronousView::name).toList()));
        }
    }

    /**
     * Refuses a statement on the table that holds a view's state: only the view's maintenance
     * (INSERTs into its bases, REFRESH, compaction, retention) changes it.
     */
    public void checkNotAStateTable(SchemaTableName table, String operation)
    {
        if (!SynchronousView.isStateTable(table)) {
            return;
        }
        Optional<SynchronousView> view = segmentStore.views().stream()
                .filter(candidate -> candidate.stateTable().equals(table))
                .findFirst();
        if (view.isPresent()) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: it holds the state of materialized view %s, which only the view's own maintenance changes. Use REFRESH MATERIALIZED VIEW or DROP MATERIALIZED VIEW on %s"
                    .formatted(operation, table, view.get().name(), view.get().name()));
        }
    }

    /**
     * Refuses dropping or renaming a table views join as a dimension: each INSERT into their
     * bases looks it up by name.
     */
    public void checkNotADimension(SchemaTableName table, String operation)
    {
        List<SchemaTableName> joining = segmentStore.views().stream()
                .filter(view -> joinsAsDimension(view, table))
                .map(SynchronousView::name)
                .toList();
        if (!joining.isEmpty()) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: materialized views %s join it as a dimension at each INSERT. Drop them first (and create them again afterwards)"
                    .formatted(operation, table, joining));
        }
    }

    /**
     * Refuses a {@code DROP SCHEMA ... CASCADE} that would drop a base or a dimension of a view in
     * another schema: Iceberg drops the schema's tables itself, past the checks of DROP TABLE.
     */
    public void checkSchemaNotReadByOtherSchemas(String schemaName, String operation)
    {
        List<SchemaTableName> reading = segmentStore.views().stream()
                .filter(view -> !view.name().getSchemaName().equals(schemaName))
                .filter(view -> Stream.concat(view.bases().stream(), dimensions(view)).anyMatch(table -> table.getSchemaName().equals(schemaName)))
                .map(SynchronousView::name)
                .toList();
        if (!reading.isEmpty()) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot run %s on schema %s: materialized views %s in other schemas read its tables at each INSERT, as bases or dimensions. Drop them first (and create them again afterwards)"
                    .formatted(operation, schemaName, reading));
        }
    }

    boolean joinsAsDimension(SynchronousView view, SchemaTableName table)
    {
        return dimensions(view).anyMatch(table::equals);
    }

    private Stream<SchemaTableName> dimensions(SynchronousView view)
    {
        return view.definition().branches().stream()
                .flatMap(branch -> branch.dimensions().stream())
                .map(view::dimensionTable);
    }
}
