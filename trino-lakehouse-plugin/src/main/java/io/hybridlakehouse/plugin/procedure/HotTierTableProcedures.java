package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.segment.HotTierStats;
import io.hybridlakehouse.plugin.segment.SegmentCompactor;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.tiering.TieringService;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableExecuteHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableProcedureMetadata;
import org.apache.iceberg.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static io.trino.spi.connector.TableProcedureExecutionMode.coordinatorOnly;
import static java.util.Objects.requireNonNull;

/**
 * {@code ALTER TABLE t EXECUTE tier} and {@code ALTER TABLE t EXECUTE compact_segments}: the
 * maintenance of the {@code CALL} procedures as table procedures. Trino runs a table procedure
 * inside a query task, which it interrupts when the query is killed or the client cancels it
 * (the CLI's Ctrl-C); a {@code CALL} runs on a dispatcher thread nobody interrupts. So these
 * stop at the next step boundary, before their commit, and leave the table as it was.
 */
public class HotTierTableProcedures
{
    public enum Operation
    {
        TIER,
        COMPACT_SEGMENTS;

        static Optional<Operation> named(String procedureName)
        {
            return Arrays.stream(values()).filter(operation -> operation.name().equalsIgnoreCase(procedureName)).findFirst();
        }
    }

    public record ExecuteHandle(SchemaTableName table, Operation operation)
            implements ConnectorTableExecuteHandle
    {
        public ExecuteHandle
        {
            requireNonNull(table, "table is null");
            requireNonNull(operation, "operation is null");
        }
    }

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final SegmentCompactor compactor;
    private final TieringService tieringService;

    @Inject
    public HotTierTableProcedures(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, SegmentCompactor compactor, TieringService tieringService)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.compactor = requireNonNull(compactor, "compactor is null");
        this.tieringService = requireNonNull(tieringService, "tieringService is null");
    }

    public static Set<TableProcedureMetadata> metadata()
    {
        return Arrays.stream(Operation.values())
                .map(operation -> new TableProcedureMetadata(operation.name(), coordinatorOnly(), ImmutableList.of()))
                .collect(toImmutableSet());
    }

    public Optional<ExecuteHandle> handleFor(ConnectorSession session, SchemaTableName table, String procedureName)
    {
        Optional<Operation> operation = Operation.named(procedureName);
        operation.ifPresent(_ -> hotTable(session, table, procedureName));
        return operation.map(value -> new ExecuteHandle(table, value));
    }

    public void execute(ConnectorSession session, ExecuteHandle handle)
    {
        Table table = hotTable(session, handle.table(), handle.operation().name());
        switch (handle.operation()) {
            // on demand, every hot segment goes, whatever its age
            case TIER -> {
                checkNoViewBuilding(table.uuid().toString(), handle.table());
                tieringService.tier(session, table.uuid().toString(), handle.table(), Instant.now().plusSeconds(1));
            }
            case COMPACT_SEGMENTS -> compactor.compactTable(session, table, 2);
        }
    }

    /**
     * A view being built from a table's rows keeps them hot until it is done (see
     * {@code claimForTiering}): tiering on demand then would do nothing, so it says why.
     */
    private void checkNoViewBuilding(String tableUuid, SchemaTableName name)
    {
        List<SchemaTableName> building = segmentStore.viewsOfBase(tableUuid).stream()
                .filter(SynchronousView::building)
                .map(SynchronousView::name)
                .toList();
        if (!building.isEmpty() && segmentStore.hotTierStats().getOrDefault(tableUuid, HotTierStats.NONE).segments() > 0) {
            throw new TrinoException(NOT_SUPPORTED, ("Cannot tier %s now: materialized views %s are being built from its rows, which stay hot until the build is done. " +
                    "A build no statement runs any more is resumed by the background service within hybrid.materialized-views.build-lease and hybrid.tiering.interval; " +
                    "REFRESH MATERIALIZED VIEW (or dropping the view) ends it now").formatted(name, building));
        }
    }

    private Table hotTable(ConnectorSession session, SchemaTableName name, String procedureName)
    {
        Table table = catalogFactory.create(session.getIdentity()).loadTable(session, name);
        if (segmentStore.getTable(table.uuid().toString()).isEmpty()) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Table %s has no hot tier for %s: it is a plain Iceberg table (mode 'lake')".formatted(name, procedureName.toLowerCase(Locale.ROOT)));
        }
        return table;
    }
}
