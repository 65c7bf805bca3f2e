package io.hybridlakehouse.plugin.metastore;

import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig.SchemaVersion;
import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcClient;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Trino's Iceberg JDBC catalog client, with the read every query makes (a table's current
 * metadata location) on a pooled connection and plain JDBC. Trino's client builds a new Jdbi
 * instance and connection for each call, which costs more than the query itself on the
 * embedded database. Writes (create, commit, drop) stay Trino's.
 */
public class PooledIcebergJdbcClient
        extends IcebergJdbcClient
{
    private final PooledIcebergJdbcConnections connections;
    private final MetastoreConnectionPool metastore;
    private final String catalogName;

    public PooledIcebergJdbcClient(PooledIcebergJdbcConnections connections, MetastoreConnectionPool metastore, String catalogName, SchemaVersion schemaVersion)
    {
        super(connections, catalogName, schemaVersion);
        this.connections = requireNonNull(connections, "connections is null");
        this.metastore = requireNonNull(metastore, "metastore is null");
        this.catalogName = requireNonNull(catalogName, "catalogName is null");
    }

    @Override
    public Optional<String> getMetadataLocation(String schemaName, String tableName)
    {
        try {
            Connection connection = connections.openConnection();
            Optional<String> location;
            try (PreparedStatement statement = metastore.reusingStatements(connection).prepareStatement(
                    "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND table_namespace = ? AND table_name = ?")) {
                statement.setString(1, catalogName);
                statement.setString(2, schemaName);
                statement.setString(3, tableName);
                try (ResultSet resultSet = statement.executeQuery()) {
                    location = resultSet.next() ? Optional.ofNullable(resultSet.getString(1)) : Optional.empty();
                }
            }
            catch (SQLException | RuntimeException e) {
                // a connection that failed may be broken: it is not handed on
                connections.discard(connection);
                throw e;
            }
            connections.closeConnection(connection);
            return location;
        }
        catch (SQLException e) {
            // often the first read of a query: a database that is down or damaged shows here
            throw metastore.availabilityFailure(e).map(RuntimeException.class::cast)
                    .orElseGet(() -> new IllegalStateException("Reading the metadata location of %s.%s from the Iceberg catalog failed: %s".formatted(schemaName, tableName, e.getMessage()), e));
        }
    }
}
