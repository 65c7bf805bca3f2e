package io.hybridlakehouse.plugin.metadata;

import com.google.inject.Inject;
import io.hybridlakehouse.plugin.metastore.MetastoreConnectionPool;
import io.trino.plugin.iceberg.IcebergTransactionManager;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * One {@link HybridMetadata} per transaction, like Iceberg's one {@code IcebergMetadata} per
 * transaction, so the split manager finds the read pins the metadata took.
 */
public class HybridTransactionManager
{
    private final IcebergTransactionManager icebergTransactions;
    private final HybridMetadataFactory metadataFactory;
    private final MetastoreConnectionPool metastore;
    private final Map<ConnectorTransactionHandle, HybridMetadata> transactions = new ConcurrentHashMap<>();

    @Inject
    public HybridTransactionManager(IcebergTransactionManager icebergTransactions, HybridMetadataFactory metadataFactory, MetastoreConnectionPool metastore)
    {
        this.metastore = requireNonNull(metastore, "metastore is null");
        this.icebergTransactions = requireNonNull(icebergTransactions, "icebergTransactions is null");
        this.metadataFactory = requireNonNull(metadataFactory, "metadataFactory is null");
    }

    public HybridMetadata get(ConnectorTransactionHandle transaction, ConnectorSession session)
    {
        return transactions.computeIfAbsent(transaction, _ -> {
            try {
                return metadataFactory.create(icebergTransactions.get(transaction, session.getIdentity()));
            }
            catch (RuntimeException e) {
                // Iceberg's JDBC catalog checks its tables when a transaction opens it: the first place a database that is down or damaged shows
                throw metastore.availabilityFailure(e).orElseThrow(() -> e);
            }
        });
    }

    public void remove(ConnectorTransactionHandle transaction)
    {
        HybridMetadata metadata = transactions.remove(transaction);
        if (metadata != null) {
            metadata.endTransaction();
        }
    }
}
