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
 * {@code CALL lakehouse.system.tier_table('schema', 'table')}: moves every hot segment of the
 * table into Iceberg now and returns when the move is committed.
 * Trino does not stop a killed {@code CALL}, so it runs to its end;
 * {@link HotTierTableProcedures} is the same work as a table procedure, which a kill stops.
 */
public class TierTableProcedure
        implements Provider<Procedure>
{
    private static final MethodHandle TIER_TABLE;

    static {
        try {
            TIER_TABLE = lookup().unreflect(TierTableProcedure.class.getMethod("tierTable", ConnectorSession.class, ConnectorAccessControl.class, String.class, String.class));
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final HotTierTableProcedures maintenance;
    private final ProcedureTables tables;

    @Inject
    public TierTableProcedure(HotTierTableProcedures maintenance, ProcedureTables tables)
    {
        this.tables = requireNonNull(tables, "tables is null");
        this.maintenance = requireNonNull(maintenance, "maintenance is null");
    }

    @Override
    public Procedure get()
    {
        return new Procedure(
                "system",
                "tier_table",
                ImmutableList.of(
                        new Procedure.Argument("SCHEMA_NAME", VARCHAR),
                        new Procedure.Argument("TABLE_NAME", VARCHAR)),
                TIER_TABLE.bindTo(this));
    }

    public void tierTable(ConnectorSession session, ConnectorAccessControl accessControl, String schema, String table)
    {
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(getClass().getClassLoader())) {
            SchemaTableName name = tables.hotTierTable(schema, table);
            accessControl.checkCanInsertIntoTable(null, name);
            maintenance.execute(session, new HotTierTableProcedures.ExecuteHandle(name, HotTierTableProcedures.Operation.TIER));
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
    }
}
