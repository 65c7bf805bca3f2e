package io.hybridlakehouse.plugin.tiering;

import com.google.common.collect.ImmutableList;
import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.segment.HybridTableState;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.filesystem.FileEntry;
import io.trino.filesystem.FileIterator;
import io.trino.filesystem.Location;
import io.trino.filesystem.TrinoFileSystem;
import io.trino.plugin.iceberg.IcebergFileSystemFactory;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.spi.TrinoException;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_ERROR;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_WRITER_ERROR;
import static io.trino.plugin.iceberg.IcebergUtil.fileName;
import static java.util.Objects.requireNonNull;

/**
 * Deletes files under a table's {@code data/} and {@code metadata/} folders that nothing
 * references: neither a segment the metastore still knows (in any state, so files of
 * compacted segments inside their grace period stay) nor any Iceberg snapshot. They are
 * left behind by a crash between writing a file and committing it: an INSERT, a compaction
 * or the merge step of tiering. Iceberg's own {@code remove_orphan_files} cannot be used
 * on a hybrid table, since hot segment files are not in its snapshots.
 * <p>
 * Only files last modified before the given instant are candidates: a file younger than
 * that may belong to a write that is still running.
 */
public class OrphanFileSweeper
{
    private static final Logger log = Logger.get(OrphanFileSweeper.class);
    private static final int DELETE_BATCH_SIZE = 1000;

    private final TrinoCatalogFactory catalogFactory;
    private final IcebergFileSystemFactory fileSystemFactory;
    private final SegmentStore segmentStore;

    @Inject
    public OrphanFileSweeper(TrinoCatalogFactory catalogFactory, IcebergFileSystemFactory fileSystemFactory, SegmentStore segmentStore)
    {
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.fileSystemFactory = requireNonNull(fileSystemFactory, "fileSystemFactory is null");
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
    }

    /**
     * What one sweep did, and what it cost in storage requests: {@code listings} directory
     * listings (on S3 one request per 1,000 files listed), {@code listedFiles} files they
     * returned, {@code manifestsRead} Iceberg manifests read (one GET each).
     */
    public record Result(int deletedFiles, long deletedBytes, int listings, long listedFiles, int manifestsRead)
    {
        Result plus(Result other)
        {
            return new Result(deletedFiles + other.deletedFiles, deletedBytes + other.deletedBytes, listings + other.listings,
                    listedFiles + other.listedFiles, manifestsRead + other.manifestsRead);
        }
    }

    public Result sweep(ConnectorSession session, SchemaTableName name, Instant modifiedBefore)
    {
        // Segments are read before Iceberg's metadata: a tiered segment's row may be purged
        // after tiering committed its file to Iceberg, so reading in this order sees every
        // old file in at least one of the two
        Optional<HybridTableState> state = segmentStore.getTable(name);
        Set<String> segmentFiles = state.map(table -> segmentStore.allSegments(table.tableUuid())).orElse(ImmutableList.of()).stream()
                .map(segment -> fileName(segment.path()))
                .collect(toImmutableSet());
        Table table = catalogFactory.create(session.getIdentity()).loadTable(session, name);
        if (state.isPresent() && !state.get().tableUuid().equals(table.uuid().toString())) {
            throw new TrinoException(HYBRID_METASTORE_ERROR, "The segment metastore registers %s as table %s but Iceberg has %s: no file was deleted".formatted(
                    name, state.get().tableUuid(), table.uuid()));
        }

        Set<String> dataFiles = new HashSet<>(segmentFiles);
        Set<String> metadataFiles = new HashSet<>();
        int manifestsRead = collectIcebergReferences(table, dataFiles, metadataFiles);

        TrinoFileSystem fileSystem = fileSystemFactory.create(session.getIdentity(), table.io().properties());
        Location tableLocation = Location.of(table.location());
        Result data = deleteUnreferenced(fileSystem, tableLocation.appendPath("data"), dataFiles, modifiedBefore, name);
        Result metadata = deleteUnreferenced(fileSystem, tableLocation.appendPath("metadata"), metadataFiles, modifiedBefore, name);
        Result result = data.plus(metadata).plus(new Result(0, 0, 0, 0, manifestsRead));
        log.info("Orphan sweep of %s: deleted %s files (%s bytes) last modified before %s; read %s directory listings (%s files) and %s manifests",
                name, result.deletedFiles(), result.deletedBytes(), modifiedBefore, result.listings(), result.listedFiles(), result.manifestsRead());
        return result;
    }

    /**
     * Returns the number of manifests read.
     */
    private static int collectIcebergReferences(Table table, Set<String> dataFiles, Set<String> metadataFiles)
    {
        // file names, not full paths, as Iceberg's remove_orphan_files compares them: equal
        // paths can be spelt differently, and Iceberg and segment file names are unique
        Set<String> readManifests = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            if (snapshot.manifestListLocation() != null) {
                metadataFiles.add(fileName(snapshot.manifestListLocation()));
            }
            for (ManifestFile manifest : snapshot.allManifests(table.io())) {
                if (!readManifests.add(manifest.path())) {
                    continue;
                }
                metadataFiles.add(fileName(manifest.path()));
                try (ManifestReader<? extends ContentFile<?>> reader = switch (manifest.content()) {
                    case DATA -> ManifestFiles.read(manifest, table.io());
                    case DELETES -> ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs());
                }) {
                    for (ContentFile<?> file : reader) {
                        dataFiles.add(fileName(file.location()));
                    }
                }
                catch (IOException | UncheckedIOException e) {
                    throw new TrinoException(HYBRID_WRITER_ERROR, "Cannot read manifest %s of %s, so no file was deleted: %s".formatted(manifest.path(), table.name(), e.getMessage()), e);
                }
            }
        }
        ReachableFileUtil.metadataFileLocations(table, false).forEach(location -> metadataFiles.add(fileName(location)));
        ReachableFileUtil.statisticsFilesLocations(table).forEach(location -> metadataFiles.add(fileName(location)));
        metadataFiles.add("version-hint.text");
        return readManifests.size();
    }

    private static Result deleteUnreferenced(TrinoFileSystem fileSystem, Location directory, Set<String> referenced, Instant modifiedBefore, SchemaTableName name)
    {
        int deleted = 0;
        long bytes = 0;
        long listed = 0;
        try {
            List<Location> batch = new ArrayList<>();
            // one recursive listing of the directory: on S3 pages of 1,000 keys, never a request per file
            FileIterator files = fileSystem.listFiles(directory);
            while (files.hasNext()) {
                FileEntry file = files.next();
                listed++;
                if (file.lastModified().isBefore(modifiedBefore) && !referenced.contains(file.location().fileName())) {
                    batch.add(file.location());
                    deleted++;
                    bytes += file.length();
                    if (batch.size() >= DELETE_BATCH_SIZE) {
                        fileSystem.deleteFiles(ImmutableList.copyOf(batch));
                        batch.clear();
                    }
                }
            }
            if (!batch.isEmpty()) {
                fileSystem.deleteFiles(batch);
            }
        }
        catch (IOException | UncheckedIOException e) {
            throw new TrinoException(HYBRID_WRITER_ERROR, "Removing orphan files of %s from %s failed: %s".formatted(name, directory, e.getMessage()), e);
        }
        return new Result(deleted, bytes, 1, listed, 0);
    }
}
