package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableSet;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.predicate.TupleDomain;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

import java.util.Map;
import java.util.Set;

/**
 * Columns whose type was widened ({@code integer -> bigint}, {@code real -> double},
 * {@code decimal(p, s) -> decimal(p', s)}) while files written with the old type may remain.
 * Trino 476's Iceberg connector decodes those files' column bounds with the old type and then
 * casts them to the new one: the split source fails with "Error processing metadata" (a
 * ClassCastException in {@code IcebergSplitSource.domainForStatistics}, trinodb/trino#29802),
 * the Parquet reader rejects {@code real} statistics read as {@code double} as corrupt, and
 * an {@code integer} bloom filter probed with a {@code bigint} hash can skip matching row
 * groups (trinodb/trino#30544). Predicates and dynamic filters on such columns are therefore
 * kept away from file statistics: the engine still applies them to every row, so only
 * pruning on those columns is lost, never a row.
 */
public final class PromotedColumns
{
    private PromotedColumns() {}

    /**
     * Field ids whose primitive type in some schema of the table's history differs from their type in the handle's schema.
     */
    public static Set<Integer> promotedFieldIds(Table table, IcebergTableHandle handle)
    {
        Map<Integer, Types.NestedField> current = TypeUtil.indexById(SchemaParser.fromJson(handle.getTableSchemaJson()).asStruct());
        ImmutableSet.Builder<Integer> promoted = ImmutableSet.builder();
        for (Schema schema : table.schemas().values()) {
            TypeUtil.indexById(schema.asStruct()).forEach((id, field) -> {
                Types.NestedField now = current.get(id);
                if (now != null && field.type().isPrimitiveType() && !field.type().equals(now.type())) {
                    promoted.add(id);
                }
            });
        }
        return promoted.build();
    }

    /**
     * The handle without unenforced predicates on promoted columns.
     */
    public static IcebergTableHandle withoutPromotedPredicates(IcebergTableHandle handle, Set<Integer> promotedFieldIds)
    {
        TupleDomain<IcebergColumnHandle> unenforced = handle.getUnenforcedPredicate();
        if (promotedFieldIds.isEmpty() || unenforced.isAll() || unenforced.isNone()) {
            return handle;
        }
        TupleDomain<IcebergColumnHandle> kept = unenforced.filter((column, _) -> !promotedFieldIds.contains(column.getId()));
        return kept.equals(unenforced) ? handle : IcebergHandles.withUnenforcedPredicate(handle, kept);
    }
}
