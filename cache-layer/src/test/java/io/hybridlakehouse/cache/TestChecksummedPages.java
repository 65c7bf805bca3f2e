package io.hybridlakehouse.cache;

import alluxio.client.file.CacheContext;
import alluxio.client.file.cache.CacheManager;
import alluxio.client.file.cache.PageId;
import alluxio.file.ByteArrayTargetBuffer;
import io.airlift.units.DataSize;
import io.trino.filesystem.alluxio.AlluxioConfigurationFactory;
import io.trino.filesystem.alluxio.AlluxioFileSystemCacheConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pages through Alluxio's real local page store, damaged on disk the way a bad sector or a stray write would.
 */
public class TestChecksummedPages
{
    private static final int PAGE_SIZE = 1024;
    private static final int CHUNK_SIZE = 256;
    private static final int FILE_LENGTH = 3000;

    @Test
    public void testCorruptPageIsDroppedAndReadAsMiss(@TempDir Path directory)
            throws Exception
    {
        CacheManager manager = CacheManager.Factory.create(AlluxioConfigurationFactory.create(new AlluxioFileSystemCacheConfig()
                .setCacheDirectories(List.of(directory.toString()))
                .setMaxCacheSizes(List.of(DataSize.of(10, DataSize.Unit.MEGABYTE)))
                .setCachePageSize(DataSize.ofBytes(PAGE_SIZE))));
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (manager.state() != CacheManager.State.READ_WRITE) {
                assertThat(System.nanoTime()).as("page store not ready within 30 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            byte[] file = new byte[FILE_LENGTH];
            new Random(42).nextBytes(file);
            AtomicInteger corrupt = new AtomicInteger();
            ChecksummedPages pages = new ChecksummedPages(manager, FILE_LENGTH, PAGE_SIZE, CHUNK_SIZE, ThreadLocal.withInitial(() -> new byte[ChecksummedPages.storedLength(PAGE_SIZE, CHUNK_SIZE)]), corrupt::incrementAndGet);
            CacheContext context = CacheContext.defaults();

            // only whole pages are cached: the last page of the file is shorter
            assertThat(pages.put(new PageId("file", 0), ByteBuffer.wrap(file, 0, 500), context)).isFalse();
            assertThat(pages.put(new PageId("file", 1), ByteBuffer.wrap(file, PAGE_SIZE, PAGE_SIZE), context)).isTrue();
            assertThat(pages.put(new PageId("file", 2), ByteBuffer.wrap(file, 2 * PAGE_SIZE, FILE_LENGTH - 2 * PAGE_SIZE), context)).isTrue();

            byte[] read = new byte[PAGE_SIZE];
            assertThat(pages.get(new PageId("file", 1), 10, 100, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(100);
            assertThat(Arrays.copyOf(read, 100)).isEqualTo(Arrays.copyOfRange(file, PAGE_SIZE + 10, PAGE_SIZE + 110));
            // across chunks, and the whole page
            assertThat(pages.get(new PageId("file", 1), 200, 700, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(700);
            assertThat(Arrays.copyOf(read, 700)).isEqualTo(Arrays.copyOfRange(file, PAGE_SIZE + 200, PAGE_SIZE + 900));
            assertThat(pages.get(new PageId("file", 1), 0, PAGE_SIZE, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(PAGE_SIZE);
            assertThat(read).isEqualTo(Arrays.copyOfRange(file, PAGE_SIZE, 2 * PAGE_SIZE));
            // the file's last page, up to its shorter last chunk
            assertThat(pages.get(new PageId("file", 2), 700, 252, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(252);
            assertThat(Arrays.copyOf(read, 252)).isEqualTo(Arrays.copyOfRange(file, 2 * PAGE_SIZE + 700, FILE_LENGTH));
            assertThat(corrupt.get()).isZero();

            // one byte of page 1's third chunk changed on disk, length unchanged
            Path pageFile = pageFile(directory, 1);
            byte[] stored = Files.readAllBytes(pageFile);
            assertThat(stored).hasSize(ChecksummedPages.storedLength(PAGE_SIZE, CHUNK_SIZE));
            stored[2 * (CHUNK_SIZE + Integer.BYTES) + 100] ^= 1;
            Files.write(pageFile, stored);
            // bytes of other chunks are still verified and served
            assertThat(pages.get(new PageId("file", 1), 10, 100, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(100);
            assertThat(Arrays.copyOf(read, 100)).isEqualTo(Arrays.copyOfRange(file, PAGE_SIZE + 10, PAGE_SIZE + 110));
            assertThat(corrupt.get()).isZero();
            // a read touching the damaged chunk is refused
            assertThat(pages.get(new PageId("file", 1), 400, 300, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(-1);
            assertThat(corrupt.get()).isEqualTo(1);
            // dropped: the next read is a plain miss, which the caller serves from storage
            assertThat(pages.get(new PageId("file", 1), 10, 100, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(0);

            // a damaged checksum counts as a damaged chunk too
            Path lastPageFile = pageFile(directory, 2);
            byte[] lastStored = Files.readAllBytes(lastPageFile);
            lastStored[lastStored.length - 1] ^= 1;
            Files.write(lastPageFile, lastStored);
            assertThat(pages.get(new PageId("file", 2), 900, 52, new ByteArrayTargetBuffer(read, 0), context)).isEqualTo(-1);
            assertThat(corrupt.get()).isEqualTo(2);
        }
        finally {
            manager.close();
        }
    }

    private static Path pageFile(Path directory, long pageIndex)
            throws Exception
    {
        // Alluxio's local store keeps a page in a file named by its index under a directory of the file id
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(path -> path.getFileName().toString().equals(String.valueOf(pageIndex)))
                    .filter(path -> path.getParent().getFileName().toString().equals("file"))
                    .findFirst()
                    .orElseThrow();
        }
    }
}
