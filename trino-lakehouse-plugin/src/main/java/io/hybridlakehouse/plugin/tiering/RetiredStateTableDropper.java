package io.hybridlakehouse.plugin.tiering;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.Segment;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.filesystem.Location;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.catalog.TrinoCatalog;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.TableNotFoundException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static com.google.common.collect.ImmutableList.toImmutableList;
import static java.util.Objects.requireNonNull;

/**
 * Drops a materialized view's retired state table (see
 * {@link io.hybridlakehouse.plugin.mv.MaterializedViews}): its Iceberg table, data included,
 * then its hot tier. Run again after a failure part way, it finishes the drop.
 */
public class RetiredStateTableDropper
{
    private static final Logger log = Logger.get(RetiredStateTableDropper.class);

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentStore segmentStore;
    private final IcebergFileSystemFactory fileSystemFactory;

    @Inject
    public RetiredStateTableDropper(TrinoCatalogFactory catalogFactory, SegmentStore segmentStore, IcebergFileSystemFactory fileSystemFactory)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
    }

    public void drop(ConnectorSession session, HybridTableState table)
    {
        TrinoCatalog catalog = catalogFactory.create(session.getIdentity());
        try {
            // the name is the state table's own (it carries its creation time), but only the same table is dropped under it
            if (catalog.loadTable(session, table.name()).uuid().toString().equals(table.tableUuid())) {
                catalog.dropTable(session, table.name());
            }
        }
        catch (TableNotFoundException e) {
            // dropped from the catalog by an earlier run that stopped before its hot tier went
        }
        List<Segment> segments = segmentStore.dropTable(table.tableUuid());
        List<Location> files = segments.stream()
                .filter(Segment::ownsFile)
                .map(segment -> Location.of(segment.path()))
                .collect(toImmutableList());
        try {
            fileSystemFactory.create(session.getIdentity(), Map.of()).deleteFiles(files);
        }
        catch (IOException e) {
            log.warn(e, "Failed to delete %s hot segment files of dropped table %s; they are unreferenced and safe to remove", files.size(), table.name());
        }
        log.info("Dropped %s, the retired state table of a materialized view, with %s hot segments", table.name(), segments.size());
    }
}
