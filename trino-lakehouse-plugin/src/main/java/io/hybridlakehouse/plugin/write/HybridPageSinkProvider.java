package io.hybridlakehouse.plugin.write;

import io.airlift.slice.Slice;
import io.trino.spi.Page;
import io.trino.spi.connector.ConnectorInsertTableHandle;
import io.trino.spi.connector.ConnectorMergeSink;
import io.trino.spi.connector.ConnectorMergeTableHandle;
import io.trino.spi.connector.ConnectorOutputTableHandle;
import io.trino.spi.connector.ConnectorPageSink;
import io.trino.spi.connector.ConnectorPageSinkId;
import io.trino.spi.connector.ConnectorPageSinkProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorTableExecuteHandle;
import io.trino.spi.connector.ConnectorTransactionHandle;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

import static io.hybridlakehouse.plugin.write.StorageFull.translating;
import static java.util.Objects.requireNonNull;

/**
 * Iceberg's page sinks, which write both tiers' files, with a full warehouse reported as such
 * ({@link StorageFull}) rather than as a failed Parquet commit.
 */
public class HybridPageSinkProvider
        implements ConnectorPageSinkProvider
{
    private final ConnectorPageSinkProvider iceberg;

    public HybridPageSinkProvider(ConnectorPageSinkProvider iceberg)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
    }

    @Override
    public ConnectorPageSink createPageSink(ConnectorTransactionHandle transactionHandle, ConnectorSession session, ConnectorOutputTableHandle outputTableHandle, ConnectorPageSinkId pageSinkId)
    {
        return new StorageFullPageSink("CREATE TABLE AS", iceberg.createPageSink(transactionHandle, session, outputTableHandle, pageSinkId));
    }

    @Override
    public ConnectorPageSink createPageSink(ConnectorTransactionHandle transactionHandle, ConnectorSession session, ConnectorInsertTableHandle insertTableHandle, ConnectorPageSinkId pageSinkId)
    {
        return new StorageFullPageSink("INSERT", iceberg.createPageSink(transactionHandle, session, insertTableHandle, pageSinkId));
    }

    @Override
    public ConnectorPageSink createPageSink(ConnectorTransactionHandle transactionHandle, ConnectorSession session, ConnectorTableExecuteHandle tableExecuteHandle, ConnectorPageSinkId pageSinkId)
    {
        return new StorageFullPageSink("ALTER TABLE EXECUTE", iceberg.createPageSink(transactionHandle, session, tableExecuteHandle, pageSinkId));
    }

    @Override
    public ConnectorMergeSink createMergeSink(ConnectorTransactionHandle transactionHandle, ConnectorSession session, ConnectorMergeTableHandle mergeHandle, ConnectorPageSinkId pageSinkId)
    {
        ConnectorMergeSink sink = iceberg.createMergeSink(transactionHandle, session, mergeHandle, pageSinkId);
        String what = "The row-level change";
        return new ConnectorMergeSink()
        {
            @Override
            public void storeMergedRows(Page page)
            {
                translating(what, () -> {
                    sink.storeMergedRows(page);
                    return null;
                });
            }

            @Override
            public CompletableFuture<Collection<Slice>> finish()
            {
                return translating(what, sink::finish);
            }

            @Override
            public void abort()
            {
                sink.abort();
            }
        };
    }

    private record StorageFullPageSink(String what, ConnectorPageSink delegate)
            implements ConnectorPageSink
    {
        @Override
        public long getCompletedBytes()
        {
            return delegate.getCompletedBytes();
        }

        @Override
        public long getMemoryUsage()
        {
            return delegate.getMemoryUsage();
        }

        @Override
        public long getValidationCpuNanos()
        {
            return delegate.getValidationCpuNanos();
        }

        @Override
        public CompletableFuture<?> appendPage(Page page)
        {
            return translating(what, () -> delegate.appendPage(page));
        }

        @Override
        public void closeIdleWriters()
        {
            translating(what, () -> {
                delegate.closeIdleWriters();
                return null;
            });
        }

        @Override
        public CompletableFuture<Collection<Slice>> finish()
        {
            return translating(what, delegate::finish);
        }

        @Override
        public void abort()
        {
            delegate.abort();
        }
    }
}
