package io.hybridlakehouse.plugin.segment;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.trino.spi.connector.SchemaTableName;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One table or view of the segment metastore and everything views connect it to, read in one
 * transaction: the views whose base, state table or name it is, and their bases and state tables,
 * to a closed set. A query planned on it sees a view's state at the version of its bases (an
 * INSERT commits both at once) without reading the rest of the catalog.
 *
 * @param tables the hybrid tables of the set
 * @param views the views of the set
 * @param names every name the set answers for, a table's or a view's or one found to be neither
 */
public record MetastoreSnapshot(Map<SchemaTableName, HybridTableState> tables, List<RegisteredView> views, Set<SchemaTableName> names)
{
    public MetastoreSnapshot
    {
        tables = ImmutableMap.copyOf(tables);
        views = List.copyOf(views);
        names = ImmutableSet.copyOf(names);
    }
}
