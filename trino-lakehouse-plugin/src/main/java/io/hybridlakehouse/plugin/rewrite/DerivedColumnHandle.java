package io.hybridlakehouse.plugin.rewrite;

import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.type.TimestampType;
import io.trino.spi.type.Type;

import java.util.Optional;

import static io.trino.spi.type.DateType.DATE;
import static java.util.Objects.requireNonNull;

/**
 * A grouping key computed from a base column ({@code date_trunc}, {@code CAST(x AS timestamp(3))},
 * {@code CAST(ts AS date)} of a timestamp column as the day unit with type {@code date}, a
 * date/time field such as {@code year(ts)} as the field's unit with the field function,
 * or, with none of them, the widening of an integer column to {@code bigint} that avg and sum apply),
 * accepted by {@code applyProjection} on tables with materialized views so that it reaches
 * {@code applyAggregation} as a column. Where no view answers the query, the scan computes
 * it from the column (see {@link KeyScanPageSource}).
 */
public record DerivedColumnHandle(IcebergColumnHandle source, boolean castToMillis, Optional<String> unit, Optional<String> field, Type type)
        implements ColumnHandle
{
    public DerivedColumnHandle
    {
        requireNonNull(source, "source is null");
        requireNonNull(unit, "unit is null");
        requireNonNull(field, "field is null");
        requireNonNull(type, "type is null");
    }

    public DerivedColumnHandle(IcebergColumnHandle source, boolean castToMillis, Optional<String> unit, Type type)
    {
        this(source, castToMillis, unit, Optional.empty(), type);
    }

    /**
     * True for {@code CAST(x AS bigint)} of a narrower integer column: the same values as the column.
     */
    public boolean isWidening()
    {
        return !castToMillis && unit.isEmpty();
    }

    public KeyExpression key()
    {
        if (field.isPresent()) {
            return KeyExpression.fieldOf(source.getName(), field.get());
        }
        return new KeyExpression(source.getName(), castToMillis, unit, isDateOfTimestamp());
    }

    public Object compute(Object value)
    {
        if (field.isPresent()) {
            return TimeKeys.field(value, source.getType(), field.get());
        }
        Object cast = castToMillis ? TimeKeys.castToMillis(value, source.getType()) : value;
        if (isDateOfTimestamp()) {
            return TimeKeys.dateOf(cast);
        }
        return unit.isPresent() ? TimeKeys.truncate(cast, type, unit.get()) : cast;
    }

    private boolean isDateOfTimestamp()
    {
        return type == DATE && source.getType() instanceof TimestampType;
    }

    public ColumnMetadata columnMetadata()
    {
        return ColumnMetadata.builder().setName(toString()).setType(type).setNullable(true).build();
    }

    @Override
    public String toString()
    {
        return key().toString();
    }
}
