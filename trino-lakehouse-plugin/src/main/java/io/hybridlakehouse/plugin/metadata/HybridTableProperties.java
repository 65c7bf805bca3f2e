package io.hybridlakehouse.plugin.metadata;

import com.google.common.collect.ImmutableList;
import io.hybridlakehouse.cache.CachePolicy;
import io.trino.spi.TrinoException;
import io.trino.spi.session.PropertyMetadata;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
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
    public static final String TIER_AFTER = "tier_after";
    public static final String RETENTION = "retention";
    public static final String CACHE = "cache";

    private static final List<PropertyMetadata<?>> PROPERTIES = ImmutableList.of(
            new PropertyMetadata<>(
                    MODE,
                    "Write path: 'hybrid' (INSERT lands in hot segments, tiered to Iceberg later) or 'lake' (INSERT commits to Iceberg directly)",
                    VARCHAR,
                    TableMode.class,
                    TableMode.HYBRID,
                    false,
                    value -> parseMode((String) value),
                    TableMode::sqlName),
            durationProperty(TIER_AFTER, "Age at which hot segments move to Iceberg, e.g. '15m', '1h' (default: the catalog's hybrid.tiering.default-tier-after)"),
            durationProperty(RETENTION, "How long partitions are kept in both tiers, e.g. '7d'; needs a year/month/day/hour partitioning (default: forever)"),
            new PropertyMetadata<>(
                    CACHE,
                    "What the local cache may hold of the table: 'none', 'hot' (recently written files) or 'all' (default: the catalog's hybrid.cache.default-policy)",
                    VARCHAR,
                    CachePolicy.class,
                    null,
                    false,
                    value -> parseCachePolicy((String) value),
                    CachePolicy::sqlName));

    private static final Pattern TIME_PARTITIONING = Pattern.compile("(?i)\\s*(year|month|day|hour)\\s*\\(.*\\)\\s*");

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

    public static TableSettings settings(Map<String, Object> properties)
    {
        TableSettings settings = new TableSettings(
                mode(properties),
                Optional.ofNullable((Duration) properties.get(TIER_AFTER)),
                Optional.ofNullable((Duration) properties.get(RETENTION)),
                Optional.ofNullable((CachePolicy) properties.get(CACHE)));
        if (settings.retention().isPresent()) {
            @SuppressWarnings("unchecked")
            List<String> partitioning = (List<String>) properties.getOrDefault("partitioning", List.of());
            checkRetentionPartitioning(partitioning);
        }
        return settings;
    }

    /**
     * Retention drops whole partitions, so the table must be partitioned by time.
     */
    public static void checkRetentionPartitioning(List<String> partitioning)
    {
        if (partitioning.stream().noneMatch(field -> TIME_PARTITIONING.matcher(field).matches())) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Table property 'retention' needs a table partitioned by time, e.g. WITH (partitioning = ARRAY['day(event_time)'], retention = '7d'); partitioning is %s"
                    .formatted(partitioning));
        }
    }

    private static PropertyMetadata<Duration> durationProperty(String name, String description)
    {
        return new PropertyMetadata<>(
                name,
                description,
                VARCHAR,
                Duration.class,
                null,
                false,
                value -> parseDuration(name, (String) value),
                HybridTableProperties::formatDuration);
    }

    static CachePolicy parseCachePolicy(String value)
    {
        try {
            return CachePolicy.fromSqlName(value.strip());
        }
        catch (IllegalArgumentException e) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Invalid value for table property 'cache': '%s'. Valid values: 'none', 'hot', 'all', e.g. WITH (cache = 'hot')".formatted(value));
        }
    }

    static Duration parseDuration(String property, String value)
    {
        Duration duration;
        try {
            duration = Duration.ofMillis(io.airlift.units.Duration.valueOf(value.strip()).toMillis());
        }
        catch (IllegalArgumentException e) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Invalid value for table property '%s': '%s'. Use a duration such as '15m', '1h' or '7d'".formatted(property, value));
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Invalid value for table property '%s': '%s'. It must be positive, such as '15m', '1h' or '7d'".formatted(property, value));
        }
        return duration;
    }

    static String formatDuration(Duration duration)
    {
        long millis = duration.toMillis();
        for (Map.Entry<String, Long> unit : List.of(Map.entry("d", 86_400_000L), Map.entry("h", 3_600_000L), Map.entry("m", 60_000L), Map.entry("s", 1_000L))) {
            if (millis % unit.getValue() == 0) {
                return millis / unit.getValue() + unit.getKey();
            }
        }
        return millis + "ms";
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
