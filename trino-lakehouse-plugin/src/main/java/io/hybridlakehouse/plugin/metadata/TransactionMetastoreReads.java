package io.hybridlakehouse.plugin.metadata;

import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.MetastoreSnapshot;
import io.trino.spi.connector.SchemaTableName;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static java.util.Objects.requireNonNull;

/**
 * What one transaction has read of the segment metastore: each name it asks about is read with
 * everything views connect it to ({@link MetastoreSnapshot}), once, and kept for the rest of the
 * transaction, so a query costs reads of the tables it names and their views, not of the whole
 * catalog.
 * <p>
 * A later read may meet a table or view an earlier one kept. The earlier one stays: handles may
 * already be pinned to it. When the two differ (a commit came between the reads), the views of
 * the later read would see some of their bases or state at another version than the rest, so
 * no query of this transaction is rewritten to them; they are still listed, and a query that
 * names one reads its state as of the later read.
 */
final class TransactionMetastoreReads
{
    private final Function<SchemaTableName, MetastoreSnapshot> reader;
    private final Set<SchemaTableName> names = new HashSet<>();
    private final Map<SchemaTableName, HybridTableState> tables = new HashMap<>();
    private final Map<SchemaTableName, RegisteredView> views = new HashMap<>();
    private final Set<SchemaTableName> notForRewrite = new HashSet<>();

    TransactionMetastoreReads(Function<SchemaTableName, MetastoreSnapshot> reader)
    {
        this.reader = requireNonNull(reader, "reader is null");
    }

    public synchronized Optional<HybridTableState> table(SchemaTableName name)
    {
        readAround(name);
        return Optional.ofNullable(tables.get(name));
    }

    public synchronized Optional<RegisteredView> view(SchemaTableName name)
    {
        readAround(name);
        return Optional.ofNullable(views.get(name));
    }

    /**
     * The views a query on the base may be rewritten to: read together with the base, its other
     * bases and their state tables.
     */
    public synchronized List<RegisteredView> viewsForRewrite(HybridTableState base)
    {
        readAround(base.name());
        return views.values().stream()
                .filter(view -> view.baseUuids().contains(base.tableUuid()))
                .filter(view -> !notForRewrite.contains(view.view().name()))
                .toList();
    }

    private void readAround(SchemaTableName name)
    {
        if (names.contains(name)) {
            return;
        }
        MetastoreSnapshot read = reader.apply(name);
        Map<SchemaTableName, RegisteredView> readViews = read.views().stream()
                .collect(toImmutableMap(view -> view.view().name(), view -> view));
        // a name kept earlier, as a table, a view or neither, must read the same again
        boolean consistent = read.names().stream()
                .filter(names::contains)
                .allMatch(kept -> Objects.equals(tables.get(kept), read.tables().get(kept)) && Objects.equals(views.get(kept), readViews.get(kept)));
        for (SchemaTableName added : read.names()) {
            if (names.add(added)) {
                Optional.ofNullable(read.tables().get(added)).ifPresent(table -> tables.put(added, table));
                Optional.ofNullable(readViews.get(added)).ifPresent(view -> {
                    views.put(added, view);
                    if (!consistent) {
                        notForRewrite.add(added);
                    }
                });
            }
        }
    }
}
