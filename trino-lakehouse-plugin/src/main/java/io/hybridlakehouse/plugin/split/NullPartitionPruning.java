package io.hybridlakehouse.plugin.split;

import io.hybridlakehouse.plugin.segment.PartitionValues;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergSplit;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Projections;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static io.hybridlakehouse.plugin.split.HotSegmentSplits.dataColumnPredicate;
import static io.trino.plugin.iceberg.ExpressionConverter.toIcebergExpression;
import static java.util.Objects.requireNonNull;

/**
 * Keeps the files of a NULL partition out of a scan whose enforced predicate excludes NULL.
 * <p>
 * Iceberg compares partition values with NULL first, so the partition filter it projects from
 * {@code ts < X}, {@code p <> 'x'} or {@code p NOT IN (...)} is true of a NULL partition value.
 * Its scan planning then keeps the file of a NULL partition, and only column statistics drop
 * it: Parquet and ORC files record null counts, Avro files (or any file written with metrics
 * mode {@code none}) do not. Trino does not filter an enforced predicate again, so those rows
 * were returned, and a metadata DELETE with such a predicate dropped them. Every Iceberg
 * partition transform but {@code void} maps NULL, and only NULL, to a NULL partition value:
 * adding {@code IS NOT NULL} for each such column to the partition filter prunes them exactly.
 */
public final class NullPartitionPruning
{
    private NullPartitionPruning() {}

    /**
     * {@code IS NOT NULL} of each column whose enforced domain excludes NULL in a form Iceberg's
     * partition filter lets a NULL partition value through; {@code true} where there is none.
     */
    public static Expression notNullConstraints(TupleDomain<IcebergColumnHandle> enforced)
    {
        if (enforced.isNone()) {
            return Expressions.alwaysFalse();
        }
        TupleDomain<IcebergColumnHandle> notNull = TupleDomain.withColumnDomains(
                dataColumnPredicate(enforced).getDomains().orElseThrow().entrySet().stream()
                        .filter(entry -> icebergKeepsNullPartitions(entry.getValue()))
                        .collect(toImmutableMap(Map.Entry::getKey, entry -> Domain.notNull(entry.getValue().getType()))));
        return notNull.isAll() ? Expressions.alwaysTrue() : toIcebergExpression(notNull);
    }

    /**
     * The row filter of a DELETE by partitions where Trino's own would also drop the files of
     * NULL partitions the predicate excludes: the predicate and {@code IS NOT NULL} of those
     * columns. Empty where Trino's is right.
     */
    public static Optional<Expression> metadataDeleteFilter(TupleDomain<IcebergColumnHandle> enforced)
    {
        if (enforced.isNone()) {
            return Optional.empty();
        }
        Expression notNull = notNullConstraints(enforced);
        if (notNull == Expressions.alwaysTrue()) {
            return Optional.empty();
        }
        return Optional.of(Expressions.and(toIcebergExpression(enforced), notNull));
    }

    /**
     * A filter of Iceberg's splits by their partition values, where the enforced predicate needs one.
     */
    public static Optional<SplitFilter> splitFilter(String schemaJson, TupleDomain<IcebergColumnHandle> enforced)
    {
        Expression notNull = notNullConstraints(enforced);
        if (notNull == Expressions.alwaysTrue()) {
            return Optional.empty();
        }
        return Optional.of(new SplitFilter(SchemaParser.fromJson(schemaJson), notNull));
    }

    // <, <= and <> (a range unbounded below) and NOT IN of values that are not orderable
    private static boolean icebergKeepsNullPartitions(Domain domain)
    {
        if (domain.isNullAllowed() || domain.isNone() || domain.getValues().isAll()) {
            return false;
        }
        return domain.getValues().getValuesProcessor().transform(
                ranges -> ranges.getOrderedRanges().getFirst().isLowUnbounded(),
                discreteValues -> !discreteValues.isInclusive(),
                _ -> true);
    }

    public static final class SplitFilter
    {
        private final Schema schema;
        private final Expression notNull;
        private final Map<String, Optional<PartitionEvaluator>> evaluators = new ConcurrentHashMap<>();

        private SplitFilter(Schema schema, Expression notNull)
        {
            this.schema = requireNonNull(schema, "schema is null");
            this.notNull = requireNonNull(notNull, "notNull is null");
        }

        public boolean mayMatch(IcebergSplit split)
        {
            return evaluators.computeIfAbsent(split.getPartitionSpecJson(), this::evaluator)
                    .map(evaluator -> evaluator.eval(split.getPartitionDataJson()))
                    .orElse(true);
        }

        private Optional<PartitionEvaluator> evaluator(String specJson)
        {
            PartitionSpec spec;
            try {
                spec = PartitionSpecParser.fromJson(schema, specJson);
            }
            catch (RuntimeException e) {
                // a spec of older data whose source column the table no longer has: its files are read as Iceberg plans them
                return Optional.empty();
            }
            Expression projected = Projections.inclusive(spec).project(notNull);
            if (!spec.isPartitioned() || projected == Expressions.alwaysTrue()) {
                return Optional.empty();
            }
            return Optional.of(new PartitionEvaluator(new Evaluator(spec.partitionType(), projected), spec));
        }
    }

    private record PartitionEvaluator(Evaluator evaluator, PartitionSpec spec)
    {
        boolean eval(String partitionDataJson)
        {
            return evaluator.eval(PartitionValues.parse(spec, partitionDataJson));
        }
    }
}
