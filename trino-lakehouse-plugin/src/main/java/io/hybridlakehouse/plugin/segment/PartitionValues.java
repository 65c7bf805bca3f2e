package io.hybridlakehouse.plugin.segment;

import io.trino.plugin.iceberg.PartitionData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.util.Optional;

/**
 * The partition values of a segment or an Iceberg split, kept as Trino's Iceberg connector keeps
 * them: JSON of the values in the order of the spec's fields, read with each field's result type.
 */
public final class PartitionValues
{
    public static final String UNPARTITIONED_JSON = PartitionData.toJson(new PartitionData(new Object[0]));

    private PartitionValues() {}

    public static PartitionData parse(PartitionSpec spec, Optional<String> partitionDataJson)
    {
        return parse(spec, partitionDataJson.orElse(UNPARTITIONED_JSON));
    }

    public static PartitionData parse(PartitionSpec spec, String partitionDataJson)
    {
        Type[] partitionTypes = spec.partitionType().fields().stream()
                .map(Types.NestedField::type)
                .toArray(Type[]::new);
        return PartitionData.fromJson(partitionDataJson, partitionTypes);
    }
}
