package io.hybridlakehouse.plugin.statistics;

import com.google.common.collect.ImmutableMap;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.theta.CompactSketch;
import org.apache.datasketches.theta.SetOperation;
import org.apache.datasketches.theta.Union;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

import static java.util.Objects.requireNonNull;

/**
 * Distinct-value sketches of some rows of a table, by Iceberg field id: the theta sketches
 * Iceberg's Puffin statistics hold ({@code apache-datasketches-theta-v1}). Unions are
 * idempotent, so rows counted twice (a sketch folded into Iceberg's statistics while a copy
 * is still in the metastore) never inflate an estimate.
 */
public record ColumnSketches(Map<Integer, CompactSketch> sketches)
{
    private static final ColumnSketches EMPTY = new ColumnSketches(ImmutableMap.of());

    public ColumnSketches
    {
        sketches = ImmutableMap.copyOf(requireNonNull(sketches, "sketches is null"));
    }

    public static ColumnSketches empty()
    {
        return EMPTY;
    }

    public boolean isEmpty()
    {
        return sketches.isEmpty();
    }

    public OptionalDouble distinctValues(int fieldId)
    {
        CompactSketch sketch = sketches.get(fieldId);
        return sketch == null ? OptionalDouble.empty() : OptionalDouble.of(sketch.getEstimate());
    }

    public ColumnSketches union(ColumnSketches other)
    {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Map<Integer, CompactSketch> union = new HashMap<>(sketches);
        other.sketches.forEach((fieldId, sketch) -> union.merge(fieldId, sketch, ColumnSketches::union));
        return new ColumnSketches(union);
    }

    public static CompactSketch union(CompactSketch first, CompactSketch second)
    {
        Union union = SetOperation.builder().buildUnion();
        union.union(first);
        union.union(second);
        return union.getResult();
    }

    /**
     * The form the segment metastore keeps: text, so one column type serves SQLite and PostgreSQL.
     */
    public static String serialize(CompactSketch sketch)
    {
        return Base64.getEncoder().encodeToString(sketch.toByteArray());
    }

    public static CompactSketch deserialize(String serialized)
    {
        return CompactSketch.heapify(Memory.wrap(Base64.getDecoder().decode(serialized)));
    }
}
