package io.hybridlakehouse.plugin.rewrite;

import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.connector.SchemaTableName;
import io.trino.spi.type.Type;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.TimestampType.TIMESTAMP_MICROS;

/**
 * What retention leaves a view able to answer for its bases. Retention removes the rows of a
 * base (or of a view's state table) with times before a partition boundary; afterwards base
 * and view agree only on times from that boundary on, and a base query is rewritten to the
 * view only if its filter keeps it there. Where the removed times cannot be expressed on the
 * view's time key, the view answers no base query until REFRESH.
 */
public final class ViewCoverage
{
    public static final Instant NOTHING = Instant.ofEpochMilli(Long.MAX_VALUE);

    private ViewCoverage() {}

    /**
     * After retention removed rows of {@code table} whose {@code column} lies before {@code keptFrom}.
     */
    public static void markRowsRemoved(SegmentStore segmentStore, SchemaTableName table, String tableUuid, String column, Instant keptFrom)
    {
        for (SynchronousView view : segmentStore.viewsOfBase(tableUuid)) {
            Optional<String> key = baseTimeKey(view, table, column);
            segmentStore.markViewRowsRemoved(view.name(), key.isPresent() ? keptFrom : NOTHING, key);
        }
        for (SynchronousView view : segmentStore.views()) {
            if (view.stateTable().equals(table)) {
                boolean aligned = stateTimeKeyAligned(view, column, keptFrom);
                segmentStore.markViewRowsRemoved(view.name(), aligned ? keptFrom : NOTHING, aligned ? Optional.of(column) : Optional.empty());
            }
        }
    }

    /**
     * The name of the view's key over the base's time column (the column itself or its {@code date_trunc}), if it has one.
     */
    private static Optional<String> baseTimeKey(SynchronousView view, SchemaTableName base, String column)
    {
        SynchronousViewDefinition definition = view.definition();
        int branch = view.bases().indexOf(base);
        if (branch < 0) {
            return Optional.empty();
        }
        for (SynchronousViewDefinition.Key key : definition.keys()) {
            Optional<KeyExpression> expression = ViewShape.keyOverBase(definition, branch, key);
            if (expression.isPresent() && expression.get().column().equals(column) && !expression.get().castToMillis()) {
                return Optional.of(key.name());
            }
        }
        return Optional.empty();
    }

    /**
     * The state table's retention column is a view key: its removed keys are the base times
     * before {@code keptFrom} if the key truncates a base column to a unit {@code keptFrom} is aligned to.
     */
    private static boolean stateTimeKeyAligned(SynchronousView view, String stateColumn, Instant keptFrom)
    {
        SynchronousViewDefinition definition = view.definition();
        for (SynchronousViewDefinition.Key key : definition.keys()) {
            if (!key.name().equals(stateColumn)) {
                continue;
            }
            for (int branch = 0; branch < definition.branches().size(); branch++) {
                Optional<KeyExpression> expression = ViewShape.keyOverBase(definition, branch, key);
                if (expression.isEmpty() || expression.get().castToMillis()) {
                    return false;
                }
                long micros = Math.multiplyExact(keptFrom.toEpochMilli(), 1000L);
                if (expression.get().unit().isPresent() && !TimeKeys.isAligned(micros, TIMESTAMP_MICROS, expression.get().unit().get())) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * The instant as a value of a date or short timestamp column, rounded up.
     */
    public static Object lowerBound(Instant instant, Type type)
    {
        if (type == DATE) {
            return (long) instant.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay() + (instant.atZone(ZoneOffset.UTC).toLocalTime().toNanoOfDay() == 0 ? 0 : 1);
        }
        return Math.multiplyExact(instant.toEpochMilli(), 1000L);
    }
}
