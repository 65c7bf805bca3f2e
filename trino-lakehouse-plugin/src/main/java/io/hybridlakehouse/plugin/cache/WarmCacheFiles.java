package io.hybridlakehouse.plugin.cache;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.airlift.json.JsonCodec;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.mv.SynchronousView;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.trino.spi.StandardErrorCode.NOT_SUPPORTED;
import static java.util.Objects.requireNonNull;

/**
 * The files warming a table reads: hot segments and files of the current Iceberg snapshot
 * that may hold rows matching the optional filter (see {@link WarmCacheFilter}). A
 * materialized view is warmed by its name: its rows are in its state table. A table whose
 * policy caches nothing is refused, as reading it would only read storage.
 */
public class WarmCacheFiles
{
    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final TableCachePolicies policies;
    private final HotSegmentSplits segments;

    public record File(String path, long length) {}

    public record Selection(Table table, List<File> files)
    {
        public Map<String, String> fileIoProperties()
        {
            return table.io().properties();
        }
    }

    @Inject
    public WarmCacheFiles(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, TableCachePolicies policies, JsonCodec<CommitTaskData> commitTaskCodec)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.policies = requireNonNull(policies, "policies is null");
        this.segments = new HotSegmentSplits(commitTaskCodec);
    }

    /**
     * Checks that the table exists and the filter applies to it, without listing files: fails
     * with Iceberg's error for a missing table and INVALID_PROCEDURE_ARGUMENT for a bad filter.
     */
    public void validate(ConnectorSession session, SchemaTableName name, Optional<String> filter)
    {
        predicate(load(session, name), filter);
    }

    public Selection select(ConnectorSession session, SchemaTableName name, Optional<String> filter)
    {
        Table table = load(session, name);
        Expression predicate = predicate(table, filter);
        ImmutableList.Builder<File> files = ImmutableList.builder();
        if (table.currentSnapshot() != null) {
            try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(predicate).planFiles()) {
                tasks.forEach(task -> files.add(new File(task.file().location(), task.file().fileSizeInBytes())));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        HotSegmentSplits.Pruner pruner = HotSegmentSplits.pruner(table.schema(), predicate);
        segmentStore.getTable(table.uuid().toString()).ifPresent(state ->
                segmentStore.visibleSegments(state.tableUuid(), state.version(), HotTierPin.tieredThrough(table.properties())).stream()
                        .filter(segment -> pruner.mayMatch(segments.decode(segment)))
                        .forEach(segment -> files.add(new File(segment.path(), segment.fileSize()))));
        return new Selection(table, files.build());
    }

    private Table load(ConnectorSession session, SchemaTableName name)
    {
        Optional<SchemaTableName> stateTable = segmentStore.view(name).map(SynchronousView::stateTable);
        Table table = catalogFactory.create(session.getIdentity()).loadTable(session, stateTable.orElse(name));
        if (policies.policyOfTable(table.location()) == CachePolicy.NONE) {
            String alter = stateTable.isPresent() ? "ALTER MATERIALIZED VIEW" : "ALTER TABLE";
            throw new TrinoException(NOT_SUPPORTED, "%s has cache = 'none': warming it would cache nothing. Run %s %s SET PROPERTIES cache = 'all' (or 'hot') first"
                    .formatted(name, alter, name));
        }
        return table;
    }

    private static Expression predicate(Table table, Optional<String> filter)
    {
        return filter.map(value -> WarmCacheFilter.parse(value, table.schema())).orElse(Expressions.alwaysTrue());
    }
}
