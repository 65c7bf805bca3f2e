package io.hybridlakehouse.plugin.rewrite;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.hybridlakehouse.plugin.metadata.IcebergHandles;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConstraintApplicationResult;
import io.trino.spi.predicate.Domain;
import io.trino.spi.predicate.TupleDomain;
import io.trino.spi.type.Type;

import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.RealType.REAL;

/**
 * Filters on a base table with views are applied by the scan itself, row by row, instead of
 * by a filter above it: with no filter between them, Trino offers the aggregation over the
 * scan to {@code applyAggregation}, which maps the filter onto view keys (Iceberg keeps
 * filters on columns it cannot prune by for the engine). The handle names the columns whose
 * unenforced domains the scan enforces.
 */
public final class ScanKeyFilters
{
    private static final String ROW_FILTER_FIELD_IDS = "hybrid.row-filter-field-ids";

    private ScanKeyFilters() {}

    /**
     * The result with every remaining domain on a view key column that Iceberg also holds as unenforced taken over by the scan.
     */
    public static ConstraintApplicationResult<ConnectorTableHandle> takeOver(ConstraintApplicationResult<ConnectorTableHandle> result, Set<String> keyColumns)
    {
        if (!(result.getHandle() instanceof IcebergTableHandle handle) || result.getRemainingFilter().getDomains().isEmpty() || result.getRemainingExpression().isEmpty()) {
            return result;
        }
        Map<IcebergColumnHandle, Domain> unenforced = handle.getUnenforcedPredicate().getDomains().orElse(Map.of());
        Set<IcebergColumnHandle> taken = result.getRemainingFilter().getDomains().get().entrySet().stream()
                .filter(entry -> entry.getKey() instanceof IcebergColumnHandle column && column.isBaseColumn() && keyColumns.contains(column.getName())
                        && !isFloatingPoint(column.getType()) && entry.getValue().equals(unenforced.get(column)))
                .map(entry -> (IcebergColumnHandle) entry.getKey())
                .collect(ImmutableSet.toImmutableSet());
        if (taken.isEmpty()) {
            return result;
        }
        Set<Integer> fieldIds = ImmutableSet.<Integer>builder()
                .addAll(fieldIds(handle))
                .addAll(taken.stream().map(IcebergColumnHandle::getId).iterator())
                .build();
        IcebergTableHandle filtering = IcebergHandles.withStorageProperties(handle, ImmutableMap.<String, String>builder()
                .putAll(handle.getStorageProperties())
                .put(ROW_FILTER_FIELD_IDS, fieldIds.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")))
                .buildKeepingLast());
        TupleDomain<ColumnHandle> remaining = result.getRemainingFilter().filter((column, _) -> !taken.contains(column));
        return new ConstraintApplicationResult<>(filtering, remaining, result.getRemainingExpression().get(), result.isPrecalculateStatistics());
    }

    /**
     * Trino's own filters on real values are not one order: {@code r = 0} takes -0.0 while
     * {@code r IN (0, 1)} does not, and both arrive as the same domain. The engine keeps
     * floating-point filters, and a query with one is answered from its base.
     */
    private static boolean isFloatingPoint(Type type)
    {
        return type == REAL || type == DOUBLE;
    }

    /**
     * The domains a scan of the handle must enforce on every row.
     */
    public static Map<IcebergColumnHandle, Domain> rowFilters(IcebergTableHandle handle)
    {
        Set<Integer> fieldIds = fieldIds(handle);
        if (fieldIds.isEmpty()) {
            return Map.of();
        }
        if (handle.getUnenforcedPredicate().isNone()) {
            return Map.of();
        }
        return handle.getUnenforcedPredicate().getDomains().orElseThrow().entrySet().stream()
                .filter(entry -> fieldIds.contains(entry.getKey().getId()))
                .collect(ImmutableMap.toImmutableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Set<Integer> fieldIds(IcebergTableHandle handle)
    {
        String ids = handle.getStorageProperties().get(ROW_FILTER_FIELD_IDS);
        if (ids == null) {
            return Set.of();
        }
        return Splitter.on(',').splitToStream(ids).map(Integer::valueOf).collect(ImmutableSet.toImmutableSet());
    }
}
