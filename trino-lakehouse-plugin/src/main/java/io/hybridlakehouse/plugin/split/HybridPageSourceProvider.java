package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import io.hybridlakehouse.plugin.rewrite.DerivedColumnHandle;
import io.hybridlakehouse.plugin.rewrite.KeyScanPageSource;
import io.hybridlakehouse.plugin.rewrite.RollupColumnHandle;
import io.hybridlakehouse.plugin.rewrite.RollupPageSource;
import io.hybridlakehouse.plugin.rewrite.RollupSplit;
import io.hybridlakehouse.plugin.rewrite.RollupTableHandle;
import io.hybridlakehouse.plugin.rewrite.RowCountSplit;
import io.hybridlakehouse.plugin.rewrite.ScanKeyFilters;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.IcebergSplit;
import io.trino.plugin.iceberg.IcebergTableHandle;
import io.trino.spi.Page;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.ConnectorPageSourceProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.DynamicFilter;
import io.trino.spi.connector.FixedPageSource;
import io.trino.spi.predicate.Domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static io.trino.spi.type.BigintType.BIGINT;
import static java.util.Objects.requireNonNull;

/**
 * Reads splits of both tiers with Iceberg's page source, applies the filters and computes the
 * derived keys the scan took over for materialized-view rewrites, and answers a rollup split
 * from a view's state table.
 */
class HybridPageSourceProvider
        implements ConnectorPageSourceProvider
{
    private final ConnectorPageSourceProvider iceberg;

    HybridPageSourceProvider(ConnectorPageSourceProvider iceberg)
    {
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
    }

    @Override
    public ConnectorPageSource createPageSource(ConnectorTransactionHandle transaction, ConnectorSession session, ConnectorSplit split, ConnectorTableHandle table, List<ColumnHandle> columns, DynamicFilter dynamicFilter)
    {
        if (split instanceof RollupSplit rollupSplit) {
            RollupTableHandle rollup = (RollupTableHandle) table;
            List<ColumnHandle> stateColumns = ImmutableList.copyOf(rollup.stateColumns());
            // the filter on the keys prunes row groups too
            IcebergTableHandle stateTable = rollup.filteredStateTable();
            List<Supplier<ConnectorPageSource>> stateSources = rollupSplit.stateSplits().stream()
                    .<Supplier<ConnectorPageSource>>map(stateSplit -> () -> iceberg.createPageSource(transaction, session, stateSplit.split(), stateTable, stateColumns, DynamicFilter.EMPTY))
                    .toList();
            return new RollupPageSource(rollup, columns.stream().map(RollupColumnHandle.class::cast).collect(toImmutableList()), stateSources);
        }
        if (split instanceof RowCountSplit count) {
            // one row, each column (the count, asked for once or more) holding the count
            Block[] blocks = new Block[columns.size()];
            for (int channel = 0; channel < blocks.length; channel++) {
                BlockBuilder block = BIGINT.createFixedSizeBlockBuilder(1);
                BIGINT.writeLong(block, count.rows());
                blocks[channel] = block.build();
            }
            return new FixedPageSource(ImmutableList.of(new Page(1, blocks)));
        }
        HybridSplit hybridSplit = (HybridSplit) split;
        DynamicFilter filter = PromotedColumnsDynamicFilter.without(dynamicFilter, hybridSplit.promotedFieldIds());
        Map<IcebergColumnHandle, Domain> rowFilters = ScanKeyFilters.rowFilters((IcebergTableHandle) table);
        if (rowFilters.isEmpty() && columns.stream().noneMatch(DerivedColumnHandle.class::isInstance)) {
            return tierPageSource(transaction, session, hybridSplit, (IcebergTableHandle) table, columns, filter);
        }
        // read each source column once: derive the keys from it, filter rows by it
        List<ColumnHandle> read = new ArrayList<>();
        List<KeyScanPageSource.Output> outputs = new ArrayList<>();
        for (ColumnHandle column : columns) {
            IcebergColumnHandle source = column instanceof DerivedColumnHandle derived ? derived.source() : (IcebergColumnHandle) column;
            outputs.add(new KeyScanPageSource.Output(channel(read, source), column instanceof DerivedColumnHandle derived ? Optional.of(derived) : Optional.empty()));
        }
        List<KeyScanPageSource.RowFilter> filters = new ArrayList<>();
        rowFilters.forEach((column, domain) -> filters.add(new KeyScanPageSource.RowFilter(channel(read, column), column.getType(), domain)));
        return new KeyScanPageSource(tierPageSource(transaction, session, hybridSplit, (IcebergTableHandle) table, read, filter), outputs, filters);
    }

    private ConnectorPageSource tierPageSource(ConnectorTransactionHandle transaction, ConnectorSession session, HybridSplit split, IcebergTableHandle table, List<ColumnHandle> columns, DynamicFilter filter)
    {
        if (split.tier() == Tier.COLD) {
            return iceberg.createPageSource(transaction, session, split.split(), table, columns, filter);
        }
        return HotSegmentPageSource.open(
                () -> iceberg.createPageSource(transaction, session, split.split(), table, columns, filter),
                table.getSchemaTableName().toString(),
                ((IcebergSplit) split.split()).getPath());
    }

    private static int channel(List<ColumnHandle> read, IcebergColumnHandle column)
    {
        int channel = read.indexOf(column);
        if (channel < 0) {
            read.add(column);
            channel = read.size() - 1;
        }
        return channel;
    }
}
