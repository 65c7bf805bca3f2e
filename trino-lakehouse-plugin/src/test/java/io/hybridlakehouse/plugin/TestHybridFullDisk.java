package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_STORAGE_FULL;
import static io.hybridlakehouse.plugin.LakehouseQueryRunner.withoutOrphanFileMinimum;
import static io.trino.tpch.TpchTable.ORDERS;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A warehouse on a full disk: the warehouse and its embedded metastore live on a small tmpfs
 * that the test fills. An INSERT and a tiering run fail with an error that says the disk is
 * full, nothing of them becomes visible, and once space is freed both work again and the
 * orphan sweep leaves exactly the files the table references.
 */
public class TestHybridFullDisk
        extends AbstractTestQueryFramework
{
    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-full-disk");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", warehouse.toString())
                .redirectErrorStream(true)
                .start();
        if (!mount.waitFor(30, SECONDS) || mount.exitValue() != 0) {
            abort("a tmpfs cannot be mounted here (needs root or CAP_SYS_ADMIN): " + new String(mount.getInputStream().readAllBytes()));
        }
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.tiering.enabled", "false")
                .setInitialTables(ImmutableList.of(ORDERS))
                .build();
    }

    @AfterEach
    public void freeSpace()
            throws IOException
    {
        Files.deleteIfExists(filler());
    }

    @AfterAll
    public void unmount()
            throws Exception
    {
        if (warehouse != null) {
            // lazily: the server still holds the metastore open until the framework closes it
            new ProcessBuilder("umount", "-l", warehouse.toString()).inheritIO().start().waitFor(30, SECONDS);
        }
    }

    @Test
    public void testInsertOnFullDisk()
            throws IOException
    {
        assertUpdate("CREATE TABLE full_insert (orderkey bigint, comment varchar)");
        assertUpdate("INSERT INTO full_insert SELECT orderkey, comment FROM orders WHERE orderkey < 100", "SELECT count(*) FROM orders WHERE orderkey < 100");
        Set<String> filesBefore = dataFiles("full_insert");

        fillDisk();
        assertThat(query("INSERT INTO full_insert SELECT orderkey, comment FROM orders")).failure()
                .hasErrorCode(HYBRID_STORAGE_FULL)
                .hasMessageContaining("INSERT failed because the storage is full")
                .hasMessageContaining("No space left on device");
        assertQuery("SELECT count(*), sum(orderkey) FROM full_insert", "SELECT count(*), sum(orderkey) FROM orders WHERE orderkey < 100");
        assertThat(computeScalar("SELECT count(*) FROM \"full_insert$segments\"")).isEqualTo(1L);

        Files.delete(filler());
        assertUpdate("INSERT INTO full_insert SELECT orderkey, comment FROM orders WHERE orderkey >= 100", "SELECT count(*) FROM orders WHERE orderkey >= 100");
        assertQuery("SELECT count(*), sum(orderkey) FROM full_insert", "SELECT count(*), sum(orderkey) FROM orders");
        sweepOrphans("full_insert");
        assertThat(dataFiles("full_insert")).containsAll(filesBefore).hasSize(filesBefore.size() + 1);
        assertUpdate("DROP TABLE full_insert");
    }

    @Test
    public void testTieringOnFullDisk()
            throws IOException
    {
        assertUpdate("CREATE TABLE full_tiering (orderkey bigint, orderstatus varchar, comment varchar)");
        for (int part = 0; part < 4; part++) {
            assertUpdate("INSERT INTO full_tiering SELECT orderkey, orderstatus, comment FROM orders WHERE orderkey % 4 = " + part,
                    "SELECT count(*) FROM orders WHERE orderkey % 4 = " + part);
        }
        String answer = "SELECT count(*), sum(orderkey), max(comment), count(DISTINCT orderstatus) FROM %s";

        fillDisk();
        // the four small segments are merged into one file before the hand-off: that write fails
        assertThat(query("CALL system.tier_table('tpch', 'full_tiering')")).failure()
                .hasErrorCode(HYBRID_STORAGE_FULL)
                .hasMessageContaining("failed because the storage is full")
                .hasMessageContaining("No space left on device");
        assertThat((String) computeScalar("SELECT last_error FROM system.tiering_status WHERE table_name = 'full_tiering'"))
                .contains("the storage is full");
        assertThat(computeScalar("SELECT count(*) FROM \"full_tiering$files\"")).isEqualTo(0L);
        assertQuery(answer.formatted("full_tiering"), answer.formatted("orders"));

        Files.delete(filler());
        assertUpdate("CALL system.tier_table('tpch', 'full_tiering')");
        assertThat(computeScalar("SELECT count(*) FROM \"full_tiering$segments\" WHERE state = 'ACTIVE'")).isEqualTo(0L);
        assertQuery(answer.formatted("full_tiering"), answer.formatted("orders"));
        sweepOrphans("full_tiering");
        // left: the cold files, and the merged segments' files until their grace period ends;
        // not the half-written merge output of the failed run
        Set<String> tracked = computeActual("SELECT file_path FROM \"full_tiering$files\" UNION SELECT path FROM \"full_tiering$segments\"").getOnlyColumn()
                .map(path -> warehouse.resolve(((String) path).replaceFirst("^local:///", "")).toString())
                .collect(Collectors.toSet());
        assertThat(dataFiles("full_tiering")).isEqualTo(tracked);
        assertUpdate("DROP TABLE full_tiering");
    }

    private Path filler()
    {
        return warehouse.resolve("filler");
    }

    /**
     * Writes to the tmpfs until the kernel refuses a single byte more.
     */
    private void fillDisk()
            throws IOException
    {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler())) {
            while (true) {
                out.write(chunk);
            }
        }
        catch (IOException e) {
            assertThat(e).hasMessageContaining("No space left on device");
        }
        try (OutputStream out = Files.newOutputStream(filler(), APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        }
        catch (IOException e) {
            assertThat(e).hasMessageContaining("No space left on device");
        }
    }

    private void sweepOrphans(String table)
    {
        assertUpdate(withoutOrphanFileMinimum(getSession()), "ALTER TABLE %s EXECUTE remove_orphan_files(retention_threshold => '0s')".formatted(table));
    }

    private Set<String> dataFiles(String table)
            throws IOException
    {
        try (Stream<Path> files = Files.walk(warehouse)) {
            return files.map(Path::toString)
                    .filter(path -> path.contains("/%s-".formatted(table)) && path.endsWith(".parquet"))
                    .collect(Collectors.toSet());
        }
    }
}
