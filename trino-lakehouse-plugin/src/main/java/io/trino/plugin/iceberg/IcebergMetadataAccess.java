package io.trino.plugin.iceberg;

import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.Table;

/**
 * Opens the package-private {@code IcebergMetadata.getIcebergTable} to the hybrid connector.
 * Reading the table through the transaction's own {@code IcebergMetadata} returns the very
 * metadata its table handles were built from (loaded once per transaction), where a second
 * catalog instance would load it again and might see a newer snapshot. The class shares the
 * runtime package with trino-iceberg because both are loaded by the plugin's class loader.
 */
public final class IcebergMetadataAccess
{
    private IcebergMetadataAccess() {}

    public static Table icebergTable(IcebergMetadata metadata, ConnectorSession session, SchemaTableName name)
    {
        return metadata.getIcebergTable(session, name);
    }
}
