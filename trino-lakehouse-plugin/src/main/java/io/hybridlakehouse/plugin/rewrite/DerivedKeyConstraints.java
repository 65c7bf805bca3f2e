package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.Constraint;
import io.trino.spi.predicate.TupleDomain;

/**
 * Filters over a scan that returns derived keys: Iceberg takes the part on its own columns;
 * the part on derived keys stays with the engine.
 */
public final class DerivedKeyConstraints
{
    private DerivedKeyConstraints() {}

    public static boolean mentionsDerivedKeys(Constraint constraint)
    {
        return constraint.getSummary().getDomains().map(domains -> domains.keySet().stream().anyMatch(DerivedColumnHandle.class::isInstance)).orElse(false)
                || constraint.getAssignments().values().stream().anyMatch(DerivedColumnHandle.class::isInstance);
    }

    public static Constraint icebergPart(Constraint constraint)
    {
        return new Constraint(constraint.getSummary().filter((column, _) -> !(column instanceof DerivedColumnHandle)));
    }

    public static TupleDomain<ColumnHandle> withDerivedDomains(TupleDomain<ColumnHandle> remaining, Constraint constraint)
    {
        return remaining.intersect(constraint.getSummary().filter((column, _) -> column instanceof DerivedColumnHandle));
    }
}
