package io.hybridlakehouse.plugin;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_CORRUPT_SEGMENT;
import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_ERROR;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_BAD_DATA;
import static io.trino.plugin.iceberg.IcebergErrorCode.ICEBERG_CANNOT_OPEN_SPLIT;
import static io.trino.tpch.TpchTable.ORDERS;
import static java.lang.Math.toIntExact;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damaged files of either tier: a missing, truncated or footer-corrupted hot segment fails the
 * queries that read it, and the tiering that would move it, with an error naming the segment,
 * and never an answer without its rows; damaged cold files fail with Iceberg's own codes, as in
 * the stock connector. Queries that do not read the damaged file keep working.
 */
public class TestHybridDamagedStorage
        extends AbstractTestQueryFramework
{
    private Path warehouse;

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        warehouse = Files.createTempDirectory("hybrid-damaged");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .addCatalogProperty("hybrid.tiering.enabled", "false")
                .addCatalogProperty("hybrid.compaction.segment-threshold", "1000")
                .setInitialTables(ImmutableList.of(ORDERS))
                .build();
    }

    @Test
    public void testMissingSegment()
            throws IOException
    {
        Path segment = damagedTable("missing_segment");
        Files.delete(segment);
        assertSegmentUnreadable("missing_segment", segment);
    }

    @Test
    public void testTruncatedSegment()
            throws IOException
    {
        Path segment = damagedTable("truncated_segment");
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        assertSegmentUnreadable("truncated_segment", segment);
    }

    @Test
    public void testCorruptSegmentFooter()
            throws IOException
    {
        Path segment = damagedTable("corrupt_footer");
        // same length, but the footer length and magic at the end of the Parquet file are garbage
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(file.length() - 8);
            file.write(new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 'J', 'U', 'N', 'K'});
        }
        assertSegmentUnreadable("corrupt_footer", segment);
    }

    @Test
    public void testCompactionStopsAtDamagedSegment()
            throws IOException
    {
        assertUpdate("CREATE TABLE damaged_merge (orderkey bigint, comment varchar)");
        assertUpdate("INSERT INTO damaged_merge SELECT orderkey, comment FROM orders WHERE orderkey < 1000", "SELECT count(*) FROM orders WHERE orderkey < 1000");
        assertUpdate("INSERT INTO damaged_merge SELECT orderkey, comment FROM orders WHERE orderkey >= 1000", "SELECT count(*) FROM orders WHERE orderkey >= 1000");
        String path = (String) computeScalar("SELECT max(path) FROM \"damaged_merge$segments\"");
        Files.delete(warehouse.resolve(path.replaceFirst("^local:///", "")));

        for (String merge : new String[] {"CALL system.compact_segments('tpch', 'damaged_merge')", "ALTER TABLE damaged_merge EXECUTE compact_segments"}) {
            assertThat(query(merge)).failure()
                    .hasErrorCode(HYBRID_CORRUPT_SEGMENT)
                    .hasMessageContaining(path);
        }
        assertThat(computeScalar("SELECT count(*) FROM \"damaged_merge$segments\" WHERE state = 'ACTIVE'")).isEqualTo(2L);
        assertUpdate("DROP TABLE damaged_merge");
    }

    @Test
    public void testDamagedColdFilesFailWithIcebergCodes()
            throws IOException
    {
        assertUpdate("CREATE TABLE damaged_cold AS SELECT orderkey, orderstatus, comment FROM orders", 15000);
        Path file = warehouse.resolve(((String) computeScalar("SELECT min(file_path) FROM \"damaged_cold$files\"")).replaceFirst("^local:///", ""));
        byte[] original = Files.readAllBytes(file);

        try (RandomAccessFile damaged = new RandomAccessFile(file.toFile(), "rw")) {
            damaged.seek(damaged.length() - 8);
            damaged.write(new byte[] {0x7f, 0x7f, 0x7f, 0x7f, 'J', 'U', 'N', 'K'});
        }
        assertThat(query("SELECT count(*) FROM damaged_cold WHERE comment <> ''")).failure()
                .hasErrorCode(ICEBERG_BAD_DATA);

        Files.delete(file);
        assertThat(query("SELECT count(*) FROM damaged_cold WHERE comment <> ''")).failure()
                .hasErrorCode(ICEBERG_CANNOT_OPEN_SPLIT);

        Files.write(file, original);
        assertQuery("SELECT count(*), sum(orderkey) FROM damaged_cold WHERE comment <> ''", "SELECT count(*), sum(orderkey) FROM orders");
        assertUpdate("DROP TABLE damaged_cold");
    }

    @Test
    public void testUnreadableMetastore()
            throws Exception
    {
        Path damagedWarehouse = Files.createTempDirectory("hybrid-damaged-metastore");
        closeAfterClass(() -> deleteRecursively(damagedWarehouse, ALLOW_INSECURE));
        getQueryRunner().createCatalog("damaged_metastore", HybridConnectorFactory.CONNECTOR_NAME, ImmutableMap.of(
                "hybrid.warehouse", damagedWarehouse.toString(),
                "hybrid.tiering.enabled", "false"));
        assertUpdate("CREATE SCHEMA damaged_metastore.s");
        assertUpdate("CREATE TABLE damaged_metastore.s.t AS SELECT orderkey FROM orders", 15000);
        assertUpdate("INSERT INTO damaged_metastore.s.t VALUES 0", 1);

        // the embedded database file overwritten with garbage of the same size
        Path database = damagedWarehouse.resolve("metastore.db");
        byte[] garbage = new byte[toIntExact(Files.size(database))];
        Arrays.fill(garbage, (byte) 0x5a);
        Files.write(database, garbage);

        for (String statement : new String[] {"SELECT count(*) FROM damaged_metastore.s.t", "INSERT INTO damaged_metastore.s.t VALUES 1"}) {
            assertThat(query(statement)).failure()
                    .hasErrorCode(HYBRID_METASTORE_ERROR)
                    .hasMessageContaining(database.toString())
                    .hasMessageContaining("not a database");
        }
        // other catalogs are unaffected
        assertQuery("SELECT count(*) FROM orders", "VALUES 15000");
    }

    /**
     * A table of three hot INSERTs, one per order status; returns the file of the segment
     * holding status 'P', which the tests damage.
     */
    private Path damagedTable(String table)
    {
        assertUpdate("CREATE TABLE %s (orderkey bigint, orderstatus varchar, comment varchar) WITH (partitioning = ARRAY['orderstatus'])".formatted(table));
        for (String status : new String[] {"F", "O", "P"}) {
            assertUpdate("INSERT INTO %s SELECT orderkey, orderstatus, comment FROM orders WHERE orderstatus = '%s'".formatted(table, status),
                    "SELECT count(*) FROM orders WHERE orderstatus = '%s'".formatted(status));
        }
        assertThat(computeScalar("SELECT count(*) FROM \"%s$segments\"".formatted(table))).isEqualTo(3L);
        String path = (String) computeScalar("SELECT path FROM \"%1$s$segments\" WHERE segment_id = (SELECT max(segment_id) FROM \"%1$s$segments\")".formatted(table));
        return warehouse.resolve(path.replaceFirst("^local:///", ""));
    }

    private void assertSegmentUnreadable(String table, Path segment)
    {
        String scan = "SELECT count(*), max(comment) FROM %s".formatted(table);
        // the error says which segment file of which table cannot be read and what to do
        assertThat(query(scan)).failure()
                .hasErrorCode(HYBRID_CORRUPT_SEGMENT)
                .hasMessageContaining("tpch.%s".formatted(table))
                .hasMessageContaining(segment.getFileName().toString());

        // the damaged segment cannot be tiered either: its rows stay hot, nothing moves
        assertThat(query("CALL system.tier_table('tpch', '%s')".formatted(table))).failure()
                .hasErrorCode(HYBRID_CORRUPT_SEGMENT)
                .hasMessageContaining(segment.getFileName().toString());
        assertThat(computeScalar("SELECT count(*) FROM \"%s$segments\" WHERE state = 'ACTIVE'".formatted(table))).isEqualTo(3L);
        assertThat(computeScalar("SELECT count(*) FROM \"%s$files\"".formatted(table))).isEqualTo(0L);

        // queries that prune the damaged segment are unaffected
        assertQuery("SELECT count(*), max(comment) FROM %s WHERE orderstatus <> 'P'".formatted(table),
                "SELECT count(*), max(comment) FROM orders WHERE orderstatus <> 'P'");
        assertUpdate("DROP TABLE " + table);
    }
}
