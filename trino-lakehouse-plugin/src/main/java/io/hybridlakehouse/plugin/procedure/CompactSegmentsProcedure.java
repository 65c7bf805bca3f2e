package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.procedure.Procedure;

import java.lang.invoke.MethodHandle;

import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.tableNotFound;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.lang.invoke.MethodHandles.lookup;
import static java.util.Objects.requireNonNull;

/**
 * {@code CALL lakehouse.system.compact_segments('schema', 'table')}: merges the hot segments
 * of each partition into one segment, atomically per partition.
 * Trino does not stop a killed {@code CALL}, so it runs to its end;
 * {@link HotTierTableProcedures} is the same work as a table procedure, which a kill stops.
 */
public class CompactSegmentsProcedure
        implements Provider<Procedure>
{
    private static final MethodHandle COMPACT_SEGMENTS;

    static {
        try {
            COMPACT_SEGMENTS = lookup().unreflect(CompactSegmentsProcedure.class.getMethod("compactSegments", ConnectorSession.class, ConnectorAccessControl.class, String.class, String.class));
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final HotTierTableProcedures maintenance;
    private final ProcedureTables tables;

    @Inject
    public CompactSegmentsProcedure(HotTierTableProcedures maintenance, ProcedureTables tables)
    {
        this.tables = requireNonNull(tables, "tables is null");
        this.maintenance = requireNonNull(maintenance, "maintenance is null");
    }

    @Override
    public Procedure get()
    {
        return new Procedure(
                "system",
                "compact_segments",
                ImmutableList.of(
                        new Procedure.Argument("SCHEMA_NAME", VARCHAR),
                        new Procedure.Argument("TABLE_NAME", VARCHAR)),
                COMPACT_SEGMENTS.bindTo(this));
    }

    public void compactSegments(ConnectorSession session, ConnectorAccessControl accessControl, String schema, String table)
    {
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(getClass().getClassLoader())) {
            SchemaTableName name = tables.hotTierTable(schema, table);
            accessControl.checkCanInsertIntoTable(null, name);
            maintenance.execute(session, new HotTierTableProcedures.ExecuteHandle(name, HotTierTableProcedures.Operation.COMPACT_SEGMENTS));
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
    }
}
