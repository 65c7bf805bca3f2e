package io.hybridlakehouse.plugin.tiering;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.hybridlakehouse.plugin.segment.DataFileReader;
import io.hybridlakehouse.plugin.segment.SegmentCompactor;
import io.hybridlakehouse.plugin.split.HotSegmentSplits;
import io.trino.plugin.iceberg.CommitTaskData;
import io.trino.plugin.iceberg.IcebergFileFormat;
import io.trino.plugin.iceberg.PartitionData;
import io.trino.plugin.iceberg.catalog.TrinoCatalogFactory;
import io.trino.plugin.iceberg.delete.DeleteFile;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.SchemaTableName;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PartitionSpecParser;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.ContentFileUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static com.google.common.collect.ImmutableSet.toImmutableSet;
import static java.util.Objects.requireNonNull;

/**
 * Merges a partition's small Iceberg data files into one, as Iceberg's {@code rewrite_data_files}
 * (Trino's {@code optimize}) does, in the background: tiering appends a file per partition per
 * run, so a steady INSERT stream leaves a partition of many small cold files that every scan
 * opens one by one. Files of about the same size (row counts within one power of
 * {@code hybrid.cold-compaction.file-threshold} + 1, as rows add up where compressed bytes do
 * not) below {@code hybrid.cold-compaction.target-file-size} are merged once there are more than
 * the threshold of them, so, as in the hot tier, each row is rewritten a logarithmic number of
 * times. The merge commits an Iceberg rewrite validated against the snapshot it read: a concurrent
 * DELETE, UPDATE or MERGE of those files fails it and the files stay as they were, and a merge
 * gives way to such a statement of this coordinator that runs or started meanwhile (see
 * {@link RowChangesInProgress}), which would fail on its commit otherwise. Rows that
 * delete files remove are left out; position delete files of merged files alone go with them,
 * other delete files stay (the new file takes the sequence number of the snapshot read, so
 * equality deletes of before do not apply to it again and those committed after it do).
 */
public class ColdFileCompactor
{
    private static final Logger log = Logger.get(ColdFileCompactor.class);
    /**
     * Set in the summary of each snapshot a merge commits: the same rows as its parent, in other files.
     */
    public static final String MERGE_SUMMARY_PROPERTY = "hybrid.cold-file-merge";

    private final TrinoCatalogFactory catalogFactory;
    private final SegmentCompactor merger;
    private final DataFileReader dataFiles;
    private final RowChangesInProgress rowChanges;
    private final int threshold;
    private final long targetFileBytes;

    /**
     * One merge: the files it replaced, their rows and bytes, and the file that holds them now.
     */
    public record Result(int inputFiles, long rows, long inputBytes, String output) {}

    @Inject
    public ColdFileCompactor(TrinoCatalogFactory catalogFactory, SegmentCompactor merger, DataFileReader dataFiles, RowChangesInProgress rowChanges, TieringConfig config)
    {
        this.rowChanges = requireNonNull(rowChanges, "rowChanges is null");
        this.catalogFactory = requireNonNull(catalogFactory, "catalogFactory is null");
        this.merger = requireNonNull(merger, "merger is null");
        this.dataFiles = requireNonNull(dataFiles, "dataFiles is null");
        this.threshold = config.getColdCompactionFileThreshold();
        this.targetFileBytes = config.getColdCompactionTargetFileSize().toBytes();
    }

    public boolean isEnabled()
    {
        return threshold > 0;
    }

    /**
     * Merges one group of the table's small cold files that is past the threshold, if there is one.
     */
    public Optional<Result> compactOnce(ConnectorSession session, SchemaTableName name)
    {
        long started = System.nanoTime();
        Table table = catalogFactory.create(session.getIdentity()).loadTable(session, name);
        String tableUuid = table.uuid().toString();
        Snapshot snapshot = table.currentSnapshot();
        if (snapshot == null || !isEnabled() || rowChanges.runningOrStartedSince(tableUuid, started)) {
            return Optional.empty();
        }
        Optional<List<FileScanTask>> group = mergeableGroup(table, snapshot);
        if (group.isEmpty()) {
            return Optional.empty();
        }
        List<FileScanTask> inputs = group.get();
        FileScanTask first = inputs.getFirst();
        PartitionSpec spec = first.spec();
        String specJson = PartitionSpecParser.toJson(spec);
        Optional<String> partitionJson = spec.isPartitioned() ? Optional.of(PartitionData.toJson(first.file().partition())) : Optional.empty();
        List<DataFileReader.DataFile> files = inputs.stream()
                .map(task -> new DataFileReader.DataFile(task.file().location(), IcebergFileFormat.fromIceberg(task.file().format()), task.file().fileSizeInBytes(),
                        task.file().recordCount(), specJson, partitionJson, task.deletes().stream().map(DeleteFile::fromIceberg).toList(),
                        task.file().dataSequenceNumber() == null ? 0 : task.file().dataSequenceNumber()))
                .toList();
        String what = "Compacting %d cold files of %s".formatted(inputs.size(), name);
        SegmentCompactor.Merged merged = merger.merge(session, table, specJson, partitionJson, files, Optional.empty(),
                (file, pages) -> dataFiles.read(session, table, file, pages), what);
        CommitTaskData task = merged.task();
        DataFile output = HotSegmentSplits.dataFile(spec, task);
        try {
            // validated against the snapshot read: new deletes of these files fail it. The rows keep
            // that snapshot's sequence number, under any delete committed after it; the deletes
            // read with them are applied
            RewriteFiles rewrite = table.newRewrite()
                    .validateFromSnapshot(snapshot.snapshotId())
                    .dataSequenceNumber(snapshot.sequenceNumber())
                    .set(MERGE_SUMMARY_PROPERTY, "true");
            inputs.forEach(input -> rewrite.deleteFile(input.file()));
            appliedPositionDeletes(inputs).forEach(rewrite::deleteFile);
            rewrite.addFile(output);
            if (!rowChanges.commitUnlessRowChanges(tableUuid, started, rewrite::commit)) {
                // the statement's commit would find the files it read replaced
                merger.deleteQuietly(session, table, merged.location());
                log.info("Compacting cold files of %s gave way to a DELETE, UPDATE or MERGE of the table; they stay as they were", name);
                return Optional.empty();
            }
        }
        catch (CommitFailedException | ValidationException e) {
            merger.deleteQuietly(session, table, merged.location());
            log.info("Compacting cold files of %s gave way to a concurrent change of them; they stay as they were: %s", name, e.getMessage());
            return Optional.empty();
        }
        long inputBytes = inputs.stream().mapToLong(input -> input.file().fileSizeInBytes()).sum();
        log.info("Compacted %s cold files (%s rows, %s bytes) of %s into %s (%s bytes)", inputs.size(), merged.rows(), inputBytes, name, merged.location(), task.fileSizeInBytes());
        return Optional.of(new Result(inputs.size(), merged.rows(), inputBytes, merged.location().toString()));
    }

    /**
     * The position delete files that only cover files the merge replaces: applied to its rows,
     * they would match nothing any more, so they go with those files, as in Trino's {@code optimize}.
     * Equality deletes and position deletes of other files too stay.
     */
    private static Collection<org.apache.iceberg.DeleteFile> appliedPositionDeletes(List<FileScanTask> inputs)
    {
        Set<String> replaced = inputs.stream().map(task -> task.file().location()).collect(toImmutableSet());
        Map<String, org.apache.iceberg.DeleteFile> applied = new LinkedHashMap<>();
        for (FileScanTask task : inputs) {
            for (org.apache.iceberg.DeleteFile delete : task.deletes()) {
                String covered = delete.content() == FileContent.POSITION_DELETES ? ContentFileUtil.referencedDataFileLocation(delete) : null;
                if (covered != null && replaced.contains(covered)) {
                    applied.putIfAbsent(delete.location(), delete);
                }
            }
        }
        return applied.values();
    }

    /**
     * The first partition's small files of one size class past the threshold, at most the target size together.
     */
    private Optional<List<FileScanTask>> mergeableGroup(Table table, Snapshot snapshot)
    {
        Map<String, List<FileScanTask>> partitions = new LinkedHashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                partitions.computeIfAbsent(task.spec().specId() + "\n" + PartitionData.toJson(task.file().partition()), _ -> new ArrayList<>()).add(task);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (List<FileScanTask> partition : partitions.values()) {
            Map<Integer, List<FileScanTask>> sizeClasses = new LinkedHashMap<>();
            for (FileScanTask task : partition) {
                if (task.file().fileSizeInBytes() < targetFileBytes) {
                    sizeClasses.computeIfAbsent(SegmentCompactor.sizeClass(task.file().recordCount(), threshold), _ -> new ArrayList<>()).add(task);
                }
            }
            for (List<FileScanTask> sizeClass : sizeClasses.values()) {
                if (sizeClass.size() <= threshold) {
                    continue;
                }
                List<FileScanTask> group = new ArrayList<>();
                long bytes = 0;
                for (FileScanTask task : sizeClass.stream().sorted(Comparator.comparingLong(task -> task.file().fileSizeInBytes())).toList()) {
                    if (group.size() >= 2 && bytes + task.file().fileSizeInBytes() > targetFileBytes) {
                        break;
                    }
                    group.add(task);
                    bytes += task.file().fileSizeInBytes();
                }
                if (group.size() >= 2) {
                    return Optional.of(group);
                }
            }
        }
        return Optional.empty();
    }
}
