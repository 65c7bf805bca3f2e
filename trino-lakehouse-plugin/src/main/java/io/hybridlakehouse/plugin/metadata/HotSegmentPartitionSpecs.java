package io.hybridlakehouse.plugin.metadata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.common.collect.ImmutableMap;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.ConstraintApplicationResult;
import io.trino.spi.expression.ConnectorExpression;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.type.TypeOperators;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.JsonUtil;

import java.util.Map;
import java.util.Set;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CORRUPT_SEGMENT;
import static io.trino.plugin.iceberg.IcebergUtil.canEnforceColumnConstraintInSpecs;

/**
 * Iceberg enforces a filter on a partition column itself (it prunes files by their partition
 * values, and the engine no longer checks the rows) when every partition spec among the
 * snapshot's files can: an identity field, or a time range on the boundaries of a temporal
 * one. Hot segments keep the spec they were written with, which the snapshot need not hold:
 * after {@code ALTER TABLE ... SET PROPERTIES partitioning = ...} a segment of the older spec
 * can hold several values of a column the new spec partitions by identity. Such a filter goes
 * back to the engine, unenforced, while segments of a spec that cannot enforce it are hot.
 */
public final class HotSegmentPartitionSpecs
{
    private static final String SPEC_ID = "spec-id";

    private HotSegmentPartitionSpecs() {}

    /**
     * The domains of the handle's enforced predicate that some hot segment's spec cannot enforce.
     */
    public static Map<IcebergColumnHandle, Domain> notEnforceable(TypeOperators typeOperators, Table table, IcebergTableHandle handle, Set<Integer> hotSegmentSpecIds)
    {
        TupleDomain<IcebergColumnHandle> enforced = handle.getEnforcedPredicate();
        if (hotSegmentSpecIds.isEmpty() || enforced.isAll() || enforced.isNone()) {
            return ImmutableMap.of();
        }
        ImmutableMap.Builder<IcebergColumnHandle, Domain> notEnforceable = ImmutableMap.builder();
        enforced.getDomains().orElseThrow().forEach((column, domain) -> {
            if (!canEnforceColumnConstraintInSpecs(typeOperators, table, hotSegmentSpecIds, column, domain)) {
                notEnforceable.put(column, domain);
            }
        });
        return notEnforceable.buildOrThrow();
    }

    /**
     * The result with those domains moved from the handle's enforced predicate to its unenforced
     * one, which prunes files by their statistics only, and to the filter the engine applies to
     * every row.
     */
    public static ConstraintApplicationResult<ConnectorTableHandle> unenforced(Constraint constraint, ConstraintApplicationResult<ConnectorTableHandle> result, IcebergTableHandle handle, Map<IcebergColumnHandle, Domain> domains)
    {
        TupleDomain<IcebergColumnHandle> moved = TupleDomain.withColumnDomains(domains);
        IcebergTableHandle unenforced = IcebergHandles.withPredicates(
                handle,
                handle.getUnenforcedPredicate().intersect(moved),
                handle.getEnforcedPredicate().filter((column, _) -> !domains.containsKey(column)));
        TupleDomain<ColumnHandle> remaining = result.getRemainingFilter().intersect(TupleDomain.withColumnDomains(ImmutableMap.<ColumnHandle, Domain>copyOf(domains)));
        // no remaining expression stands for all of the constraint's
        ConnectorExpression expression = result.getRemainingExpression().orElseGet(constraint::getExpression);
        return new ConstraintApplicationResult<>(unenforced, remaining, expression, result.isPrecalculateStatistics());
    }

    /**
     * The id of the partition spec in a segment's commit task ({@code PartitionSpecParser}'s JSON).
     */
    public static int specId(String partitionSpecJson)
    {
        try {
            return JsonUtil.getInt(SPEC_ID, JsonUtil.mapper().readTree(partitionSpecJson));
        }
        catch (JsonProcessingException | IllegalArgumentException e) {
            throw new TrinoException(HYBRID_CORRUPT_SEGMENT, "A hot segment's partition spec is unreadable in the segment metastore: " + partitionSpecJson, e);
        }
    }
}
