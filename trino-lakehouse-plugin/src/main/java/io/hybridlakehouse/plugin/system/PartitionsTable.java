package io.hybridlakehouse.plugin.system;

import com.google.common.collect.ImmutableList;
import io.hybridlakehouse.plugin.segment.PartitionValues;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.spi.Page;
import io.trino.spi.PageBuilder;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableMetadata;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.FixedPageSource;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.connector.SystemTable;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.TypeUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.trino.plugin.iceberg.IcebergTypes.convertIcebergValueToTrino;
import static io.trino.plugin.iceberg.TypeConverter.toTrinoType;
import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.TypeUtils.writeNativeValue;
import static java.util.Comparator.comparing;
import static java.util.Locale.ENGLISH;
import static java.util.Objects.requireNonNull;

/**
 * Hidden table {@code t$partitions}, Hive-style as BI tools expect: one column per partition
 * field (the current spec's, then those only older specs have), then row, file and size
 * totals over both tiers, and how many of the rows are still hot.
 */
public class PartitionsTable
        implements SystemTable
{
    public static final String SUFFIX = "$partitions";

    private final ConnectorTableMetadata metadata;
    private final Table table;
    private final Optional<Long> snapshotId;
    private final Supplier<List<Segment>> hotSegments;
    private final HotSegmentSplits segments;
    private final List<PartitionField> partitionFields;
    private final List<Type> types;

    public PartitionsTable(SchemaTableName name, Table table, Optional<Long> snapshotId, Supplier<List<Segment>> hotSegments, HotSegmentSplits segments, TypeManager typeManager)
    {
        this.table = requireNonNull(table, "table is null");
        this.snapshotId = requireNonNull(snapshotId, "snapshotId is null");
        this.hotSegments = requireNonNull(hotSegments, "hotSegments is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.partitionFields = partitionFields(table);

        ImmutableList.Builder<ColumnMetadata> columns = ImmutableList.builder();
        ImmutableList.Builder<Type> types = ImmutableList.builder();
        for (PartitionField field : partitionFields) {
            Type type = toTrinoType(field.transform().getResultType(table.schema().findType(field.sourceId())), typeManager);
            columns.add(new ColumnMetadata(field.name(), type));
            types.add(type);
        }
        for (String counter : List.of("record_count", "file_count", "total_size", "hot_record_count")) {
            columns.add(new ColumnMetadata(counter, BIGINT));
            types.add(BIGINT);
        }
        this.metadata = new ConnectorTableMetadata(name, columns.build());
        this.types = types.build();
    }

    @Override
    public Distribution getDistribution()
    {
        return Distribution.SINGLE_COORDINATOR;
    }

    @Override
    public ConnectorTableMetadata getTableMetadata()
    {
        return metadata;
    }

    @Override
    public ConnectorPageSource pageSource(ConnectorTransactionHandle transactionHandle, ConnectorSession session, TupleDomain<Integer> constraint)
    {
        Map<List<Object>, long[]> totals = new LinkedHashMap<>();
        if (snapshotId.isPresent()) {
            try (CloseableIterable<FileScanTask> files = table.newScan().useSnapshot(snapshotId.get()).planFiles()) {
                for (FileScanTask task : files) {
                    long[] counters = totals.computeIfAbsent(values(task.spec(), task.file().partition()), _ -> new long[4]);
                    counters[0] += task.file().recordCount();
                    counters[1]++;
                    counters[2] += task.file().fileSizeInBytes();
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Segment segment : hotSegments.get()) {
            CommitTaskData task = segments.decode(segment);
            PartitionSpec spec = PartitionSpecParser.fromJson(table.schema(), task.partitionSpecJson());
            StructLike partition = PartitionValues.parse(spec, task.partitionDataJson());
            long[] counters = totals.computeIfAbsent(values(spec, partition), _ -> new long[4]);
            counters[0] += segment.recordCount();
            counters[1]++;
            counters[2] += segment.fileSize();
            counters[3] += segment.recordCount();
        }

        PageBuilder page = new PageBuilder(types);
        for (Map.Entry<List<Object>, long[]> entry : totals.entrySet()) {
            page.declarePosition();
            int channel = 0;
            for (Object value : entry.getKey()) {
                writeNativeValue(types.get(channel), page.getBlockBuilder(channel), value);
                channel++;
            }
            for (long counter : entry.getValue()) {
                BIGINT.writeLong(page.getBlockBuilder(channel++), counter);
            }
        }
        List<Page> pages = page.isEmpty() ? ImmutableList.of() : ImmutableList.of(page.build());
        return new FixedPageSource(pages);
    }

    /**
     * The partition fields of every spec whose source column still exists, the current spec's
     * first, each field once, as Iceberg's own partitions table has them: files of an older spec
     * show their own partition values, not nulls under the current spec's fields.
     */
    private static List<PartitionField> partitionFields(Table table)
    {
        Set<Integer> columnIds = TypeUtil.indexById(table.schema().asStruct()).keySet();
        Set<Integer> fieldIds = new HashSet<>();
        Set<String> names = new HashSet<>();
        ImmutableList.Builder<PartitionField> fields = ImmutableList.builder();
        Stream.concat(Stream.of(table.spec()), table.specs().values().stream().sorted(comparing(PartitionSpec::specId).reversed()))
                .flatMap(spec -> spec.fields().stream())
                // a void field is one a later spec dropped (format v1); an older spec holds its real transform
                .filter(field -> !field.transform().isVoid() && columnIds.contains(field.sourceId()))
                .filter(field -> !fieldIds.contains(field.fieldId()) && names.add(field.name().toLowerCase(ENGLISH)))
                .forEach(field -> {
                    fieldIds.add(field.fieldId());
                    fields.add(field);
                });
        return fields.build();
    }

    /**
     * The Trino values of the partition fields for a file written with {@code spec} (fields are
     * matched by id: null where the file's spec lacks one).
     */
    private List<Object> values(PartitionSpec spec, StructLike partition)
    {
        List<Object> values = new ArrayList<>(Arrays.asList(new Object[partitionFields.size()]));
        List<PartitionField> fields = spec.fields();
        for (int i = 0; i < partitionFields.size(); i++) {
            PartitionField wanted = partitionFields.get(i);
            for (int position = 0; position < fields.size(); position++) {
                if (fields.get(position).fieldId() == wanted.fieldId()) {
                    org.apache.iceberg.types.Type type = spec.partitionType().fields().get(position).type();
                    Object value = partition.get(position, type.typeId().javaClass());
                    values.set(i, value == null ? null : convertIcebergValueToTrino(type, value));
                }
            }
        }
        return values;
    }
}
