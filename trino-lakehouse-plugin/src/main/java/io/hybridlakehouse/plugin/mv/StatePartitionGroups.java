package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.ImmutableList;
import io.trino.plugin.iceberg.IcebergColumnHandle;
import io.trino.plugin.iceberg.PartitionTransforms;
import io.trino.spi.Page;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits the rows a view writes into groups of at most a writer's number of partitions (Iceberg's
 * {@code max_partitions_per_writer}), each written by a page sink of its own: Iceberg's page sink
 * refuses a page that would open more writers than that, and one INSERT, or a view's build, may
 * reach back over more days than that. Partition values are computed with Iceberg's own
 * transforms, as its page sink computes them.
 */
final class StatePartitionGroups
{
    private StatePartitionGroups() {}

    /**
     * The pages, regrouped so that the rows of each group fall in at most {@code maxPartitions}
     * partitions of the spec; the pages themselves where they already do.
     */
    static List<List<Page>> split(List<Page> pages, PartitionSpec spec, List<IcebergColumnHandle> columns, int maxPartitions)
    {
        if (spec.isUnpartitioned()) {
            return ImmutableList.of(pages);
        }
        List<PartitionField> fields = spec.fields();
        int[] channels = new int[fields.size()];
        PartitionTransforms.ValueTransform[] transforms = new PartitionTransforms.ValueTransform[fields.size()];
        for (int field = 0; field < fields.size(); field++) {
            int sourceId = fields.get(field).sourceId();
            int channel = indexOf(columns, sourceId);
            channels[field] = channel;
            transforms[field] = PartitionTransforms.getColumnTransform(fields.get(field), columns.get(channel).getType()).valueTransform();
        }

        // each partition's group, in the order the partitions first appear
        Map<List<Object>, Integer> groupOfPartition = new HashMap<>();
        List<int[]> groupsOfRows = new ArrayList<>(pages.size());
        for (Page page : pages) {
            int[] groups = new int[page.getPositionCount()];
            for (int position = 0; position < groups.length; position++) {
                Object[] partition = new Object[fields.size()];
                for (int field = 0; field < fields.size(); field++) {
                    partition[field] = transforms[field].apply(page.getBlock(channels[field]), position);
                }
                groups[position] = groupOfPartition.computeIfAbsent(Arrays.asList(partition), _ -> groupOfPartition.size() / maxPartitions);
            }
            groupsOfRows.add(groups);
        }
        int groupCount = (groupOfPartition.size() + maxPartitions - 1) / maxPartitions;
        if (groupCount <= 1) {
            return ImmutableList.of(pages);
        }

        List<List<Page>> grouped = new ArrayList<>(groupCount);
        for (int group = 0; group < groupCount; group++) {
            grouped.add(new ArrayList<>());
        }
        for (int page = 0; page < pages.size(); page++) {
            // the page's positions ordered by group (a counting sort), each group's copied out
            int[] groups = groupsOfRows.get(page);
            int[] starts = new int[groupCount + 1];
            for (int group : groups) {
                starts[group + 1]++;
            }
            for (int group = 0; group < groupCount; group++) {
                starts[group + 1] += starts[group];
            }
            int[] positions = new int[groups.length];
            int[] next = Arrays.copyOf(starts, groupCount);
            for (int position = 0; position < groups.length; position++) {
                positions[next[groups[position]]++] = position;
            }
            for (int group = 0; group < groupCount; group++) {
                int count = starts[group + 1] - starts[group];
                if (count > 0) {
                    grouped.get(group).add(pages.get(page).copyPositions(positions, starts[group], count));
                }
            }
        }
        return grouped.stream().<List<Page>>map(ImmutableList::copyOf).collect(ImmutableList.toImmutableList());
    }

    private static int indexOf(List<IcebergColumnHandle> columns, int fieldId)
    {
        for (int channel = 0; channel < columns.size(); channel++) {
            if (columns.get(channel).getId() == fieldId) {
                return channel;
            }
        }
        throw new IllegalArgumentException("The state table partitions by field %s, which is not among the columns written".formatted(fieldId));
    }
}
