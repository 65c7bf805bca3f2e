package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static java.util.Locale.ENGLISH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tables whose partitioning changed while hot segments of the old spec remain, and tables
 * partitioned by bucket. Iceberg enforces a filter on a column its partition specs all
 * partition by identity (or a time range on a temporal field's boundaries) and the engine
 * then skips it: hot segments of an older spec, which may hold several values of the column in
 * one file, must not make a query, a DELETE or an UPDATE take rows the filter excludes; nor may
 * NaN partition values, which Iceberg matches against ranges as the greatest number. Partition
 * values a partition field cannot hold are refused at INSERT, and filters on the hidden columns
 * read hot segments as they read Iceberg's files.
 */
public class TestHybridPartitionEvolution
        extends AbstractTestQueryFramework
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path warehouse = Files.createTempDirectory("hybrid-partition-evolution");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .build();
    }

    @Test
    public void testIdentityPartitionAddedOverHotRows()
    {
        assertUpdate("CREATE TABLE identity_added (id bigint, s varchar)");
        assertUpdate("INSERT INTO identity_added VALUES (1, 'a'), (2, 'b'), (3, NULL)", 3);
        assertUpdate("INSERT INTO identity_added VALUES (4, 'a')", 1);
        assertUpdate("ALTER TABLE identity_added SET PROPERTIES partitioning = ARRAY['s']");
        assertUpdate("INSERT INTO identity_added VALUES (5, 'b'), (6, 'c')", 2);
        assertFilters("identity_added");
        // compaction merges segments of one spec and partition: the old spec's segments into one file
        assertUpdate("CALL system.compact_segments('tpch', 'identity_added')");
        assertFilters("identity_added");
        // tiering appends the old spec's files to Iceberg, whose own planning then takes their spec into account
        assertUpdate("CALL system.tier_table('tpch', 'identity_added')");
        assertFilters("identity_added");
    }

    private void assertFilters(String table)
    {
        assertQuery("SELECT id FROM %s WHERE s = 'a'".formatted(table), "VALUES 1, 4");
        assertQuery("SELECT id FROM %s WHERE s = 'b'".formatted(table), "VALUES 2, 5");
        assertQuery("SELECT id FROM %s WHERE s IS NULL".formatted(table), "VALUES 3");
        assertQuery("SELECT id FROM %s WHERE s IN ('b', 'c')".formatted(table), "VALUES 2, 5, 6");
        assertQuery("SELECT count(*) FROM %s WHERE s <> 'a'".formatted(table), "VALUES 3");
        assertQuery("SELECT s, count(*) FROM %s GROUP BY s".formatted(table), "VALUES ('a', 2), ('b', 2), ('c', 1), (NULL, 1)");
    }

    @Test
    public void testRowChangesAfterIdentityPartitionAdded()
    {
        assertUpdate("CREATE TABLE evolved_delete (id bigint, s varchar)");
        assertUpdate("INSERT INTO evolved_delete VALUES (1, 'a'), (2, 'b'), (3, NULL)", 3);
        assertUpdate("ALTER TABLE evolved_delete SET PROPERTIES partitioning = ARRAY['s']");
        assertUpdate("DELETE FROM evolved_delete WHERE s = 'a'", 1);
        assertQuery("SELECT id, s FROM evolved_delete", "VALUES (2, 'b'), (3, NULL)");

        assertUpdate("CREATE TABLE evolved_update (id bigint, s varchar)");
        assertUpdate("INSERT INTO evolved_update VALUES (1, 'a'), (2, 'b')", 2);
        assertUpdate("ALTER TABLE evolved_update SET PROPERTIES partitioning = ARRAY['s']");
        assertUpdate("UPDATE evolved_update SET id = 10 WHERE s = 'a'", 1);
        assertQuery("SELECT id, s FROM evolved_update", "VALUES (10, 'a'), (2, 'b')");
    }

    @Test
    public void testTemporalPartitionAddedOverHotRows()
    {
        assertUpdate("CREATE TABLE month_added (id bigint, ts timestamp(6))");
        assertUpdate("INSERT INTO month_added VALUES (1, TIMESTAMP '2024-01-10 00:00:00'), (2, TIMESTAMP '2024-02-10 00:00:00')", 2);
        assertUpdate("ALTER TABLE month_added SET PROPERTIES partitioning = ARRAY['month(ts)']");
        // a range on month boundaries, which the new spec alone would enforce
        assertQuery("SELECT id FROM month_added WHERE ts < TIMESTAMP '2024-02-01 00:00:00'", "VALUES 1");
        assertUpdate("DELETE FROM month_added WHERE ts >= TIMESTAMP '2024-02-01 00:00:00'", 1);
        assertQuery("SELECT id FROM month_added", "VALUES 1");
    }

    @Test
    public void testPartitionsTableShowsEveryPartitionOfEverySpec()
    {
        assertUpdate("CREATE TABLE respecified (id bigint, ts timestamp(6), region varchar) WITH (partitioning = ARRAY['day(ts)'])");
        assertUpdate("INSERT INTO respecified VALUES (1, TIMESTAMP '2024-01-10 01:00:00', 'a'), (2, TIMESTAMP '2024-01-11 01:00:00', 'a')", 2);
        assertUpdate("CALL system.tier_table('tpch', 'respecified')");
        assertUpdate("INSERT INTO respecified VALUES (3, TIMESTAMP '2024-01-12 01:00:00', 'b')", 1);
        assertUpdate("ALTER TABLE respecified SET PROPERTIES partitioning = ARRAY['region', 'month(ts)']");
        assertUpdate("INSERT INTO respecified VALUES (4, TIMESTAMP '2024-02-10 01:00:00', 'a'), (5, TIMESTAMP '2024-02-11 01:00:00', 'b')", 2);

        assertThat(computeActual("SELECT column_name FROM information_schema.columns WHERE table_name = 'respecified$partitions' ORDER BY ordinal_position").getOnlyColumn().toList())
                .containsExactly("region", "ts_month", "ts_day", "record_count", "file_count", "total_size", "hot_record_count");
        // each day of the first spec its own row, cold or hot, where they were one row of nulls
        String expected = """
                VALUES (NULL, NULL, DATE '2024-01-10', 1, 1), (NULL, NULL, DATE '2024-01-11', 1, 1), (NULL, NULL, DATE '2024-01-12', 1, 1),
                       ('a', 649, NULL, 1, 1), ('b', 649, NULL, 1, 1)""";
        assertQuery("SELECT region, ts_month, ts_day, record_count, file_count FROM \"respecified$partitions\"", expected);
        assertQuery("SELECT sum(hot_record_count) FROM \"respecified$partitions\"", "VALUES 3");
        assertUpdate("CALL system.tier_table('tpch', 'respecified')");
        assertQuery("SELECT region, ts_month, ts_day, record_count, file_count FROM \"respecified$partitions\"", expected);
        assertQuery("SELECT sum(hot_record_count), sum(record_count) FROM \"respecified$partitions\"", "VALUES (0, 5)");
        assertUpdate("DROP TABLE respecified");
    }

    @Test
    public void testBucketedExecution()
    {
        assertUpdate("CREATE TABLE bucketed (id bigint, s varchar) WITH (partitioning = ARRAY['bucket(id, 4)'])");
        assertUpdate("INSERT INTO bucketed SELECT x, CAST(x % 3 AS varchar) FROM UNNEST(sequence(1, 40)) t(x)", 40);
        // hot, then cold and hot
        assertThat(query("SELECT id, count(*) FROM bucketed GROUP BY id")).matches("SELECT x, BIGINT '1' FROM UNNEST(sequence(BIGINT '1', 40)) t(x)");
        assertUpdate("CALL system.tier_table('tpch', 'bucketed')");
        assertUpdate("INSERT INTO bucketed SELECT x, CAST(x % 3 AS varchar) FROM UNNEST(sequence(1, 20)) t(x)", 20);
        assertThat(query("SELECT id, count(*) FROM bucketed GROUP BY id")).matches("SELECT x, IF(x <= 20, BIGINT '2', BIGINT '1') FROM UNNEST(sequence(BIGINT '1', 40)) t(x)");
        assertThat(query("SELECT s, count(*) FROM bucketed GROUP BY s")).matches("VALUES (VARCHAR '0', BIGINT '19'), ('1', 21), ('2', 20)");
        assertQuery("SELECT count(DISTINCT id) FROM bucketed", "VALUES 40");
    }

    @Test
    public void testNanPartitionValuesMatchNoRange()
    {
        for (String type : List.of("double", "real")) {
            String table = "nan_" + type;
            assertUpdate("CREATE TABLE %s (id integer, d %s) WITH (partitioning = ARRAY['d'])".formatted(table, type));
            assertUpdate("INSERT INTO %s VALUES (1, nan()), (2, 3.0), (3, NULL), (4, -1.0)".formatted(table), 4);
            assertNanFilters(table);
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
            assertNanFilters(table);
            // a DELETE whose filter Iceberg would enforce by partitions must not take the NaN partition's file with it
            assertUpdate("DELETE FROM %s WHERE d > 2".formatted(table), 1);
            assertThat(query("SELECT id FROM %s".formatted(table))).matches("VALUES 1, 3, 4");
            assertUpdate("DROP TABLE " + table);
        }
    }

    private void assertNanFilters(String table)
    {
        assertThat(query("SELECT id FROM %s WHERE d > 1e30".formatted(table))).returnsEmptyResult();
        assertThat(query("SELECT id FROM %s WHERE d > 2".formatted(table))).matches("VALUES 2");
        assertThat(query("SELECT id FROM %s WHERE d >= 0".formatted(table))).matches("VALUES 2");
        assertThat(query("SELECT id FROM %s WHERE d < 5".formatted(table))).matches("VALUES 2, 4");
        assertThat(query("SELECT id FROM %s WHERE is_nan(d)".formatted(table))).matches("VALUES 1");
        assertThat(query("SELECT id FROM %s WHERE d IS NOT NULL".formatted(table))).matches("VALUES 1, 2, 4");
    }

    @Test
    public void testNullPartitionsMatchNoFilterExcludingNull()
    {
        // Avro files carry no null counts: only the partition values can drop a NULL partition
        for (String format : List.of("AVRO", "ORC", "PARQUET")) {
            String table = "null_partitions_" + format.toLowerCase(ENGLISH);
            String plain = table + "_unpartitioned";
            assertUpdate("CREATE TABLE %s (id integer, ts timestamp(6), p varchar) WITH (format = '%s', partitioning = ARRAY['day(ts)', 'p'])".formatted(table, format));
            assertUpdate("CREATE TABLE %s (id integer, ts timestamp(6), p varchar) WITH (format = '%s')".formatted(plain, format));
            for (String target : List.of(table, plain)) {
                assertUpdate("INSERT INTO %s VALUES (1, NULL, NULL), (2, TIMESTAMP '1990-01-01 10:00:00', 'y'), (3, TIMESTAMP '2024-01-01 10:00:00', 'x'), (4, NULL, 'y')".formatted(target), 4);
            }
            assertNullPartitionFilters(table, plain);
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
            assertNullPartitionFilters(table, plain);
            for (String target : List.of(table, plain)) {
                assertUpdate("INSERT INTO %s VALUES (5, NULL, NULL), (6, TIMESTAMP '1999-12-31 23:00:00', NULL)".formatted(target), 2);
            }
            assertNullPartitionFilters(table, plain);

            // on the cold tier alone Iceberg deletes by partition: it must leave the NULL partitions the filter excludes
            assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
            for (String target : List.of(table, plain)) {
                assertUpdate("DELETE FROM %s WHERE p <> 'x'".formatted(target), 2);
                assertUpdate("DELETE FROM %s WHERE ts < TIMESTAMP '2000-01-01 00:00:00'".formatted(target), 1);
            }
            assertThat(query("SELECT id FROM " + table)).matches("VALUES 1, 3, 5");
            // and it did so by dropping whole files, as for any other predicate on partitions, not by writing delete files
            assertThat(computeScalar("SELECT count(*) FROM \"%s$files\" WHERE content <> 0".formatted(table))).isEqualTo(0L);
            assertUpdate("DROP TABLE " + table);
            assertUpdate("DROP TABLE " + plain);
        }
    }

    private void assertNullPartitionFilters(String table, String unpartitioned)
    {
        for (String filter : List.of(
                "ts < TIMESTAMP '2000-01-01 00:00:00'",
                "ts <= TIMESTAMP '1999-12-31 23:59:59.999999'",
                "ts >= TIMESTAMP '2000-01-01 00:00:00'",
                "ts IS NOT NULL",
                "ts IS NULL",
                "p <> 'x'",
                "p NOT IN ('x', 'z')",
                "p < 'z'",
                "p <= 'y'",
                "p > 'a'",
                "p = 'y'",
                "p IS NULL OR p <> 'x'",
                "p <> 'x' AND ts < TIMESTAMP '2000-01-01 00:00:00'")) {
            assertThat(query("SELECT id FROM %s WHERE %s".formatted(table, filter)))
                    .as(filter)
                    .matches("SELECT id FROM %s WHERE %s".formatted(unpartitioned, filter));
            assertThat(query("SELECT count(*) FROM %s WHERE %s".formatted(table, filter)))
                    .as(filter)
                    .matches("SELECT count(*) FROM %s WHERE %s".formatted(unpartitioned, filter));
        }
    }

    @Test
    public void testPartitionValueThatDoesNotFitIsRefused()
    {
        assertUpdate("CREATE TABLE truncated (id integer, x decimal(5, 2)) WITH (partitioning = ARRAY['truncate(x, 10)'])");
        assertUpdate("INSERT INTO truncated VALUES (2, DECIMAL '1.00')", 1);
        // truncating -999.99 to a multiple of 10 gives -1000.00, which decimal(5, 2) cannot hold
        assertQueryFails("INSERT INTO truncated VALUES (1, DECIMAL '-999.99'), (3, DECIMAL '5.00')",
                "Cannot INSERT into tpch.truncated: a partition value computed from the rows does not fit its partition field .*");
        assertThat(query("SELECT id, x FROM truncated")).matches("VALUES (2, CAST(1 AS decimal(5, 2)))");
        assertThat(computeScalar("SELECT count(*) FROM \"truncated$segments\"")).isEqualTo(1L);
        assertUpdate("CALL system.tier_table('tpch', 'truncated')");
        assertThat(query("SELECT id, x FROM truncated")).matches("VALUES (2, CAST(1 AS decimal(5, 2)))");
        assertUpdate("DROP TABLE truncated");
    }

    @Test
    public void testFiltersOnHiddenColumnsOverHotSegments()
    {
        assertUpdate("CREATE TABLE hidden_filtered (id integer, p varchar) WITH (partitioning = ARRAY['p'])");
        assertUpdate("INSERT INTO hidden_filtered VALUES (1, 'a'), (2, 'b')", 2);
        assertUpdate("CALL system.tier_table('tpch', 'hidden_filtered')");
        assertUpdate("INSERT INTO hidden_filtered VALUES (3, 'a'), (4, 'c')", 2);
        String path = (String) computeScalar("SELECT \"$path\" FROM hidden_filtered WHERE id = 3");
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$partition\" = 'p=a'")).matches("VALUES 1, 3");
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$path\" = '%s'".formatted(path))).matches("VALUES 3");
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$path\" = 'nowhere'")).returnsEmptyResult();
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$file_modified_time\" IS NOT NULL")).matches("VALUES 1, 2, 3, 4");
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$file_modified_time\" < TIMESTAMP '2000-01-01 00:00:00 UTC'")).returnsEmptyResult();
        assertThat(query("SELECT id FROM hidden_filtered WHERE \"$file_modified_time\" > TIMESTAMP '2000-01-01 00:00:00 UTC'")).matches("VALUES 1, 2, 3, 4");
        // and statistics for the planner, over a filter on a hidden column
        assertThat(computeActual("SHOW STATS FOR (SELECT * FROM hidden_filtered WHERE \"$partition\" = 'p=a')").getRowCount()).isPositive();
        assertUpdate("DROP TABLE hidden_filtered");
    }
}
