package io.hybridlakehouse.plugin.tiering;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.rewrite.ViewCoverage;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.PartitionValues;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.PartitionData;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Literal;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.types.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_INVALID_TABLE_PROPERTY;
import static java.util.Objects.requireNonNull;

/**
 * Drops the partitions older than a table's retention from both tiers: Iceberg files by a
 * row filter aligned to whole partitions (Iceberg then deletes whole files only), hot
 * segments by their partition values.
 */
public class RetentionApplier
{
    private static final Logger log = Logger.get(RetentionApplier.class);

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final HotSegmentSplits segments;
    private volatile Runnable afterColdDelete = () -> {};

    @Inject
    public RetentionApplier(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, JsonCodec<CommitTaskData> commitTaskCodec)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.segments = new HotSegmentSplits(commitTaskCodec);
    }

    public record Result(Instant keptFrom, int hotSegmentsDropped, boolean coldFilesDeleted) {}

    public Optional<Result> apply(ConnectorSession session, SchemaTableName name, Instant now)
    {
        Table table = catalogFactory.create(session.getIdentity()).loadTable(session, name);
        HybridTableState state = segmentStore.getTable(table.uuid().toString())
                .orElseThrow(() -> new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Table %s has no retention: it is not managed by this catalog".formatted(name)));
        if (state.settings().retention().isEmpty()) {
            // retention drops whole partitions by time: without such a partitioning, setting one is refused too
            boolean timePartitioned = timePartition(table.spec()).isPresent();
            throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, segmentStore.views().stream()
                    .filter(view -> view.stateTable().equals(name))
                    .map(SynchronousView::name)
                    .findFirst()
                    .map(view -> timePartitioned
                            ? "Materialized view %s has no retention: set one with ALTER MATERIALIZED VIEW %s SET PROPERTIES retention = '7d'".formatted(view, view)
                            : "Materialized view %s has no retention, and a retention needs a view partitioned by time: CREATE OR REPLACE MATERIALIZED VIEW %s WITH (partitioning = ARRAY['day(<time key>)'], retention = '7d') AS ...".formatted(view, view))
                    .orElseGet(() -> timePartitioned
                            ? "Table %s has no retention: set one with ALTER TABLE %s SET PROPERTIES retention = '7d'".formatted(name, name)
                            : "Table %s has no retention, and a retention needs a table partitioned by time, e.g. WITH (partitioning = ARRAY['day(event_time)'], retention = '7d'); partitioning is %s".formatted(name, table.spec().fields())));
        }
        PartitionField timeField = timePartition(table.spec())
                .orElseThrow(() -> new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Retention of %s needs a partitioning by year, month, day or hour of a date or timestamp column; the table is partitioned by %s"
                        .formatted(name, table.spec().fields())));
        String sourceColumn = table.schema().findColumnName(timeField.sourceId());
        Type sourceType = table.schema().findType(timeField.sourceId());
        Instant keptFrom = partitionStart(timeField.transform().toString(), now.minus(state.settings().retention().get()));

        // cold: every row of a dropped partition is older than keptFrom, which is a partition boundary
        Literal<?> boundary = switch (sourceType.typeId()) {
            case DATE -> Literal.of((int) LocalDate.ofInstant(keptFrom, ZoneOffset.UTC).toEpochDay());
            case TIMESTAMP -> Literal.of(ChronoUnit.MICROS.between(Instant.EPOCH, keptFrom)).to(sourceType);
            default -> throw new TrinoException(HYBRID_INVALID_TABLE_PROPERTY, "Retention needs a date or timestamp partition source column, %s is %s".formatted(sourceColumn, sourceType));
        };
        // a row without a time has no age and stays, as in a hot segment: Iceberg's partition filter for < alone takes NULL partitions
        Expression coldExpired = Expressions.and(Expressions.notNull(sourceColumn), Expressions.lessThan(sourceColumn, boundary.value()));
        boolean coldHasExpired = table.currentSnapshot() != null && anyFileMatches(table, coldExpired);

        // hot: segments whose partition value lies before the boundary's partition
        @SuppressWarnings("unchecked")
        Transform<Object, Object> transform = (Transform<Object, Object>) timeField.transform();
        Object boundaryPartition = transform.bind(sourceType).apply(boundary.value());
        ImmutableList.Builder<Segment> expiredBuilder = ImmutableList.builder();
        for (Segment segment : segmentStore.visibleSegments(state.tableUuid(), state.version(), 0)) {
            CommitTaskData task = segments.decode(segment);
            PartitionSpec spec = PartitionSpecParser.fromJson(table.schema(), task.partitionSpecJson());
            Optional<Object> value = partitionValue(spec, task, timeField);
            if (value.isPresent() && ((Comparable<Object>) value.get()).compareTo(boundaryPartition) < 0) {
                expiredBuilder.add(segment);
            }
        }
        List<Segment> expired = expiredBuilder.build();

        // the views learn which times they no longer answer for before any row goes: a query that
        // reads the base without the rows must not be answered from a view that still counts them,
        // also when this run stops between its commits (the views then only answer less)
        if (coldHasExpired || !expired.isEmpty()) {
            ViewCoverage.markRowsRemoved(segmentStore, name, state.tableUuid(), sourceColumn, keptFrom);
        }
        boolean coldDeleted = false;
        if (coldHasExpired) {
            long before = table.currentSnapshot().snapshotId();
            table.newDelete().deleteFromRowFilter(coldExpired).commit();
            table.refresh();
            coldDeleted = table.currentSnapshot().snapshotId() != before;
        }
        afterColdDelete.run();
        int dropped = segmentStore.dropSegments(state.tableUuid(), expired, Segment.EXPIRED);
        log.info("Retention of %s: kept data from %s, dropped %s hot segments, cold files deleted: %s", name, keptFrom, dropped, coldDeleted);
        return Optional.of(new Result(keptFrom, dropped, coldDeleted));
    }

    /**
     * Runs between the deletion of the cold rows and the drop of the hot segments; tests look at the table there.
     */
    @VisibleForTesting
    public void setAfterColdDeleteForTesting(Runnable afterColdDelete)
    {
        this.afterColdDelete = requireNonNull(afterColdDelete, "afterColdDelete is null");
    }

    private static boolean anyFileMatches(Table table, Expression filter)
    {
        try (CloseableIterable<FileScanTask> files = table.newScan().filter(filter).ignoreResiduals().planFiles()) {
            return files.iterator().hasNext();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<PartitionField> timePartition(PartitionSpec spec)
    {
        return spec.fields().stream()
                .filter(field -> List.of("year", "month", "day", "hour").contains(field.transform().toString()))
                .findFirst();
    }

    /**
     * The start of the partition (by the transform's unit, in UTC) that holds {@code instant}.
     */
    static Instant partitionStart(String transform, Instant instant)
    {
        ZonedDateTime time = instant.atZone(ZoneOffset.UTC);
        return switch (transform) {
            case "hour" -> time.truncatedTo(ChronoUnit.HOURS).toInstant();
            case "day" -> time.truncatedTo(ChronoUnit.DAYS).toInstant();
            case "month" -> time.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
            case "year" -> time.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1).toInstant();
            default -> throw new IllegalArgumentException("Not a time transform: " + transform);
        };
    }

    private static Optional<Object> partitionValue(PartitionSpec spec, CommitTaskData task, PartitionField wanted)
    {
        List<PartitionField> fields = spec.fields();
        for (int position = 0; position < fields.size(); position++) {
            if (fields.get(position).fieldId() == wanted.fieldId()) {
                PartitionData data = PartitionValues.parse(spec, task.partitionDataJson().orElseThrow());
                return Optional.ofNullable(data.get(position, Object.class));
            }
        }
        return Optional.empty();
    }
}
