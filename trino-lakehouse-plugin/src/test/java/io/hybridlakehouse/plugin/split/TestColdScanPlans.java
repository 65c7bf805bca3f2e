package io.hybridlakehouse.plugin.split;

import com.google.common.collect.ImmutableList;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

public class TestColdScanPlans
{
    private static final ColdScanPlans.PlanKey KEY = new ColdScanPlans.PlanKey(UUID.randomUUID(), "local:///warehouse/t", 1, 0, ImmutableList.of(), ColdScanPlans.ColumnStatistics.NONE);

    @Test
    public void testPlanReadToTheEndIsKept()
            throws IOException
    {
        ColdScanPlans plans = new ColdScanPlans(100);
        List<FileScanTask> tasks = tasks(3);
        AtomicInteger plannings = new AtomicInteger();

        assertThat(readAll(plans.planFiles(KEY, () -> counted(plannings, tasks)))).containsExactlyElementsOf(tasks);
        assertThat(readAll(plans.planFiles(KEY, () -> counted(plannings, tasks)))).containsExactlyElementsOf(tasks);
        assertThat(plannings).hasValue(1);
        assertThat(plans.stats().hitCount()).isEqualTo(1);

        // another snapshot of the same table is planned on its own
        ColdScanPlans.PlanKey nextSnapshot = new ColdScanPlans.PlanKey(KEY.tableUuid(), KEY.tableLocation(), 2, 0, ImmutableList.of(), ColdScanPlans.ColumnStatistics.NONE);
        List<FileScanTask> nextTasks = tasks(4);
        assertThat(readAll(plans.planFiles(nextSnapshot, () -> counted(plannings, nextTasks)))).containsExactlyElementsOf(nextTasks);
        assertThat(plannings).hasValue(2);
        assertThat(plans.plansKept()).isEqualTo(2);
    }

    @Test
    public void testPlanClosedBeforeItsEndIsNotKept()
            throws IOException
    {
        ColdScanPlans plans = new ColdScanPlans(100);
        try (CloseableIterable<FileScanTask> planned = plans.planFiles(KEY, () -> CloseableIterable.withNoopClose(tasks(3)));
                CloseableIterator<FileScanTask> iterator = planned.iterator()) {
            assertThat(iterator.hasNext()).isTrue();
            iterator.next();
        }
        assertThat(plans.plansKept()).isZero();
    }

    @Test
    public void testLongPlanIsPassedOnButNotKept()
            throws IOException
    {
        ColdScanPlans plans = new ColdScanPlans(100_000);
        List<FileScanTask> tasks = tasks(ColdScanPlans.MAX_FILES_PER_PLAN + 1);
        assertThat(readAll(plans.planFiles(KEY, () -> CloseableIterable.withNoopClose(tasks)))).containsExactlyElementsOf(tasks);
        assertThat(plans.plansKept()).isZero();

        List<FileScanTask> longestKept = tasks(ColdScanPlans.MAX_FILES_PER_PLAN);
        assertThat(readAll(plans.planFiles(KEY, () -> CloseableIterable.withNoopClose(longestKept)))).containsExactlyElementsOf(longestKept);
        assertThat(plans.plansKept()).isEqualTo(1);
    }

    @Test
    public void testPlansBeyondTheLimitAreEvicted()
            throws IOException
    {
        ColdScanPlans plans = new ColdScanPlans(10);
        for (long snapshot = 1; snapshot <= 5; snapshot++) {
            ColdScanPlans.PlanKey key = new ColdScanPlans.PlanKey(KEY.tableUuid(), KEY.tableLocation(), snapshot, 0, ImmutableList.of(), ColdScanPlans.ColumnStatistics.NONE);
            readAll(plans.planFiles(key, () -> CloseableIterable.withNoopClose(tasks(4))));
        }
        // each plan weighs its files and one: two fit in ten
        assertThat(plans.plansKept()).isEqualTo(2);
    }

    private static CloseableIterable<FileScanTask> counted(AtomicInteger plannings, List<FileScanTask> tasks)
    {
        plannings.incrementAndGet();
        return CloseableIterable.withNoopClose(tasks);
    }

    private static List<FileScanTask> readAll(CloseableIterable<FileScanTask> planned)
            throws IOException
    {
        try (planned) {
            return ImmutableList.copyOf(planned);
        }
    }

    private static List<FileScanTask> tasks(int count)
    {
        // tasks are only passed on and kept: any instance stands for one
        return IntStream.range(0, count)
                .mapToObj(_ -> (FileScanTask) Proxy.newProxyInstance(
                        FileScanTask.class.getClassLoader(),
                        new Class<?>[] {FileScanTask.class},
                        (proxy, method, arguments) -> switch (method.getName()) {
                            case "equals" -> proxy == arguments[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "toString" -> "task";
                            default -> throw new UnsupportedOperationException(method.getName());
                        }))
                .toList();
    }
}
