package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import io.airlift.json.JsonCodec;
import io.hybridlakehouse.plugin.segment.PartitionValues;
import io.hybridlakehouse.plugin.segment.Segment;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergSplit;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.HostAddress;
import io.trino.spi.SplitWeight;
import io.trino.spi.TrinoException;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.InclusiveMetricsEvaluator;
import org.apache.iceberg.expressions.Projections;
import org.apache.iceberg.types.Type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import static io.airlift.slice.Slices.utf8Slice;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CORRUPT_SEGMENT;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INTERNAL_ERROR;
import static io.trino.plugin.iceberg.ExpressionConverter.isConvertibleToIcebergExpression;
import static io.trino.plugin.iceberg.ExpressionConverter.toIcebergExpression;
import static io.trino.plugin.iceberg.IcebergMetadataColumn.isMetadataColumnId;
import static io.trino.plugin.iceberg.IcebergTypes.convertIcebergValueToTrino;
import static io.trino.plugin.iceberg.IcebergUtil.getFileModifiedTimeDomain;
import static io.trino.plugin.iceberg.IcebergUtil.getPartitionDomain;
import static io.trino.plugin.iceberg.IcebergUtil.getPathDomain;
import static io.trino.spi.type.DateTimeEncoding.packDateTimeWithZone;
import static io.trino.spi.type.TimeZoneKey.UTC_KEY;
import static java.util.Objects.requireNonNull;

/**
 * Turns a table's visible hot segments into Iceberg splits, pruned with Iceberg's own
 * evaluators: partition values against the predicate Iceberg enforced (exactly, since the
 * engine will not re-check it) and the per-column min/max/null counts recorded at write time
 * against the rest, all without opening a file.
 */
public final class HotSegmentSplits
{
    private final JsonCodec<CommitTaskData> commitTaskCodec;

    public HotSegmentSplits(JsonCodec<CommitTaskData> commitTaskCodec)
    {
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
    }

    /**
     * @param modificationTime the modification time of a file, in epoch milliseconds, as Iceberg's split source reads it
     */
    public List<IcebergSplit> splits(IcebergTableHandle table, List<Segment> segments, Map<String, String> fileIoProperties, Function<String, List<HostAddress>> preferredHosts, ToLongFunction<String> modificationTime)
    {
        TupleDomain<IcebergColumnHandle> enforced = table.getEnforcedPredicate();
        TupleDomain<IcebergColumnHandle> unenforced = table.getUnenforcedPredicate();
        if (segments.isEmpty() || enforced.isNone() || unenforced.isNone()) {
            return ImmutableList.of();
        }
        TupleDomain<IcebergColumnHandle> enforcedOnData = dataColumnPredicate(enforced);
        enforcedOnData.getDomains().orElseThrow().values().forEach(domain -> {
            if (!isConvertibleToIcebergExpression(domain)) {
                throw new TrinoException(HYBRID_INTERNAL_ERROR, "Enforced predicate cannot be evaluated on hot segments: " + domain);
            }
        });
        // Iceberg enforces filters on $partition, $path and $file_modified_time by the files it plans: so must the hot tier
        Domain partitionDomain = getPartitionDomain(enforced);
        Domain pathDomain = getPathDomain(enforced);
        Domain fileModifiedTimeDomain = getFileModifiedTimeDomain(enforced);
        Expression predicate = SignedZeroExpressions.withBothZeros(Expressions.and(enforcedExpression(enforced), toIcebergExpression(convertible(unenforced))));
        Pruner pruner = pruner(SchemaParser.fromJson(table.getTableSchemaJson()), predicate);

        ImmutableList.Builder<IcebergSplit> splits = ImmutableList.builder();
        for (Segment segment : segments) {
            CommitTaskData task = decode(segment);
            if (!pruner.mayMatch(task)
                    || (!partitionDomain.isAll() && !partitionDomain.includesNullableValue(utf8Slice(pruner.partitionPath(task))))
                    || (!pathDomain.isAll() && !pathDomain.includesNullableValue(utf8Slice(task.path())))
                    || (!fileModifiedTimeDomain.isAll() && !fileModifiedTimeDomain.includesNullableValue(packDateTimeWithZone(modificationTime.applyAsLong(task.path()), UTC_KEY)))) {
                continue;
            }
            splits.add(new IcebergSplit(
                    task.path(),
                    0,
                    task.fileSizeInBytes(),
                    task.fileSizeInBytes(),
                    segment.recordCount(),
                    task.fileFormat(),
                    table.getTablePartitioning().map(partitioning -> pruner.partitionValues(task, partitioning.partitionStructFields())),
                    task.partitionSpecJson(),
                    task.partitionDataJson().orElse(PartitionValues.UNPARTITIONED_JSON),
                    ImmutableList.of(),
                    SplitWeight.standard(),
                    TupleDomain.all(),
                    fileIoProperties,
                    // with the cache on, the node that caches the file (consistent hashing), as for Iceberg's own splits
                    preferredHosts.apply(task.path()),
                    0));
        }
        return splits.build();
    }

    /**
     * Which segments may hold rows matching an Iceberg predicate: their partition values
     * (projected as Iceberg projects it onto partitions) and their column statistics.
     */
    public static Pruner pruner(Schema schema, Expression predicate)
    {
        return new Pruner(schema, predicate);
    }

    public static final class Pruner
    {
        private final Schema schema;
        private final Expression predicate;
        private final InclusiveMetricsEvaluator metricsEvaluator;
        private final Map<String, PartitionSpec> specs = new HashMap<>();
        private final Map<Integer, Evaluator> partitionEvaluators = new HashMap<>();

        private Pruner(Schema schema, Expression predicate)
        {
            this.schema = requireNonNull(schema, "schema is null");
            this.predicate = requireNonNull(predicate, "predicate is null");
            this.metricsEvaluator = new InclusiveMetricsEvaluator(schema, predicate);
        }

        public boolean mayMatch(CommitTaskData task)
        {
            PartitionSpec spec = specs.computeIfAbsent(task.partitionSpecJson(), json -> PartitionSpecParser.fromJson(schema, json));
            DataFile file = dataFile(spec, task);
            if (spec.isPartitioned()) {
                Evaluator partitionEvaluator = partitionEvaluators.computeIfAbsent(spec.specId(),
                        _ -> new Evaluator(spec.partitionType(), Projections.inclusive(spec).project(predicate)));
                if (!partitionEvaluator.eval(file.partition())) {
                    return false;
                }
            }
            return metricsEvaluator.eval(file);
        }

        /**
         * The segment's partition as {@code $partition} shows it.
         */
        public String partitionPath(CommitTaskData task)
        {
            PartitionSpec spec = specs.computeIfAbsent(task.partitionSpecJson(), json -> PartitionSpecParser.fromJson(schema, json));
            return spec.partitionToPath(dataFile(spec, task).partition());
        }

        /**
         * The segment's values of the partition fields Iceberg's bucketed execution assigns
         * splits to buckets by, as Iceberg's split source gives them for its own files.
         */
        public List<Object> partitionValues(CommitTaskData task, List<Integer> partitionStructFields)
        {
            PartitionSpec spec = specs.computeIfAbsent(task.partitionSpecJson(), json -> PartitionSpecParser.fromJson(schema, json));
            StructLike partition = dataFile(spec, task).partition();
            // a list that may hold NULL: a NULL partition value is the bucket of NULL
            List<Object> values = new ArrayList<>(partitionStructFields.size());
            for (int field : partitionStructFields) {
                Type type = spec.partitionType().field(spec.fields().get(field).fieldId()).type();
                values.add(convertIcebergValueToTrino(type, partition.get(field, Object.class)));
            }
            return Collections.unmodifiableList(values);
        }
    }

    public CommitTaskData decode(Segment segment)
    {
        try {
            return commitTaskCodec.fromJson(segment.commitTask());
        }
        catch (IllegalArgumentException e) {
            throw new TrinoException(HYBRID_CORRUPT_SEGMENT, "Segment %d (%s) has unreadable metadata in the segment metastore: %s".formatted(segment.id(), segment.path(), e.getMessage()), e);
        }
    }

    /**
     * The Iceberg data file a segment is, exactly as Iceberg's own INSERT would commit it.
     */
    public static DataFile dataFile(PartitionSpec spec, CommitTaskData task)
    {
        DataFiles.Builder builder = DataFiles.builder(spec)
                .withPath(task.path())
                .withFileSizeInBytes(task.fileSizeInBytes())
                .withFormat(FileFormat.fromString(task.fileFormat().name()))
                .withMetrics(task.metrics().metrics());
        task.fileSplitOffsets().ifPresent(builder::withSplitOffsets);
        if (spec.isPartitioned()) {
            builder.withPartition(PartitionValues.parse(spec, task.partitionDataJson().orElseThrow()));
        }
        return builder.build();
    }

    /**
     * The enforced predicate as Iceberg's expression, which the segments' partition values
     * must match exactly: with the NULL partitions it excludes pruned as well.
     */
    public static Expression enforcedExpression(TupleDomain<IcebergColumnHandle> enforced)
    {
        return Expressions.and(toIcebergExpression(dataColumnPredicate(enforced)), NullPartitionPruning.notNullConstraints(enforced));
    }

    /**
     * The predicate without its domains on {@code $partition}, {@code $path} and
     * {@code $file_modified_time}, which are no columns of the files Iceberg's expressions name.
     */
    public static TupleDomain<IcebergColumnHandle> dataColumnPredicate(TupleDomain<IcebergColumnHandle> predicate)
    {
        return predicate.filter((column, _) -> !isMetadataColumnId(column.getId()));
    }

    private static TupleDomain<IcebergColumnHandle> convertible(TupleDomain<IcebergColumnHandle> predicate)
    {
        // dropping a domain only widens what is read; the engine still filters unenforced predicates
        return dataColumnPredicate(predicate).filter((column, domain) -> isConvertibleToIcebergExpression(domain));
    }
}
