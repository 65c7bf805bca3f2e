package io.hybridlakehouse.plugin;

import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static com.google.common.io.MoreFiles.deleteRecursively;
import static com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Filters on a column whose type was widened while files of the old type remain, on cold,
 * hot and mixed data and on lake tables. Trino 476's Iceberg connector fails such queries
 * ("Error processing metadata", trinodb/trino#29802); the rows expected are those of the
 * same values in a table that never changed type.
 */
public class TestHybridTypePromotion
        extends AbstractTestQueryFramework
{
    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        Path warehouse = Files.createTempDirectory("hybrid-promotion");
        closeAfterClass(() -> deleteRecursively(warehouse, ALLOW_INSECURE));
        return LakehouseQueryRunner.builder()
                .setWarehouse(warehouse)
                .build();
    }

    @Test
    public void testIntegerToBigint()
    {
        assertPromotion("integer", "bigint", "v = 7", "v BETWEEN 3 AND 11", "v > BIGINT '3000000000'");
    }

    @Test
    public void testRealToDouble()
    {
        assertPromotion("real", "double", "v = 7", "v BETWEEN 2.5 AND 11", "v > 1e12");
    }

    @Test
    public void testWiderDecimal()
    {
        assertPromotion("decimal(10, 2)", "decimal(20, 2)", "v = 7", "v BETWEEN 2.5 AND 11", "v > DECIMAL '123456789012.00'");
    }

    /**
     * Old-type rows in Iceberg (cold) and as hot segments, then new-type rows hot and (after
     * tiering) cold: each state is queried with the filters and a join whose dynamic filter
     * reaches the column, against a reference table of the new type.
     */
    private void assertPromotion(String oldType, String newType, String... filters)
    {
        String suffix = oldType.replaceAll("[^a-z0-9]", "_");
        String table = "promoted_" + suffix;
        String lake = "promoted_lake_" + suffix;
        String reference = "reference_" + suffix;
        String bigValue = newType.equals("bigint") ? "4000000000" : newType.equals("double") ? "2e12" : "234567890123.00";

        assertUpdate("CREATE TABLE %s (id bigint, v %s)".formatted(reference, newType));
        assertUpdate("CREATE TABLE %s (id bigint, v %s)".formatted(table, oldType));
        assertUpdate("CREATE TABLE %s (id bigint, v %s) WITH (mode = 'lake')".formatted(lake, oldType));
        for (String target : new String[] {table, lake, reference}) {
            assertUpdate("INSERT INTO %s SELECT x, CAST(x AS %s) FROM UNNEST(sequence(1, 20)) t(x)".formatted(target, oldType), 20);
        }
        // cold: old-type Iceberg files; hot: an old-type segment
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
        assertUpdate("INSERT INTO %s SELECT x, CAST(x AS %s) FROM UNNEST(sequence(21, 30)) t(x)".formatted(table, oldType), 10);
        assertUpdate("INSERT INTO %s SELECT x, CAST(x AS %s) FROM UNNEST(sequence(21, 30)) t(x)".formatted(reference, newType), 10);
        assertUpdate("INSERT INTO %s SELECT x, CAST(x AS %s) FROM UNNEST(sequence(21, 30)) t(x)".formatted(lake, oldType), 10);

        assertUpdate("ALTER TABLE %s ALTER COLUMN v SET DATA TYPE %s".formatted(table, newType));
        assertUpdate("ALTER TABLE %s ALTER COLUMN v SET DATA TYPE %s".formatted(lake, newType));
        assertMatchesReference(table, reference, filters);
        assertMatchesReference(lake, reference, filters);

        // new-type rows, hot, then everything tiered into Iceberg files of both types
        for (String target : new String[] {table, lake, reference}) {
            assertUpdate("INSERT INTO %s VALUES (31, CAST(%s AS %s)), (32, CAST(7 AS %s))".formatted(target, bigValue, newType, newType), 2);
        }
        assertMatchesReference(table, reference, filters);
        assertMatchesReference(lake, reference, filters);
        assertUpdate("CALL system.tier_table('tpch', '%s')".formatted(table));
        assertMatchesReference(table, reference, filters);

        assertUpdate("DROP TABLE " + table);
        assertUpdate("DROP TABLE " + lake);
        assertUpdate("DROP TABLE " + reference);
    }

    private void assertMatchesReference(String table, String reference, String... filters)
    {
        for (String filter : filters) {
            assertThat(query("SELECT id, v FROM %s WHERE %s".formatted(table, filter))).matches("SELECT id, v FROM %s WHERE %s".formatted(reference, filter));
            assertThat(query("SELECT count(*) FROM %s WHERE %s".formatted(table, filter))).matches("SELECT count(*) FROM %s WHERE %s".formatted(reference, filter));
        }
        // a join on the widened column: its dynamic filter reaches the scan of the old-type files
        assertThat(query("SELECT t.id FROM %1$s t JOIN (SELECT v FROM %2$s WHERE id IN (7, 9)) r ON t.v = r.v".formatted(table, reference)))
                .matches("SELECT id FROM %1$s WHERE v IN (SELECT v FROM %1$s WHERE id IN (7, 9))".formatted(reference));
    }
}
