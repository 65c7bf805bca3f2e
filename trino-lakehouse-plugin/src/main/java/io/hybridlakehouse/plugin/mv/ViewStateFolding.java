package io.hybridlakehouse.plugin.mv;

import com.google.common.collect.Iterables;
import com.google.inject.Inject;
import io.airlift.slice.Slice;
import io.airlift.stats.cardinality.HyperLogLog;
import io.hybridlakehouse.plugin.mv.ViewStateLayout.AggregateLayout;
import io.hybridlakehouse.plugin.mv.ViewStateLayout.StateColumn;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.Page;
import io.trino.spi.PageBuilder;
import io.trino.spi.type.DecimalType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import org.apache.iceberg.Table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.TypeUtils.readNativeValue;
import static io.trino.spi.type.TypeUtils.writeNativeValue;
import static java.util.Objects.requireNonNull;

/**
 * Folds the rows of a view's state table by key when its segments are compacted: each
 * INSERT leaves a row per key it touched, compaction leaves one per key, merged the way
 * reads merge them (sums, minimum, maximum, average's sum and count, sketches); a key whose
 * sums would pass what a row holds keeps more than one row, and reads fail or not on it as
 * Trino's {@code sum} does.
 */
public class ViewStateFolding
{
    private final SegmentStore segmentStore;
    private final TypeManager typeManager;

    @Inject
    public ViewStateFolding(SegmentStore segmentStore, TypeManager typeManager)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.typeManager = requireNonNull(typeManager, "typeManager is null");
    }

    /**
     * A folder for the table's rows if it is the state table of a view.
     */
    public Optional<Folder> folderFor(Table table)
    {
        Optional<HybridTableState> state = segmentStore.getTable(table.uuid().toString());
        if (state.isEmpty() || !SynchronousView.isStateTable(state.get().name())) {
            return Optional.empty();
        }
        return segmentStore.views().stream()
                .filter(view -> view.stateTable().equals(state.get().name()))
                .findFirst()
                .map(view -> new Folder(new ViewStateLayout(view, typeManager)));
    }

    public static final class Folder
    {
        private final ViewStateLayout layout;
        private final List<Type> types;
        private final int keyCount;
        private final Map<GroupKey, Object[]> groups = new HashMap<>();
        // rows of a key that could not fold into its row: sums past what a row holds
        private final List<Map.Entry<GroupKey, Object[]>> unfolded = new ArrayList<>();

        private Folder(ViewStateLayout layout)
        {
            this.layout = layout;
            this.types = layout.columns().stream().map(StateColumn::type).toList();
            this.keyCount = layout.keyColumns().size();
        }

        public void add(Page page)
        {
            for (int position = 0; position < page.getPositionCount(); position++) {
                List<Object> key = new ArrayList<>(keyCount);
                for (int channel = 0; channel < keyCount; channel++) {
                    key.add(readNativeValue(types.get(channel), page.getBlock(channel), position));
                }
                Object[] row = new Object[types.size() - keyCount];
                for (int channel = keyCount; channel < types.size(); channel++) {
                    row[channel - keyCount] = readNativeValue(types.get(channel), page.getBlock(channel), position);
                }
                GroupKey groupKey = new GroupKey(key, types.subList(0, keyCount));
                Object[] folded = groups.get(groupKey);
                if (folded == null) {
                    groups.put(groupKey, row);
                }
                else if (foldable(folded, row)) {
                    merge(folded, row);
                }
                else {
                    // reads merge a key's rows in unbounded sums, as Trino's sum does: the key keeps two rows
                    unfolded.add(Map.entry(groupKey, folded));
                    groups.put(groupKey, row);
                }
            }
        }

        private boolean foldable(Object[] left, Object[] right)
        {
            int column = 0;
            for (AggregateLayout aggregate : layout.aggregates()) {
                Type type = aggregate.stateColumns().getFirst().type();
                boolean fits = switch (aggregate.aggregate().function()) {
                    case SUM -> type == BIGINT ? PartialValues.bigintSumFits(left[column], right[column]) : !(type instanceof DecimalType) || PartialValues.sumFits(left[column], right[column], true);
                    case AVG -> !(type instanceof DecimalType) || PartialValues.sumFits(left[column], right[column], false);
                    case COUNT_ALL, COUNT, MIN, MAX, APPROX_DISTINCT -> true;
                };
                if (!fits) {
                    return false;
                }
                column += aggregate.stateColumns().size();
            }
            return true;
        }

        private void merge(Object[] left, Object[] right)
        {
            int column = 0;
            for (AggregateLayout aggregate : layout.aggregates()) {
                switch (aggregate.aggregate().function()) {
                    case COUNT_ALL, COUNT, SUM -> left[column] = PartialValues.sum(left[column], right[column], aggregate.stateColumns().getFirst().type());
                    case MIN, MAX -> left[column] = PartialValues.extreme(left[column], right[column], aggregate.outputType(), aggregate.aggregate().function() == SynchronousViewDefinition.AggregateFunction.MAX);
                    case AVG -> {
                        left[column] = PartialValues.sum(left[column], right[column], aggregate.stateColumns().get(0).type());
                        left[column + 1] = PartialValues.sum(left[column + 1], right[column + 1], BIGINT);
                    }
                    case APPROX_DISTINCT -> {
                        HyperLogLog merged = HyperLogLog.newInstance((Slice) left[column]);
                        merged.mergeWith(HyperLogLog.newInstance((Slice) right[column]));
                        left[column] = merged.serialize();
                    }
                }
                column += aggregate.stateColumns().size();
            }
        }

        /**
         * One row per key, two or more where a sum would not fit one.
         */
        public Page result()
        {
            PageBuilder page = new PageBuilder(groups.size() + unfolded.size(), types);
            for (Map.Entry<GroupKey, Object[]> group : Iterables.concat(groups.entrySet(), unfolded)) {
                page.declarePosition();
                for (int channel = 0; channel < keyCount; channel++) {
                    writeNativeValue(types.get(channel), page.getBlockBuilder(channel), group.getKey().values().get(channel));
                }
                for (int channel = keyCount; channel < types.size(); channel++) {
                    writeNativeValue(types.get(channel), page.getBlockBuilder(channel), group.getValue()[channel - keyCount]);
                }
            }
            groups.clear();
            unfolded.clear();
            return page.build();
        }
    }
}
