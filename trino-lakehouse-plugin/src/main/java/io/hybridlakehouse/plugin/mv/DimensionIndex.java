package io.hybridlakehouse.plugin.mv;

import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_UNSUPPORTED_MATERIALIZED_VIEW;
import static io.trino.spi.type.TypeUtils.readNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * A dimension table's rows by join key, loaded once per version of the dimension and kept
 * for the INSERTs that join with it: the lookup of a view's write-time join. A key must
 * identify one row (a dimension); the number of rows is bounded by the catalog.
 */
public final class DimensionIndex
{
    private final SchemaTableName table;
    private final List<String> columns;
    private final List<Type> types;
    private final List<Integer> keyChannels;
    private final Map<List<Object>, Object[]> rows = new HashMap<>();

    DimensionIndex(SchemaTableName table, List<String> columns, List<Type> types, List<Integer> keyChannels)
    {
        this.table = requireNonNull(table, "table is null");
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.keyChannels = List.copyOf(keyChannels);
    }

    void add(Page page, long maxRows)
    {
        for (int position = 0; position < page.getPositionCount(); position++) {
            List<Object> key = new ArrayList<>(keyChannels.size());
            for (int channel : keyChannels) {
                key.add(KeyValues.joinKey(readNativeValue(types.get(channel), page.getBlock(channel), position), types.get(channel)));
            }
            if (key.contains(null)) {
                // a NULL (or NaN) key matches nothing
                continue;
            }
            Object[] row = new Object[types.size()];
            for (int channel = 0; channel < types.size(); channel++) {
                row[channel] = readNativeValue(types.get(channel), page.getBlock(channel), position);
            }
            if (rows.put(key, row) != null) {
                throw new TrinoException(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW, "Dimension table %s has more than one row for the join key %s: a write-time join needs a key that identifies one row"
                        .formatted(table, columns(keyChannels)));
            }
            if (rows.size() > maxRows) {
                throw new TrinoException(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW, "Dimension table %s has more than %d rows, the limit for write-time joins (hybrid.materialized-views.dimension-max-rows)"
                        .formatted(table, maxRows));
            }
        }
    }

    private List<String> columns(List<Integer> channels)
    {
        return channels.stream().map(columns::get).toList();
    }

    public List<String> columns()
    {
        return columns;
    }

    public List<Type> types()
    {
        return types;
    }

    public List<Type> keyTypes()
    {
        return keyChannels.stream().map(types::get).toList();
    }

    public List<String> keyColumns()
    {
        return columns(keyChannels);
    }

    Optional<Object[]> lookup(List<Object> key)
    {
        return Optional.ofNullable(rows.get(key));
    }
}
