package io.hybridlakehouse.plugin.tiering;

import io.airlift.units.DataSize;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.security.ConnectorIdentity;
import io.trino.spi.type.TimeZoneKey;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A session whose Parquet writer buffers at most {@code writerMemory} before flushing a row
 * group: what bounds the heap of rewriting segments during tiering, whatever the partition size.
 */
final class WriterMemoryLimitedSession
        implements ConnectorSession
{
    private static final String PARQUET_WRITER_BLOCK_SIZE = "parquet_writer_block_size";

    private final ConnectorSession delegate;
    private final DataSize writerMemory;

    WriterMemoryLimitedSession(ConnectorSession delegate, DataSize writerMemory)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.writerMemory = requireNonNull(writerMemory, "writerMemory is null");
    }

    @Override
    public <T> T getProperty(String name, Class<T> type)
    {
        if (name.equals(PARQUET_WRITER_BLOCK_SIZE)) {
            return type.cast(writerMemory);
        }
        return delegate.getProperty(name, type);
    }

    @Override
    public String getQueryId()
    {
        return delegate.getQueryId();
    }

    @Override
    public Optional<String> getSource()
    {
        return delegate.getSource();
    }

    @Override
    public ConnectorIdentity getIdentity()
    {
        return delegate.getIdentity();
    }

    @Override
    public TimeZoneKey getTimeZoneKey()
    {
        return delegate.getTimeZoneKey();
    }

    @Override
    public Locale getLocale()
    {
        return delegate.getLocale();
    }

    @Override
    public Optional<String> getTraceToken()
    {
        return delegate.getTraceToken();
    }

    @Override
    public Instant getStart()
    {
        return delegate.getStart();
    }
}
