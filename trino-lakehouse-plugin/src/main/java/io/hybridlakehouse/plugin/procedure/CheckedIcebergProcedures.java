package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableMap;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.mv.ViewDependents;
import io.hybridlakehouse.plugin.segment.HotTierStats;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.procedure.Procedure;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static java.lang.invoke.MethodHandles.lookup;
import static java.util.Objects.requireNonNull;

/**
 * Iceberg's {@code CALL} procedures that change a table's rows or remove it behind the
 * connector's back, made to run the checks their SQL counterparts run first:
 * {@code system.rollback_to_snapshot} as {@code ALTER TABLE ... EXECUTE rollback_to_snapshot},
 * {@code system.unregister_table} as {@code DROP TABLE}. Without them, a view over the table
 * would keep answering with rows the table no longer has. Unregistering also waits for the
 * table's hot rows to be tiered: it hands on the Iceberg metadata alone, which would lack them.
 */
public class CheckedIcebergProcedures
{
    /**
     * Why a rollback waits for a table's hot rows to be tiered: it moves the Iceberg table to
     * the snapshot, and segments committed since would stay (or be missing, where tiering moved
     * rows of that moment into later snapshots), so the table would hold rows it never held.
     */
    public static final String ROLLBACK_NEEDS_TIERED_ROWS = "then the rollback restores the snapshot's rows as its Iceberg files hold them " +
            "(rows that were still hot when the snapshot was committed are not in it; FOR VERSION AS OF reads them with it)";

    private static final MethodHandle CHECK;

    static {
        try {
            CHECK = lookup().findVirtual(CheckedIcebergProcedures.class, "check", MethodType.methodType(void.class, String.class, Check.class, ConnectorSession.class, String.class, String.class));
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private enum Check
    {
        // the table's rows change: no view may be maintained from it, and it holds no view's state
        ROWS_CHANGE,
        // the table leaves the catalog, its files kept: as DROP TABLE, neither a base nor a
        // dimension of a view, and every row in its Iceberg snapshot
        TABLE_UNREGISTERED,
    }

    private static final Map<String, Check> CHECKED = ImmutableMap.of(
            "rollback_to_snapshot", Check.ROWS_CHANGE,
            "unregister_table", Check.TABLE_UNREGISTERED);

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final ViewDependents dependents;

    @Inject
    public CheckedIcebergProcedures(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.dependents = new ViewDependents(segmentStore);
    }

    /**
     * The procedures, those of {@link #CHECKED} running their check before their own work.
     */
    public Set<Procedure> checked(Set<Procedure> procedures)
    {
        return procedures.stream()
                .map(procedure -> procedure.getSchema().equals("system") && CHECKED.containsKey(procedure.getName())
                        ? checked(procedure, CHECKED.get(procedure.getName()))
                        : procedure)
                .collect(toImmutableSet());
    }

    private Procedure checked(Procedure procedure, Check check)
    {
        MethodHandle target = procedure.getMethodHandle();
        MethodType type = target.type();
        // the handle takes the injected session (and access control) wherever it declares them,
        // and the procedure's arguments in their order among its other parameters
        List<Integer> argumentParameters = new ArrayList<>();
        int sessionParameter = -1;
        for (int parameter = 0; parameter < type.parameterCount(); parameter++) {
            Class<?> parameterType = type.parameterType(parameter);
            if (parameterType == ConnectorSession.class) {
                sessionParameter = parameter;
            }
            else if (parameterType != ConnectorAccessControl.class) {
                argumentParameters.add(parameter);
            }
        }
        // rollback_to_snapshot names them SCHEMA and TABLE, unregister_table SCHEMA_NAME and TABLE_NAME
        int schemaParameter = argumentParameters.get(argumentIndex(procedure, Set.of("SCHEMA", "SCHEMA_NAME")));
        int tableParameter = argumentParameters.get(argumentIndex(procedure, Set.of("TABLE", "TABLE_NAME")));
        if (sessionParameter < 0 || type.parameterType(schemaParameter) != String.class || type.parameterType(tableParameter) != String.class) {
            throw new IllegalStateException("Unexpected signature of procedure %s.%s: %s".formatted(procedure.getSchema(), procedure.getName(), type));
        }
        MethodHandle checkFirst = MethodHandles.permuteArguments(
                MethodHandles.insertArguments(CHECK, 0, this, "CALL system." + procedure.getName(), check),
                type.changeReturnType(void.class),
                sessionParameter, schemaParameter, tableParameter);
        return new Procedure(procedure.getSchema(), procedure.getName(), procedure.getArguments(), MethodHandles.foldArguments(target, checkFirst), procedure.requiresNamedArguments());
    }

    private static int argumentIndex(Procedure procedure, Set<String> names)
    {
        for (int index = 0; index < procedure.getArguments().size(); index++) {
            if (names.contains(procedure.getArguments().get(index).getName())) {
                return index;
            }
        }
        throw new IllegalStateException("Procedure %s.%s has no argument named one of %s".formatted(procedure.getSchema(), procedure.getName(), names));
    }

    // invoked through CHECK
    @SuppressWarnings("unused")
    private void check(String operation, Check check, ConnectorSession session, String schema, String table)
    {
        if (schema == null || table == null) {
            // the procedure itself rejects missing arguments, with its own message
            return;
        }
        SchemaTableName name = new SchemaTableName(schema, table);
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(getClass().getClassLoader())) {
            String uuid;
            try {
                uuid = catalogFactory.create(session.getIdentity()).loadTable(session, name).uuid().toString();
            }
            catch (TableNotFoundException e) {
                // the procedure reports a missing table itself
                return;
            }
            dependents.checkNoViews(uuid, name, operation);
            if (check == Check.TABLE_UNREGISTERED) {
                dependents.checkNotADimension(name, operation);
                checkNoHotRows(segmentStore, uuid, name, operation, "so that the Iceberg metadata it leaves behind holds every row");
            }
            if (check == Check.ROWS_CHANGE) {
                checkNoHotRows(segmentStore, uuid, name, operation, ROLLBACK_NEEDS_TIERED_ROWS);
            }
        }
    }

    public static void checkNoHotRows(SegmentStore segmentStore, String uuid, SchemaTableName name, String operation, String then)
    {
        HotTierStats hot = segmentStore.hotTierStats().getOrDefault(uuid, HotTierStats.NONE);
        if (hot.segments() > 0) {
            throw new TrinoException(NOT_SUPPORTED, "Cannot run %s on %s: %d of its rows are still in hot segments, not in its Iceberg snapshot. Run CALL system.tier_table('%s', '%s') first, %s"
                    .formatted(operation, name, hot.rows(), name.getSchemaName(), name.getTableName(), then));
        }
    }
}
