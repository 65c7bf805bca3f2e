package io.hybridlakehouse.plugin;

import com.google.common.io.MoreFiles;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A damaged cache never fails a query or changes its result: corrupt, truncated or emptied
 * page files, a cache directory deleted under the running server, and a cache that cannot be
 * written (as on a full disk) all degrade to reading storage.
 */
public class TestHybridCacheFaults
        extends AbstractTestQueryFramework
{
    private static final String SCAN = "SELECT count(*), sum(id), max(comment), min(comment) FROM %s";
    private static final String EXPECTED = "SELECT count(*), sum(orderkey), max(comment), min(comment) FROM orders";

    private Path cache;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        cache = Files.createTempDirectory("hybrid-cache-faults");
        return LakehouseQueryRunner.builder()
                .setWorkerCount(0)
                .addCatalogProperty("hybrid.cache.enabled", "true")
                .addCatalogProperty("hybrid.cache.directory", cache.toString())
                // these tests count what the disk cache serves: small files stay out of the coordinator's memory
                .addCatalogProperty("hybrid.cache.coordinator-memory.enabled", "false")
                .build();
    }

    @AfterEach
    public void restoreCacheDirectory()
            throws IOException
    {
        if (Files.isRegularFile(cache)) {
            Files.delete(cache);
        }
        Files.createDirectories(cache);
    }

    @Test
    public void testTruncatedAndEmptiedPagesAreReadFromStorage()
            throws IOException
    {
        String scan = loadAndCache("truncated");
        List<Path> pages = pageFiles();
        assertThat(pages).isNotEmpty();
        for (int i = 0; i < pages.size(); i++) {
            try (RandomAccessFile page = new RandomAccessFile(pages.get(i).toFile(), "rw")) {
                page.setLength(i % 2 == 0 ? page.length() / 2 : 0);
            }
        }
        CacheReadBytes damaged = readBytes(scan);
        assertThat(damaged.storage()).as("storage bytes read in place of the damaged pages").isPositive();
        // the damaged pages were dropped and filled again from storage
        assertThat(readBytes(scan).storage()).as("storage bytes read once the cache is repaired").isZero();
        assertUpdate("DROP TABLE truncated");
    }

    @Test
    public void testCorruptPagesFailTheirChecksumAndAreReadFromStorage()
            throws IOException
    {
        String scan = loadAndCache("scribbled");
        // same length, other bytes: only a checksum can tell
        for (Path page : pageFiles()) {
            byte[] bytes = Files.readAllBytes(page);
            for (int i = 0; i < bytes.length; i += 7) {
                bytes[i] = (byte) (bytes[i] ^ 0x5A);
            }
            Files.write(page, bytes);
        }
        long corruptBefore = (long) computeScalar("SELECT corrupt_pages FROM lakehouse.system.cache_stats");
        CacheReadBytes damaged = readBytes(scan);
        assertThat(damaged.storage()).as("storage bytes read in place of the corrupt pages").isPositive();
        assertThat((long) computeScalar("SELECT corrupt_pages FROM lakehouse.system.cache_stats")).isGreaterThan(corruptBefore);
        assertThat(readBytes(scan).storage()).as("storage bytes read once the cache is repaired").isZero();
        assertUpdate("DROP TABLE scribbled");
    }

    @Test
    public void testDeletedCacheDirectoryIsReadFromStorage()
            throws IOException
    {
        String scan = loadAndCache("deleted_cache");
        MoreFiles.deleteRecursively(cache, ALLOW_INSECURE);
        CacheReadBytes afterDelete = readBytes(scan);
        assertThat(afterDelete.storage()).as("storage bytes read with the cache directory gone").isPositive();
        assertUpdate("DROP TABLE deleted_cache");
    }

    @Test
    public void testUnwritableCacheIsBypassed()
            throws IOException
    {
        assertUpdate("CREATE TABLE unwritable (id bigint, comment varchar)");
        // nothing can be created under the cache directory: every page write fails, as on a full disk
        MoreFiles.deleteRecursively(cache, ALLOW_INSECURE);
        Files.writeString(cache, "not a directory");
        assertUpdate("INSERT INTO unwritable SELECT orderkey, comment FROM tpch.tiny.orders", 15000);
        String scan = SCAN.formatted("unwritable");
        for (int i = 0; i < 2; i++) {
            assertQuery(scan, EXPECTED);
        }
        assertThat(readBytes(scan).storage()).as("storage bytes read with an unwritable cache").isPositive();
        assertUpdate("DROP TABLE unwritable");
    }

    /**
     * Loads a table with a hot and a cold part, scans it until the scan is served by the cache alone.
     */
    private String loadAndCache(String table)
    {
        assertUpdate("CREATE TABLE %s (id bigint, comment varchar)".formatted(table));
        assertUpdate("INSERT INTO %s SELECT orderkey, comment FROM tpch.tiny.orders WHERE orderkey < 30000".formatted(table), 7503);
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
        assertUpdate("INSERT INTO %s SELECT orderkey, comment FROM tpch.tiny.orders WHERE orderkey >= 30000".formatted(table), 7497);
        String scan = SCAN.formatted(table);
        assertQuery(scan, EXPECTED);
        assertThat(readBytes(scan).storage()).as("storage bytes read by a scan of a cached table").isZero();
        return scan;
    }

    private List<Path> pageFiles()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * Runs the scan, checks its result against TPC-H, and returns the bytes it read from storage and from the cache.
     */
    private CacheReadBytes readBytes(String scan)
    {
        return CacheReadBytes.of(getQueryRunner(), () -> assertQuery(scan, EXPECTED));
    }
}
