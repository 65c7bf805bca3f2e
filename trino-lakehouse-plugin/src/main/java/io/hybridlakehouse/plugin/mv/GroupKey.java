package io.hybridlakehouse.plugin.mv;

import io.trino.spi.type.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The key of one group of a view's aggregation: equal to another exactly where Trino's GROUP BY
 * puts both rows in one group ({@link KeyValues#groupKey}), and holding the values of the first
 * row seen, which is what Trino shows for a group of {@code 0.0} and {@code -0.0} too.
 */
public final class GroupKey
{
    private final List<Object> values;
    private final List<Object> canonical;

    /**
     * @param values native values of {@code types}, NULL allowed; the key keeps the list, which must not change afterwards
     */
    public GroupKey(List<Object> values, List<Type> types)
    {
        checkArgument(values.size() == types.size(), "%s key values for %s key types", values.size(), types.size());
        this.values = values;
        // one key per base row while an INSERT is aggregated: a second list only where a value changes
        List<Object> canonical = values;
        for (int index = 0; index < values.size(); index++) {
            Object value = values.get(index);
            Object canonicalValue = KeyValues.groupKey(value, types.get(index));
            if (canonicalValue != value) {
                if (canonical == values) {
                    canonical = new ArrayList<>(values);
                }
                canonical.set(index, canonicalValue);
            }
        }
        this.canonical = canonical;
    }

    public List<Object> values()
    {
        return values;
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof GroupKey key && canonical.equals(key.canonical);
    }

    @Override
    public int hashCode()
    {
        return Objects.hashCode(canonical);
    }

    @Override
    public String toString()
    {
        return values.toString();
    }
}
