package io.hybridlakehouse.plugin.procedure;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import com.google.inject.Provider;
import io.hybridlakehouse.plugin.segment.SegmentCompactor;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.classloader.ThreadContextClassLoader;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.procedure.Procedure;
import org.apache.iceberg.Table;

import java.lang.invoke.MethodHandle;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.schemaTableName;
import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.tableNotFound;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.lang.invoke.MethodHandles.lookup;
import static java.util.Objects.requireNonNull;

/**
 * {@code CALL lakehouse.system.compact_segments('schema', 'table')}: merges the hot segments
 * of each partition into one segment, atomically per partition.
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

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final SegmentCompactor compactor;

    @Inject
    public CompactSegmentsProcedure(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, SegmentCompactor compactor)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.compactor = requireNonNull(compactor, "compactor is null");
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
            SchemaTableName name = schemaTableName(schema, table);
            accessControl.checkCanInsertIntoTable(null, name);
            Table icebergTable = catalogFactory.create(session.getIdentity()).loadTable(session, name);
            if (segmentStore.getTable(icebergTable.uuid().toString()).isEmpty()) {
                throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Table %s has no hot tier to compact: it is a plain Iceberg table (mode 'lake')".formatted(name));
            }
            compactor.compactTable(session, icebergTable, 2);
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
    }
}
