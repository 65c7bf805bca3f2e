package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableList;
import io.trino.spi.TrinoException;
import io.trino.spi.session.PropertyMetadata;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static io.trino.spi.type.VarcharType.VARCHAR;

/**
 * Table properties the connector adds to Iceberg's. They live in the segment metastore,
 * not in Iceberg metadata, so other Iceberg engines never see them.
 */
public final class HybridTableProperties
{
    public static final String MODE = "mode";

    private static final List<PropertyMetadata<?>> PROPERTIES = ImmutableList.of(
            new PropertyMetadata<>(
                    MODE,
                    "Write path: 'hybrid' (INSERT lands in hot segments, tiered to Iceberg later) or 'lake' (INSERT commits to Iceberg directly)",
                    VARCHAR,
                    TableMode.class,
                    TableMode.HYBRID,
                    false,
                    value -> parseMode((String) value),
                    TableMode::sqlName));

    private HybridTableProperties() {}

    public static List<PropertyMetadata<?>> properties()
    {
        return PROPERTIES;
    }

    public static boolean isHybridProperty(String name)
    {
        return PROPERTIES.stream().anyMatch(property -> property.getName().equals(name));
    }

    public static TableMode mode(Map<String, Object> properties)
    {
        Object mode = properties.get(MODE);
        return mode == null ? TableMode.HYBRID : (TableMode) mode;
    }

    static TableMode parseMode(String value)
    {
        try {
            return TableMode.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Invalid value for table property 'mode': '%s'. Valid values: %s, e.g. WITH (mode = 'hybrid')".formatted(
                    value,
                    Arrays.stream(TableMode.values()).map(mode -> "'" + mode.sqlName() + "'").collect(Collectors.joining(", "))));
        }
    }
}
