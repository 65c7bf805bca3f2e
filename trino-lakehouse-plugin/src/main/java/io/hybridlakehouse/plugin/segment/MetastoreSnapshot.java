package io.hybridlakehouse.plugin.segment;

import com.google.common.collect.ImmutableMap;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.trino.spi.connector.SchemaTableName;

import java.util.List;
import java.util.Map;

/**
 * Every table and view of the segment metastore read in one transaction: a query planned on it
 * sees a view's state at the version of its bases (an INSERT commits both at once).
 */
public record MetastoreSnapshot(Map<SchemaTableName, HybridTableState> tables, List<RegisteredView> views)
{
    public MetastoreSnapshot
    {
        tables = ImmutableMap.copyOf(tables);
        views = List.copyOf(views);
    }

    public static MetastoreSnapshot of(List<HybridTableState> tables, List<RegisteredView> views)
    {
        return new MetastoreSnapshot(tables.stream().collect(ImmutableMap.toImmutableMap(HybridTableState::name, table -> table, (first, _) -> first)), views);
    }

    public List<RegisteredView> viewsOfBase(String baseUuid)
    {
        return views.stream().filter(view -> view.baseUuids().contains(baseUuid)).toList();
    }
}
