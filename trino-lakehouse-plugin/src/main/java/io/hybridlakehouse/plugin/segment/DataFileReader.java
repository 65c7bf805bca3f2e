package io.hybridlakehouse.plugin.segment;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergFileFormat;
import io.trino.plugin.iceberg.IcebergPageSourceProvider;
import io.trino.plugin.iceberg.IcebergPageSourceProviderFactory;
import io.trino.plugin.iceberg.PartitionData;
import io.trino.plugin.iceberg.delete.DeleteFile;
import io.trino.spi.Page;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.DynamicFilter;
import io.trino.spi.connector.SourcePage;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.mapping.NameMapping;
import org.apache.iceberg.mapping.NameMappingParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static io.trino.plugin.iceberg.IcebergUtil.getTopLevelColumns;
import static java.util.Objects.requireNonNull;

/**
 * Reads every row of one data file of a table (a hot segment or an Iceberg file with its
 * deletes) through Iceberg's page source, as pages of the table's top-level columns in
 * schema order: what compaction and materialized-view maintenance read outside a query.
 */
public class DataFileReader
{
    /**
     * A data file to read: where it is, its format, its partition, and the delete files that apply to it.
     */
    public record DataFile(String path, IcebergFileFormat format, long fileSize, long recordCount, String partitionSpecJson, Optional<String> partitionDataJson, List<DeleteFile> deletes, long dataSequenceNumber)
    {
        public DataFile
        {
            requireNonNull(path, "path is null");
            requireNonNull(format, "format is null");
            requireNonNull(partitionSpecJson, "partitionSpecJson is null");
            requireNonNull(partitionDataJson, "partitionDataJson is null");
            deletes = List.copyOf(deletes);
        }

        public static DataFile of(CommitTaskData task, long recordCount)
        {
            return new DataFile(task.path(), task.fileFormat(), task.fileSizeInBytes(), recordCount, task.partitionSpecJson(), task.partitionDataJson(), ImmutableList.of(), 0);
        }
    }

    private final IcebergPageSourceProviderFactory pageSourceProviderFactory;
    private final TypeManager typeManager;

    @Inject
    public DataFileReader(IcebergPageSourceProviderFactory pageSourceProviderFactory, TypeManager typeManager)
    {
        this.pageSourceProviderFactory = requireNonNull(pageSourceProviderFactory, "pageSourceProviderFactory is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
    }

    public void read(ConnectorSession session, Table table, DataFile file, Consumer<Page> consumer)
    {
        Schema schema = table.schema();
        PartitionSpec spec = PartitionSpecParser.fromJson(schema, file.partitionSpecJson());
        String partitionJson = file.partitionDataJson().orElse(PartitionValues.UNPARTITIONED_JSON);
        PartitionData partition = PartitionValues.parse(spec, partitionJson);
        List<IcebergColumnHandle> columns = getTopLevelColumns(schema, typeManager);
        IcebergPageSourceProvider pageSources = (IcebergPageSourceProvider) pageSourceProviderFactory.createPageSourceProvider();
        try (ConnectorPageSource source = pageSources.createPageSource(
                session, ImmutableList.copyOf(columns), schema, spec, partition, file.deletes(), DynamicFilter.EMPTY,
                TupleDomain.all(), TupleDomain.all(), file.path(), 0, file.fileSize(), file.fileSize(), file.recordCount(), partitionJson, file.format(),
                table.io().properties(), file.dataSequenceNumber(), nameMapping(table))) {
            while (!source.isFinished()) {
                SourcePage page = source.getNextSourcePage();
                if (page != null && page.getPositionCount() > 0) {
                    consumer.accept(page.getPage());
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How to find the table's columns in files written without Iceberg's field ids (by another
     * engine, or before the table was registered), as a scan of the table reads them.
     */
    private static Optional<NameMapping> nameMapping(Table table)
    {
        return Optional.ofNullable(table.properties().get(TableProperties.DEFAULT_NAME_MAPPING)).map(NameMappingParser::fromJson);
    }
}
