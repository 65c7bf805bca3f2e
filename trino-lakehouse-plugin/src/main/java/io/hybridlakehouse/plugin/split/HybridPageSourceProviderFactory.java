package io.hybridlakehouse.plugin.split;

import com.google.inject.Inject;
import io.trino.plugin.iceberg.IcebergConnector;
import io.trino.spi.connector.ConnectorPageSourceProvider;
import io.trino.spi.connector.ConnectorPageSourceProviderFactory;

import static java.util.Objects.requireNonNull;

/**
 * Reads splits of both tiers with Iceberg's page source (Parquet reader, predicate and
 * dynamic filter pushdown, schema evolution by field id): both are Iceberg data files.
 */
public class HybridPageSourceProviderFactory
        implements ConnectorPageSourceProviderFactory
{
    private final ConnectorPageSourceProviderFactory iceberg;

    @Inject
    public HybridPageSourceProviderFactory(IcebergConnector iceberg)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null").getPageSourceProviderFactory();
    }

    @Override
    public ConnectorPageSourceProvider createPageSourceProvider()
    {
        return new HybridPageSourceProvider(iceberg.createPageSourceProvider());
    }
}
