package io.hybridlakehouse.plugin.statistics;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.UncheckedExecutionException;
import com.google.inject.Inject;
import io.hybridlakehouse.plugin.metadata.HotTierPin;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.cache.EvictableCacheBuilder;
import io.trino.plugin.base.io.ByteBuffers;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.theta.CompactSketch;
import org.apache.iceberg.StatisticsFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.puffin.BlobMetadata;
import org.apache.iceberg.puffin.Puffin;
import org.apache.iceberg.puffin.PuffinReader;
import org.apache.iceberg.puffin.StandardBlobTypes;
import org.apache.iceberg.util.Pair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static com.google.common.base.Throwables.throwIfUnchecked;
import static com.google.common.collect.Iterables.getOnlyElement;
import static io.trino.cache.CacheUtils.uncheckedCacheGet;
import static io.trino.plugin.iceberg.TableStatisticsReader.getLatestStatisticsFile;
import static java.util.Objects.requireNonNull;

/**
 * The distinct-value sketches of each tier, for statistics over both.
 * <ul>
 * <li>Hot: the union of those a pin's INSERTs committed above the snapshot's hand-off mark.
 * Sketches are only added (keyed by ever growing segment ids) until tiering folds them, which
 * moves the mark: the union above one mark is kept and extended by the sketches committed
 * since, so a table with thousands of hot INSERTs costs a query only the newest ones.</li>
 * <li>Cold: those of the Puffin statistics file Iceberg uses for a snapshot. Statistics files
 * are immutable: each is read once, by path.</li>
 * </ul>
 */
public class TierSketches
{
    private final SegmentStore segmentStore;
    // a union is at most a few sketches of 32 KB per column: a hundred tables' worth
    private final Cache<HotTierKey, HotTierUnion> hotUnions = CacheBuilder.newBuilder()
            .maximumSize(100)
            .build();
    private final Cache<String, ColumnSketches> byStatisticsFile = EvictableCacheBuilder.newBuilder()
            .maximumSize(1_000)
            .build();

    @Inject
    public TierSketches(SegmentStore segmentStore)
    {
        this.segmentStore = requireNonNull(segmentStore, "segmentStore is null");
    }

    public ColumnSketches hot(HotTierPin pin)
    {
        if (pin.asOf().isPresent()) {
            // sketches are not versioned: a past state of the hot tier has none
            return ColumnSketches.empty();
        }
        HotTierKey key = new HotTierKey(pin.tableUuid(), pin.tieredThrough());
        HotTierUnion known = hotUnions.getIfPresent(key);
        if (known != null && known.throughSegmentId() >= pin.highestSegmentId()) {
            // a later pin may have added a few INSERTs more: a slightly higher estimate, never a lower one
            return known.sketches();
        }
        long after = known == null ? pin.tieredThrough() : known.throughSegmentId();
        ColumnSketches added = segmentStore.hotColumnSketches(pin.tableUuid(), after, pin.highestSegmentId());
        HotTierUnion union = new HotTierUnion(pin.highestSegmentId(), known == null ? added : known.sketches().union(added));
        hotUnions.put(key, union);
        return union.sketches();
    }

    private record HotTierKey(String tableUuid, long tieredThrough) {}

    private record HotTierUnion(long throughSegmentId, ColumnSketches sketches) {}

    public ColumnSketches cold(Table table, long snapshotId)
    {
        Optional<StatisticsFile> statisticsFile = getLatestStatisticsFile(table, snapshotId);
        if (statisticsFile.isEmpty()) {
            return ColumnSketches.empty();
        }
        String path = statisticsFile.get().path();
        return cached(byStatisticsFile, path, () -> {
            try {
                return readSketches(table, statisticsFile.get());
            }
            catch (IOException e) {
                throw new UncheckedIOException("Reading statistics file %s failed".formatted(path), e);
            }
        });
    }

    private static <K> ColumnSketches cached(Cache<K, ColumnSketches> cache, K key, Supplier<ColumnSketches> loader)
    {
        try {
            return uncheckedCacheGet(cache, key, loader);
        }
        catch (UncheckedExecutionException e) {
            throwIfUnchecked(e.getCause());
            throw e;
        }
    }

    private static ColumnSketches readSketches(Table table, StatisticsFile statisticsFile)
            throws IOException
    {
        try (PuffinReader reader = Puffin.read(table.io().newInputFile(statisticsFile.path()))
                .withFileSize(statisticsFile.fileSizeInBytes())
                .withFooterSize(statisticsFile.fileFooterSizeInBytes())
                .build()) {
            List<BlobMetadata> thetaBlobs = reader.fileMetadata().blobs().stream()
                    .filter(blob -> blob.type().equals(StandardBlobTypes.APACHE_DATASKETCHES_THETA_V1))
                    .filter(blob -> blob.inputFields().size() == 1)
                    .collect(ImmutableList.toImmutableList());
            Map<Integer, CompactSketch> sketches = new HashMap<>();
            for (Pair<BlobMetadata, ByteBuffer> blob : reader.readAll(thetaBlobs)) {
                // Memory.wrap(ByteBuffer) deserializes differently, as Iceberg's own reader notes
                sketches.put(getOnlyElement(blob.first().inputFields()), CompactSketch.wrap(Memory.wrap(ByteBuffers.getBytes(blob.second()))));
            }
            return new ColumnSketches(sketches);
        }
    }
}
