package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.hybridlakehouse.plugin.tiering.RetentionApplier;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.procedure.Procedure;

import java.lang.invoke.MethodHandle;
import java.time.Instant;

import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.tableNotFound;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.lang.invoke.MethodHandles.lookup;
import static java.util.Objects.requireNonNull;

/**
 * {@code CALL lakehouse.system.apply_retention('schema', 'table')}: drops the partitions older
 * than the table's {@code retention} from both tiers now.
 */
public class ApplyRetentionProcedure
        implements Provider<Procedure>
{
    private static final MethodHandle APPLY_RETENTION;

    static {
        try {
            APPLY_RETENTION = lookup().unreflect(ApplyRetentionProcedure.class.getMethod("applyRetention", ConnectorSession.class, ConnectorAccessControl.class, String.class, String.class));
        }
        catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private final RetentionApplier retention;
    private final ProcedureTables tables;

    @Inject
    public ApplyRetentionProcedure(RetentionApplier retention, ProcedureTables tables)
    {
        this.tables = requireNonNull(tables, "tables is null");
        this.retention = requireNonNull(retention, "retention is null");
    }

    @Override
    public Procedure get()
    {
        return new Procedure(
                "system",
                "apply_retention",
                ImmutableList.of(
                        new Procedure.Argument("SCHEMA_NAME", VARCHAR),
                        new Procedure.Argument("TABLE_NAME", VARCHAR)),
                APPLY_RETENTION.bindTo(this));
    }

    public void applyRetention(ConnectorSession session, ConnectorAccessControl accessControl, String schema, String table)
    {
        try (ThreadContextClassLoader _ = new ThreadContextClassLoader(getClass().getClassLoader())) {
            SchemaTableName name = tables.hotTierTable(schema, table);
            accessControl.checkCanDeleteFromTable(null, name);
            retention.apply(session, name, Instant.now());
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
    }
}
