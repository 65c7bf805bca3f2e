package io.hybridlakehouse.plugin.segment;

import io.hybridlakehouse.plugin.mv.RegisteredView;

import java.util.List;

/**
 * Every table and view of the segment metastore read in one transaction: a query planned on it
 * sees a view's state at the version of its bases (an INSERT commits both at once).
 */
public record MetastoreSnapshot(List<HybridTableState> tables, List<RegisteredView> views)
{
    public MetastoreSnapshot
    {
        tables = List.copyOf(tables);
        views = List.copyOf(views);
    }

    public List<RegisteredView> viewsOfBase(String baseUuid)
    {
        return views.stream().filter(view -> view.baseUuids().contains(baseUuid)).toList();
    }
}
