package io.hybridlakehouse.plugin.rewrite;

import io.trino.spi.Page;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.SourcePage;
import io.trino.spi.metrics.Metrics;
import io.trino.spi.predicate.Domain;
import io.trino.spi.type.Type;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

import static io.trino.spi.type.TypeUtils.readNativeValue;
import static io.trino.spi.type.TypeUtils.writeNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * A scan of a base table with views where no view answered: the filters the scan took over
 * (see {@link ScanKeyFilters}) applied to every row, and the derived keys pushed into it
 * computed from the columns they derive from.
 */
public class KeyScanPageSource
        implements ConnectorPageSource
{
    /**
     * An output column: a channel of the delegate's pages, computed by {@code derived} if present.
     */
    public record Output(int channel, Optional<DerivedColumnHandle> derived)
    {
        public Output
        {
            requireNonNull(derived, "derived is null");
        }
    }

    /**
     * A domain every returned row's value in a channel of the delegate's pages lies in.
     */
    public record RowFilter(int channel, Type type, Domain domain)
    {
        public RowFilter
        {
            requireNonNull(type, "type is null");
            requireNonNull(domain, "domain is null");
        }
    }

    private final ConnectorPageSource delegate;
    private final List<Output> outputs;
    private final List<RowFilter> filters;

    public KeyScanPageSource(ConnectorPageSource delegate, List<Output> outputs, List<RowFilter> filters)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.outputs = List.copyOf(outputs);
        this.filters = List.copyOf(filters);
    }

    @Override
    public SourcePage getNextSourcePage()
    {
        SourcePage page = delegate.getNextSourcePage();
        if (page == null) {
            return null;
        }
        int[] kept = kept(page);
        Block[] blocks = new Block[outputs.size()];
        for (int channel = 0; channel < outputs.size(); channel++) {
            Output output = outputs.get(channel);
            Block source = page.getBlock(output.channel());
            if (kept.length != page.getPositionCount()) {
                source = source.copyPositions(kept, 0, kept.length);
            }
            blocks[channel] = output.derived().isPresent() ? derive(output.derived().get(), source) : source;
        }
        return SourcePage.create(new Page(kept.length, blocks));
    }

    private int[] kept(SourcePage page)
    {
        int[] positions = new int[page.getPositionCount()];
        int count = 0;
        rows:
        for (int position = 0; position < page.getPositionCount(); position++) {
            for (RowFilter filter : filters) {
                if (!filter.domain().includesNullableValue(readNativeValue(filter.type(), page.getBlock(filter.channel()), position))) {
                    continue rows;
                }
            }
            positions[count++] = position;
        }
        return count == positions.length ? positions : Arrays.copyOf(positions, count);
    }

    private static Block derive(DerivedColumnHandle derived, Block source)
    {
        Type sourceType = derived.source().getType();
        BlockBuilder builder = derived.type().createBlockBuilder(null, source.getPositionCount());
        for (int position = 0; position < source.getPositionCount(); position++) {
            writeNativeValue(derived.type(), builder, derived.compute(readNativeValue(sourceType, source, position)));
        }
        return builder.build();
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
    public long getMemoryUsage()
    {
        return delegate.getMemoryUsage();
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

    @Override
    public void close()
            throws IOException
    {
        delegate.close();
    }
}
