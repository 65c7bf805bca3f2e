package io.hybridlakehouse.plugin.split;

import org.apache.iceberg.CombinedScanTask;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.metrics.MetricsReporter;

import java.util.Collection;
import java.util.concurrent.ExecutorService;

import static java.util.Objects.requireNonNull;

/**
 * An Iceberg table scan whose file plan comes from {@link ColdScanPlans} when one was kept for
 * the same snapshot, filter and statistics. Refining it by filter or statistics (what Trino's
 * split source does) keeps it caching; any other refinement returns Iceberg's own scan, which
 * plans every time, so a key never stands for a scan it does not describe.
 */
final class PlanCachingTableScan
        implements TableScan
{
    private final TableScan delegate;
    private final ColdScanPlans plans;
    private final ColdScanPlans.PlanKey key;

    PlanCachingTableScan(TableScan delegate, ColdScanPlans plans, ColdScanPlans.PlanKey key)
    {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.plans = requireNonNull(plans, "plans is null");
        this.key = requireNonNull(key, "key is null");
    }

    @Override
    public CloseableIterable<FileScanTask> planFiles()
    {
        return plans.planFiles(key, delegate::planFiles);
    }

    @Override
    public TableScan filter(Expression expression)
    {
        Expression withBothZeros = SignedZeroExpressions.withBothZeros(expression);
        TableScan filtered = delegate.filter(withBothZeros);
        return ScanFilterKey.of(withBothZeros)
                .<TableScan>map(filter -> new PlanCachingTableScan(filtered, plans, key.withFilter(filter)))
                .orElse(filtered);
    }

    @Override
    public TableScan includeColumnStats()
    {
        return refineStatistics(delegate.includeColumnStats(), ColdScanPlans.ColumnStatistics.ALL);
    }

    @Override
    public TableScan includeColumnStats(Collection<String> columns)
    {
        return refineStatistics(delegate.includeColumnStats(columns), ColdScanPlans.ColumnStatistics.of(columns));
    }

    private TableScan refineStatistics(TableScan refined, ColdScanPlans.ColumnStatistics statistics)
    {
        // how Iceberg combines a second request with the first is its own business: plan those
        if (!key.statistics().equals(ColdScanPlans.ColumnStatistics.NONE)) {
            return refined;
        }
        return new PlanCachingTableScan(refined, plans, key.withStatistics(statistics));
    }

    @Override
    public TableScan planWith(ExecutorService executorService)
    {
        return new PlanCachingTableScan(delegate.planWith(executorService), plans, key);
    }

    @Override
    public TableScan metricsReporter(MetricsReporter reporter)
    {
        return new PlanCachingTableScan(delegate.metricsReporter(reporter), plans, key);
    }

    @Override
    public TableScan useSnapshot(long snapshotId)
    {
        return delegate.useSnapshot(snapshotId);
    }

    @Override
    public TableScan useRef(String ref)
    {
        return delegate.useRef(ref);
    }

    @Override
    public TableScan asOfTime(long timestampMillis)
    {
        return delegate.asOfTime(timestampMillis);
    }

    @Override
    public TableScan option(String property, String value)
    {
        return delegate.option(property, value);
    }

    @Override
    public TableScan project(Schema schema)
    {
        return delegate.project(schema);
    }

    @Override
    public TableScan caseSensitive(boolean caseSensitive)
    {
        return delegate.caseSensitive(caseSensitive);
    }

    @Override
    public TableScan select(Collection<String> columns)
    {
        return delegate.select(columns);
    }

    @Override
    public TableScan ignoreResiduals()
    {
        return delegate.ignoreResiduals();
    }

    @Override
    public Table table()
    {
        return delegate.table();
    }

    @Override
    public Snapshot snapshot()
    {
        return delegate.snapshot();
    }

    @Override
    public boolean isCaseSensitive()
    {
        return delegate.isCaseSensitive();
    }

    @Override
    public Expression filter()
    {
        return delegate.filter();
    }

    @Override
    public Schema schema()
    {
        return delegate.schema();
    }

    @Override
    public CloseableIterable<CombinedScanTask> planTasks()
    {
        return delegate.planTasks();
    }

    @Override
    public long targetSplitSize()
    {
        return delegate.targetSplitSize();
    }

    @Override
    public int splitLookback()
    {
        return delegate.splitLookback();
    }

    @Override
    public long splitOpenFileCost()
    {
        return delegate.splitOpenFileCost();
    }
}
