package io.hybridlakehouse.plugin.mv;

import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_UNSUPPORTED_MATERIALIZED_VIEW;
import static io.trino.spi.StandardErrorCode.CONSTRAINT_VIOLATION;
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
            List<Object> key = key(page, position);
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

    /**
     * Checks the rows an INSERT adds to the dimension against the rows it has ({@code existing},
     * as of before the INSERT) and against one another, adding them to this index of the new
     * rows: a key may have one row, and the dimension at most {@code maxRows}.
     *
     * @param view the view whose write-time join asks it, for the message
     */
    void addInserted(ConnectorSession session, Page page, DimensionIndex existing, long maxRows, SchemaTableName view)
    {
        for (int position = 0; position < page.getPositionCount(); position++) {
            List<Object> key = key(page, position);
            if (key.contains(null)) {
                continue;
            }
            if (existing.rows.containsKey(key) || rows.containsKey(key)) {
                throw new TrinoException(CONSTRAINT_VIOLATION, ("Cannot INSERT into %s: it would give the join key %s = %s a second row, and materialized view %s joins %s at write time on it, " +
                        "which needs one row per key. Nothing was inserted: change the existing row instead (UPDATE, MERGE), or drop the view")
                        .formatted(table, columns(keyChannels), displayedKey(session, page, position), view, table));
            }
            rows.put(key, new Object[0]);
            if (existing.rows.size() + rows.size() > maxRows) {
                throw new TrinoException(CONSTRAINT_VIOLATION, ("Cannot INSERT into %s: it would have more than %d rows, the limit for the write-time join of materialized view %s " +
                        "(hybrid.materialized-views.dimension-max-rows). Nothing was inserted").formatted(table, maxRows, view));
            }
        }
    }

    private String displayedKey(ConnectorSession session, Page page, int position)
    {
        List<String> values = keyChannels.stream()
                .map(channel -> String.valueOf(types.get(channel).getObjectValue(session, page.getBlock(channel), position)))
                .toList();
        return values.size() == 1 ? values.getFirst() : values.toString();
    }

    private List<Object> key(Page page, int position)
    {
        List<Object> key = new ArrayList<>(keyChannels.size());
        for (int channel : keyChannels) {
            key.add(KeyValues.joinKey(readNativeValue(types.get(channel), page.getBlock(channel), position), types.get(channel)));
        }
        return key;
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
