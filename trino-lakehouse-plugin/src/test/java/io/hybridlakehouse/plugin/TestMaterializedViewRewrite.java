package io.hybridlakehouse.plugin;

import io.trino.Session;
import io.trino.testing.AbstractTestQueryFramework;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.QueryRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

public class TestMaterializedViewRewrite
        extends AbstractTestQueryFramework
{
    private static final String EVENTS = """
            SELECT
                CAST(TIMESTAMP '2026-11-01 00:00:00' + (x * INTERVAL '37' MINUTE) AS timestamp(6)) AS ts,
                element_at(ARRAY['beijing', 'shanghai', 'guangdong', 'overseas'], x %% 4 + 1) AS region,
                CAST(x %% 97 AS bigint) AS user_id,
                CAST(x %% 1000 / 10.0 AS decimal(12, 2)) AS amount,
                CASE WHEN x %% 5 = 0 THEN NULL ELSE CAST(x %% 7 AS integer) END AS score,
                element_at(ARRAY['ios', 'android', 'pc'], x %% 3 + 1) AS device
            FROM UNNEST(sequence(%d, %d)) t(x)""";

    @Override
    protected QueryRunner createQueryRunner()
            throws Exception
    {
        return LakehouseQueryRunner.builder()
                .setWarehouse(Files.createTempDirectory("hybrid-rewrite"))
                .build();
    }

    @Test
    public void testSmoke()
    {
        assertUpdate("CREATE TABLE events WITH (partitioning = ARRAY['day(ts)']) AS " + EVENTS.formatted(0, 0) + " WITH NO DATA", 0);
        assertUpdate("INSERT INTO events " + EVENTS.formatted(0, 999), 1000);
        assertUpdate("""
                CREATE MATERIALIZED VIEW events_daily AS
                SELECT date_trunc('day', ts) AS day, region, device, count(*) AS events, count(score) AS scored, sum(amount) AS amount,
                       sum(score) AS score_sum, min(amount) AS low, max(amount) AS high, avg(amount) AS mean_amount, approx_distinct(user_id) AS users
                FROM events GROUP BY date_trunc('day', ts), region, device""");
        check("SELECT region, count(*), sum(amount), avg(amount), approx_distinct(user_id) FROM events GROUP BY region", Optional.of("events_daily"));
        check("SELECT date_trunc('month', ts), min(amount), max(amount), avg(score) FROM events GROUP BY 1", Optional.of("events_daily"));
        check("SELECT count(*) FROM events", Optional.of("events_daily"));
        check("SELECT count(*) FROM events WHERE ts >= TIMESTAMP '2026-11-05 00:00:00' AND ts < TIMESTAMP '2026-11-09 00:00:00'", Optional.of("events_daily"));
        check("SELECT device, count(*) FROM events WHERE region = 'beijing' GROUP BY device", Optional.of("events_daily"));
        check("SELECT user_id, count(*) FROM events GROUP BY user_id", Optional.empty());
        System.out.println(computeActual("SELECT * FROM system.mv_rewrites"));
    }

    private void check(String query, Optional<String> view)
    {
        Session off = Session.builder(getSession()).setCatalogSessionProperty("lakehouse", "mv_rewrite_enabled", "false").build();
        MaterializedResult expected = computeActual(off, query);
        MaterializedResult actual = computeActual(query);
        assertThat(actual.getMaterializedRows()).as(query).containsExactlyInAnyOrderElementsOf(expected.getMaterializedRows());
        String plan = (String) computeScalar("EXPLAIN " + query);
        System.out.println(plan);
        if (view.isPresent()) {
            assertThat(plan).as(query).contains("tpch." + view.get() + " (materialized view answering");
        }
        else {
            assertThat(plan).as(query).doesNotContain("materialized view answering");
        }
    }
}
