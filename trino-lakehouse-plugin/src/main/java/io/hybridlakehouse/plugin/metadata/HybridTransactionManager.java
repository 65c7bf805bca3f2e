package io.hybridlakehouse.plugin.metadata;

import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.hybridlakehouse.plugin.segment.AutoCompaction;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.IcebergTransactionManager;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.type.TypeManager;

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
    private final SegmentStore segmentStore;
    private final JsonCodec<CommitTaskData> commitTaskCodec;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final AutoCompaction autoCompaction;
    private final TypeManager typeManager;
    private final Map<ConnectorTransactionHandle, HybridMetadata> transactions = new ConcurrentHashMap<>();

    @Inject
    public HybridTransactionManager(
            IcebergTransactionManager icebergTransactions,
            SegmentStore segmentStore,
            JsonCodec<CommitTaskData> commitTaskCodec,
            IcebergFileSystemFactory fileSystemFactory,
            AutoCompaction autoCompaction,
            TypeManager typeManager)
    {
        this.icebergTransactions = requireNonNull(icebergTransactions, "icebergTransactions is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.commitTaskCodec = requireNonNull(commitTaskCodec, "commitTaskCodec is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.autoCompaction = requireNonNull(autoCompaction, "autoCompaction is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
    }

    public HybridMetadata get(ConnectorTransactionHandle transaction, ConnectorSession session)
    {
        return transactions.computeIfAbsent(transaction, _ -> new HybridMetadata(
                icebergTransactions.get(transaction, session.getIdentity()),
                segmentStore,
                commitTaskCodec,
                fileSystemFactory,
                autoCompaction,
                typeManager));
    }

    public void remove(ConnectorTransactionHandle transaction)
    {
        transactions.remove(transaction);
    }
}
