package io.hybridlakehouse.plugin.metadata;

import io.hybridlakehouse.plugin.mv.RegisteredView;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.MetastoreSnapshot;
import io.trino.spi.connector.SchemaTableName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static com.google.common.collect.ImmutableMap.toImmutableMap;
import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static org.assertj.core.api.Assertions.assertThat;

public class TestTransactionMetastoreReads
{
    private static final SchemaTableName BASE = name("base");
    private static final SchemaTableName SHARED_BASE = name("shared");
    private static final SchemaTableName OTHER_BASE = name("other");
    private static final SchemaTableName VIEW = name("v");
    private static final SchemaTableName LATER_VIEW = name("later");

    private final Map<SchemaTableName, MetastoreSnapshot> metastore = new HashMap<>();
    private final List<SchemaTableName> reads = new ArrayList<>();

    @Test
    public void testEachNameReadOnceWithWhatItConnects()
    {
        RegisteredView view = view(VIEW, BASE, SHARED_BASE);
        answer(snapshot(List.of(table(BASE, 1), table(SHARED_BASE, 1), table(state(VIEW), 1)), List.of(view)), BASE, SHARED_BASE, VIEW, state(VIEW));
        answer(snapshot(List.of(table(OTHER_BASE, 1)), List.of()), OTHER_BASE);
        TransactionMetastoreReads transaction = new TransactionMetastoreReads(this::read);

        assertThat(transaction.table(BASE)).hasValue(table(BASE, 1));
        // read with the base: no read of their own
        assertThat(transaction.view(VIEW)).hasValue(view);
        assertThat(transaction.table(state(VIEW))).hasValue(table(state(VIEW), 1));
        assertThat(transaction.viewsForRewrite(table(SHARED_BASE, 1))).containsExactly(view);
        assertThat(reads).containsExactly(BASE);

        assertThat(transaction.table(OTHER_BASE)).hasValue(table(OTHER_BASE, 1));
        assertThat(transaction.view(OTHER_BASE)).isEmpty();
        assertThat(transaction.viewsForRewrite(table(OTHER_BASE, 1))).isEmpty();
        assertThat(reads).containsExactly(BASE, OTHER_BASE);
    }

    @Test
    public void testLaterReadAgreeingWithEarlierOne()
    {
        RegisteredView later = view(LATER_VIEW, SHARED_BASE, OTHER_BASE);
        answer(snapshot(List.of(table(BASE, 1), table(SHARED_BASE, 1), table(state(VIEW), 1)), List.of(view(VIEW, BASE, SHARED_BASE))), BASE);
        // a view created between the reads, over a base the first read kept, which has not changed
        answer(snapshot(List.of(table(OTHER_BASE, 1), table(SHARED_BASE, 1), table(state(LATER_VIEW), 1)), List.of(later)), OTHER_BASE);
        TransactionMetastoreReads transaction = new TransactionMetastoreReads(this::read);

        transaction.table(BASE);
        assertThat(transaction.viewsForRewrite(table(OTHER_BASE, 1))).containsExactly(later);
    }

    @Test
    public void testLaterReadMeetingAChangedTable()
    {
        RegisteredView first = view(VIEW, BASE, SHARED_BASE);
        RegisteredView later = view(LATER_VIEW, SHARED_BASE, OTHER_BASE);
        answer(snapshot(List.of(table(BASE, 1), table(SHARED_BASE, 1), table(state(VIEW), 1)), List.of(first)), BASE);
        // an INSERT into the shared base committed between the two reads
        answer(snapshot(List.of(table(OTHER_BASE, 1), table(SHARED_BASE, 2), table(state(LATER_VIEW), 2)), List.of(later)), OTHER_BASE);
        TransactionMetastoreReads transaction = new TransactionMetastoreReads(this::read);

        transaction.table(BASE);
        assertThat(transaction.table(OTHER_BASE)).hasValue(table(OTHER_BASE, 1));
        // what the first read kept stays; the later view sees the shared base at another version, so it answers no query
        assertThat(transaction.table(SHARED_BASE)).hasValue(table(SHARED_BASE, 1));
        assertThat(transaction.viewsForRewrite(table(SHARED_BASE, 1))).containsExactly(first);
        assertThat(transaction.viewsForRewrite(table(OTHER_BASE, 1))).isEmpty();
        // it is still a view, read as of the later read
        assertThat(transaction.view(LATER_VIEW)).hasValue(later);
        assertThat(transaction.table(state(LATER_VIEW))).hasValue(table(state(LATER_VIEW), 2));
    }

    @Test
    public void testNameFirstReadAsNoTable()
    {
        answer(snapshot(List.of(), List.of()), BASE);
        // the table was created between the reads, and a view on it with the next
        answer(snapshot(List.of(table(OTHER_BASE, 1), table(BASE, 1), table(state(LATER_VIEW), 1)), List.of(view(LATER_VIEW, BASE, OTHER_BASE))), OTHER_BASE);
        TransactionMetastoreReads transaction = new TransactionMetastoreReads(this::read);

        assertThat(transaction.table(BASE)).isEmpty();
        assertThat(transaction.table(OTHER_BASE)).hasValue(table(OTHER_BASE, 1));
        assertThat(transaction.table(BASE)).isEmpty();
        assertThat(transaction.viewsForRewrite(table(OTHER_BASE, 1))).isEmpty();
    }

    private MetastoreSnapshot read(SchemaTableName name)
    {
        reads.add(name);
        return metastore.get(name);
    }

    private void answer(MetastoreSnapshot snapshot, SchemaTableName... names)
    {
        // the store answers for the names it was asked about, whatever it found
        MetastoreSnapshot answer = new MetastoreSnapshot(snapshot.tables(), snapshot.views(), Stream.concat(snapshot.names().stream(), Stream.of(names)).collect(toImmutableSet()));
        for (SchemaTableName name : names) {
            metastore.put(name, answer);
        }
    }

    private static MetastoreSnapshot snapshot(List<HybridTableState> tables, List<RegisteredView> views)
    {
        return new MetastoreSnapshot(
                tables.stream().collect(toImmutableMap(HybridTableState::name, table -> table)),
                views,
                Stream.concat(tables.stream().map(HybridTableState::name), views.stream().map(view -> view.view().name())).collect(toImmutableSet()));
    }

    private static HybridTableState table(SchemaTableName name, long version)
    {
        return new HybridTableState(uuid(name), name, TableSettings.ofMode(TableMode.HYBRID), Optional.empty(), version, 1, 0, Optional.empty());
    }

    private static RegisteredView view(SchemaTableName name, SchemaTableName... bases)
    {
        SynchronousView view = new SynchronousView(name, "SELECT 1", Optional.empty(), Optional.empty(), List.of(new SynchronousView.ViewColumn("c", "bigint")), "s", List.of(bases), state(name), false);
        return new RegisteredView(view, Stream.of(bases).map(TestTransactionMetastoreReads::uuid).collect(toImmutableSet()), Optional.empty(), Set.of());
    }

    private static SchemaTableName state(SchemaTableName view)
    {
        return name(SynchronousView.STATE_TABLE_PREFIX + view.getTableName());
    }

    private static String uuid(SchemaTableName name)
    {
        return "uuid-" + name.getTableName();
    }

    private static SchemaTableName name(String table)
    {
        return new SchemaTableName("s", table);
    }
}
