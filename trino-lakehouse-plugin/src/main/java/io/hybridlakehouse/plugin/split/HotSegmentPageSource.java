package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableSet;
import io.trino.spi.ErrorCode;
import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.block.Block;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.SourcePage;
import io.trino.spi.metrics.Metrics;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CORRUPT_SEGMENT;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_BAD_DATA;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_CANNOT_OPEN_SPLIT;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_CURSOR_ERROR;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_FILESYSTEM_ERROR;
import static java.util.Objects.requireNonNull;

/**
 * Reads a hot segment through Iceberg's page source, and reports a segment file that is
 * missing or damaged as such. Iceberg's errors name only the file; a hot segment exists
 * nowhere but in this catalog's metastore and warehouse, so the user needs to hear which table
 * it belongs to and that no other engine or snapshot holds its rows.
 * Blocks are read lazily, so the pages are wrapped too.
 */
public final class HotSegmentPageSource
        implements ConnectorPageSource
{
    private static final Set<ErrorCode> UNREADABLE_FILE = ImmutableSet.of(
            ICEBERG_BAD_DATA.toErrorCode(),
            ICEBERG_CANNOT_OPEN_SPLIT.toErrorCode(),
            ICEBERG_CURSOR_ERROR.toErrorCode(),
            ICEBERG_FILESYSTEM_ERROR.toErrorCode());

    private final ConnectorPageSource delegate;
    private final String table;
    private final String path;

    private HotSegmentPageSource(ConnectorPageSource delegate, String table, String path)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.table = requireNonNull(table, "table is null");
        this.path = requireNonNull(path, "path is null");
    }

    public static ConnectorPageSource open(Supplier<ConnectorPageSource> icebergPageSource, String table, String path)
    {
        return new HotSegmentPageSource(reading(icebergPageSource, table, path), table, path);
    }

    /**
     * Runs a read of the hot segment at {@code path}, reporting a missing or damaged file as a
     * {@code HYBRID_CORRUPT_SEGMENT} of its table.
     */
    public static <T> T reading(Supplier<T> read, String table, String path)
    {
        try {
            return read.get();
        }
        catch (TrinoException e) {
            if (!UNREADABLE_FILE.contains(e.getErrorCode())) {
                throw e;
            }
            throw corruptSegment(table, path, e);
        }
    }

    public static TrinoException corruptSegment(String table, String path, Exception cause)
    {
        return new TrinoException(HYBRID_CORRUPT_SEGMENT, ("Hot segment file %s of table %s is missing or damaged: %s. " +
                "Its rows are in no Iceberg snapshot yet, so no other copy exists: restore the file from a backup of the warehouse. " +
                "Queries whose filters exclude its partition still work").formatted(path, table, cause.getMessage()), cause);
    }

    @Override
    public long getCompletedBytes()
    {
        return delegate.getCompletedBytes();
    }

    @Override
    public OptionalLong getCompletedPositions()
    {
        return delegate.getCompletedPositions();
    }

    @Override
    public long getReadTimeNanos()
    {
        return delegate.getReadTimeNanos();
    }

    @Override
    public boolean isFinished()
    {
        return delegate.isFinished();
    }

    @Override
    public SourcePage getNextSourcePage()
    {
        SourcePage page = reading(delegate::getNextSourcePage, table, path);
        return page == null ? null : new SegmentPage(page);
    }

    @Override
    public long getMemoryUsage()
    {
        return delegate.getMemoryUsage();
    }

    @Override
    public void close()
            throws IOException
    {
        delegate.close();
    }

    @Override
    public CompletableFuture<?> isBlocked()
    {
        return delegate.isBlocked();
    }

    @Override
    public Metrics getMetrics()
    {
        return delegate.getMetrics();
    }

    private class SegmentPage
            implements SourcePage
    {
        private final SourcePage delegate;

        private SegmentPage(SourcePage delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public int getPositionCount()
        {
            return delegate.getPositionCount();
        }

        @Override
        public long getSizeInBytes()
        {
            return delegate.getSizeInBytes();
        }

        @Override
        public long getRetainedSizeInBytes()
        {
            return delegate.getRetainedSizeInBytes();
        }

        @Override
        public void retainedBytesForEachPart(ObjLongConsumer<Object> consumer)
        {
            delegate.retainedBytesForEachPart(consumer);
        }

        @Override
        public int getChannelCount()
        {
            return delegate.getChannelCount();
        }

        @Override
        public Block getBlock(int channel)
        {
            return reading(() -> delegate.getBlock(channel), table, path);
        }

        @Override
        public Page getPage()
        {
            return reading(delegate::getPage, table, path);
        }

        @Override
        public void selectPositions(int[] positions, int offset, int size)
        {
            reading(() -> {
                delegate.selectPositions(positions, offset, size);
                return null;
            }, table, path);
        }
    }
}
