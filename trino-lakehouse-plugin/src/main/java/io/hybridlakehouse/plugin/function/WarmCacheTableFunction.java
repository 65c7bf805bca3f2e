package io.hybridlakehouse.plugin.function;

import com.google.common.collect.ImmutableList;
import io.airlift.slice.Slice;
import io.hybridlakehouse.plugin.cache.CacheWarmer;
import io.hybridlakehouse.plugin.cache.WarmCacheFiles;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorAccessControl;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.TableNotFoundException;
import io.trino.spi.function.table.AbstractConnectorTableFunction;
import io.trino.spi.function.table.Argument;
import io.trino.spi.function.table.Descriptor;
import io.trino.spi.function.table.ScalarArgument;
import io.trino.spi.function.table.ScalarArgumentSpecification;
import io.trino.spi.function.table.TableFunctionAnalysis;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.hybridlakehouse.plugin.procedure.ProcedureArguments.tableNotFound;
import static io.trino.spi.StandardErrorCode.INVALID_FUNCTION_ARGUMENT;
import static io.trino.spi.function.table.ReturnTypeSpecification.GenericTable.GENERIC_TABLE;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.VarcharType.VARCHAR;
import static java.util.Objects.requireNonNull;

/**
 * {@code SELECT * FROM TABLE(lakehouse.system.warm_cache(schema_name => 's', table_name => 't' [, filter => '...']))}:
 * reads the table's files that may hold rows matching the filter into the local cache, each
 * on the node whose cache serves it to scans (consistent hashing over workers), like StarRocks'
 * {@code CACHE SELECT}. Returns one row per file: the node that cached it, its path and bytes.
 */
public class WarmCacheTableFunction
        extends AbstractConnectorTableFunction
{
    public static final String NAME = "warm_cache";
    static final List<String> COLUMNS = ImmutableList.of("node_id", "path", "bytes");

    private final WarmCacheFiles files;
    private final CacheWarmer warmer;

    public WarmCacheTableFunction(WarmCacheFiles files, CacheWarmer warmer)
    {
        super(
                "system",
                NAME,
                ImmutableList.of(
                        ScalarArgumentSpecification.builder().name("SCHEMA_NAME").type(VARCHAR).build(),
                        ScalarArgumentSpecification.builder().name("TABLE_NAME").type(VARCHAR).build(),
                        ScalarArgumentSpecification.builder().name("FILTER").type(VARCHAR).defaultValue(null).build()),
                GENERIC_TABLE);
        this.files = requireNonNull(files, "files is null");
        this.warmer = requireNonNull(warmer, "warmer is null");
    }

    @Override
    public TableFunctionAnalysis analyze(ConnectorSession session, ConnectorTransactionHandle transaction, Map<String, Argument> arguments, ConnectorAccessControl accessControl)
    {
        warmer.checkCacheEnabled(NAME);
        SchemaTableName table = new SchemaTableName(
                text(arguments, "SCHEMA_NAME").orElseThrow(() -> new TrinoException(INVALID_FUNCTION_ARGUMENT, "schema_name is required, e.g. warm_cache(schema_name => 'ods', table_name => 'events')")).toLowerCase(Locale.ENGLISH),
                text(arguments, "TABLE_NAME").orElseThrow(() -> new TrinoException(INVALID_FUNCTION_ARGUMENT, "table_name is required, e.g. warm_cache(schema_name => 'ods', table_name => 'events')")).toLowerCase(Locale.ENGLISH));
        accessControl.checkCanSelectFromColumns(null, table, Set.of());
        Optional<String> filter = text(arguments, "FILTER");
        // mistakes fail at analysis with their own message; the files are listed once, for the splits
        try {
            files.validate(session, table, filter);
        }
        catch (TableNotFoundException e) {
            throw tableNotFound(e);
        }
        return TableFunctionAnalysis.builder()
                .returnedType(new Descriptor(ImmutableList.of(
                        new Descriptor.Field(COLUMNS.get(0), Optional.of(VARCHAR)),
                        new Descriptor.Field(COLUMNS.get(1), Optional.of(VARCHAR)),
                        new Descriptor.Field(COLUMNS.get(2), Optional.of(BIGINT)))))
                .handle(new WarmCacheFunctionHandle(table, filter))
                .build();
    }

    private static Optional<String> text(Map<String, Argument> arguments, String name)
    {
        Object value = ((ScalarArgument) arguments.get(name)).getValue();
        if (value != null && !(value instanceof Slice)) {
            throw new TrinoException(INVALID_FUNCTION_ARGUMENT, "%s must be a string".formatted(name));
        }
        return Optional.ofNullable((Slice) value).map(Slice::toStringUtf8);
    }
}
