package io.hybridlakehouse.plugin.mv;

import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.Aggregate;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.AggregateFunction;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.Branch;
import io.hybridlakehouse.plugin.mv.SynchronousViewDefinition.Key;
import io.trino.spi.TrinoException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_UNSUPPORTED_MATERIALIZED_VIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestMaterializedViewAnalyzer
{
    @Test
    public void testSingleBaseWithDimensionJoinAndFilter()
    {
        SynchronousViewDefinition definition = MaterializedViewAnalyzer.analyze("""
                SELECT date_trunc('day', e.event_time) AS day, d.category, e.region,
                       count(*) AS events, count(e.amount) AS paid, sum(e.amount) AS amount, min(e.amount) AS low,
                       max(e.amount) high, avg(e.amount) AS mean, approx_distinct(e.user_id) AS users
                FROM ods.events e JOIN ods.items d ON e.item_id = d.item_id
                WHERE e.event_type IN ('view', 'pay') AND e.amount BETWEEN 0 AND 1000 AND e.device IS NOT NULL AND NOT e.region LIKE 'over%'
                GROUP BY date_trunc('day', e.event_time), d.category, e.region""");
        assertThat(definition.keys()).extracting(Key::name).containsExactly("day", "category", "region");
        assertThat(definition.aggregates()).extracting(Aggregate::function).containsExactly(
                AggregateFunction.COUNT_ALL, AggregateFunction.COUNT, AggregateFunction.SUM, AggregateFunction.MIN,
                AggregateFunction.MAX, AggregateFunction.AVG, AggregateFunction.APPROX_DISTINCT);
        assertThat(definition.aggregates().get(5).argument()).contains("e.amount");
        assertThat(definition.branches()).extracting(Branch::baseTable).containsExactly("ods.events");
        assertThat(definition.branches().getFirst().baseAlias()).isEqualTo("e");
        assertThat(definition.branches().getFirst().dimensions()).containsExactly(
                new SynchronousViewDefinition.Dimension("ods.items", "d", false, List.of(new SynchronousViewDefinition.JoinKey("e.item_id", "item_id"))));
        assertThat(definition.branches().getFirst().filter()).isPresent();
    }

    @Test
    public void testMetricStitching()
    {
        SynchronousViewDefinition definition = MaterializedViewAnalyzer.analyze("""
                SELECT day, region, sum(plays) plays, sum(likes) likes, approx_distinct(user_id) users
                FROM (
                    SELECT date_trunc('day', ts) day, region, 1 plays, 0 likes, user_id FROM ods.plays
                    UNION ALL SELECT date_trunc('day', ts), region, 0, 1, user_id FROM ods.likes WHERE region IS NOT NULL
                    UNION ALL SELECT date_trunc('day', ts), region, 0, 0, user_id FROM ods.shares)
                GROUP BY day, region""");
        assertThat(definition.keys()).containsExactly(new Key("day", "day"), new Key("region", "region"));
        assertThat(definition.branches()).extracting(Branch::baseTable).containsExactly("ods.plays", "ods.likes", "ods.shares");
        assertThat(definition.branchColumns()).containsExactly("day", "region", "plays", "likes", "user_id");
        assertThat(definition.branches().get(1).projections()).hasSize(5);
        assertThat(definition.branches().get(1).filter()).isPresent();
        assertThat(definition.branches().get(0).filter()).isEqualTo(Optional.empty());
    }

    @Test
    public void testGroupByPosition()
    {
        SynchronousViewDefinition byPosition = MaterializedViewAnalyzer.analyze(
                "SELECT date_trunc('day', ts) AS day, sum(amount) AS amount, region FROM ods.events GROUP BY 1, 3");
        SynchronousViewDefinition byExpression = MaterializedViewAnalyzer.analyze(
                "SELECT date_trunc('day', ts) AS day, sum(amount) AS amount, region FROM ods.events GROUP BY date_trunc('day', ts), region");
        assertThat(byPosition.keys()).isEqualTo(byExpression.keys());
        assertThat(byPosition.keys()).containsExactly(new Key("day", "date_trunc('day', ts)"), new Key("region", "region"));
        assertThat(byPosition.aggregates()).isEqualTo(byExpression.aggregates());
        assertThat(MaterializedViewAnalyzer.analyze("SELECT day, region, sum(plays) plays FROM (SELECT date_trunc('day', ts) day, region, 1 plays FROM ods.plays " +
                "UNION ALL SELECT date_trunc('day', ts), region, 0 FROM ods.likes) GROUP BY 1, 2").keys())
                .containsExactly(new Key("day", "day"), new Key("region", "region"));

        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY 3", "GROUP BY position 3 is not in the select list, which has 2 items");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY 0", "GROUP BY position 0 is not in the select list");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY 1, 2", "GROUP BY position 2, which is the aggregate count(*)");
        assertRejected("SELECT region, device, count(*) c FROM ods.events GROUP BY 1", "the select item device is neither an aggregate nor in GROUP BY");
    }

    @Test
    public void testRejectedConstructs()
    {
        assertRejected("SELECT region, count(DISTINCT user_id) users FROM ods.events GROUP BY region", "count(DISTINCT ...)", "use approx_distinct");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY region ORDER BY region", "ORDER BY");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY region LIMIT 10", "LIMIT");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY region HAVING count(*) > 1", "HAVING");
        assertRejected("SELECT DISTINCT region FROM ods.events", "SELECT DISTINCT");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY region, device", "the GROUP BY key device, which the view does not select");
        assertRejected("SELECT region, sum(amount) OVER (PARTITION BY region) s FROM ods.events GROUP BY region", "window");
        assertRejected("SELECT region, count(*) c FROM ods.events WHERE amount > rand() GROUP BY region", "rand");
        assertRejected("SELECT region, count(*) c FROM ods.events e FULL JOIN ods.other o ON e.id = o.id GROUP BY region", "FULL JOIN");
        assertRejected("SELECT region, count(*) c FROM ods.events e JOIN ods.other o ON e.id < o.id GROUP BY region", "ON equality");
        assertRejected("SELECT region, count(*) c FROM (SELECT region FROM ods.a UNION SELECT region FROM ods.b) GROUP BY region", "UNION (DISTINCT)");
        assertRejected("SELECT upper(region) r, count(*) c FROM ods.events GROUP BY upper(region)", "grouping key upper(region)");
        assertRejected("SELECT region, sum(amount * 2) s FROM ods.events GROUP BY region", "aggregate a column");
        assertRejected("SELECT region, min(paid) low FROM (SELECT region, CAST(NULL AS decimal(12, 2)) paid FROM ods.a UNION ALL SELECT region, amount FROM ods.b) GROUP BY region",
                "UNION ALL branch column CAST(null AS decimal(12, 2))", "write NULL");
        assertRejected("SELECT region, sum(doubled) s FROM (SELECT region, amount * 2 doubled FROM ods.a UNION ALL SELECT region, amount FROM ods.b) GROUP BY region",
                "UNION ALL branch column (amount * 2)", "a literal, NULL, a column");
        assertRejected("SELECT region, sum(plays) plays FROM (SELECT region, CAST(1 AS bigint) plays FROM ods.a UNION ALL SELECT region, 0 FROM ods.b) GROUP BY region",
                "UNION ALL branch column CAST(1 AS bigint)", "typed literal");
        assertRejected("SELECT region FROM ods.events GROUP BY region", "no aggregate");
        assertRejected("SELECT region, count(*) c FROM ods.events GROUP BY ROLLUP (region)", "GROUPING SETS, ROLLUP or CUBE");
        assertRejected("SELECT region, count(*) FILTER (WHERE amount > 0) c FROM ods.events GROUP BY region", "FILTER");
        assertRejected("SELECT region, count(*) FROM ods.events GROUP BY region", "give it an alias");
        assertRejected("SELECT region, device, count(*) c FROM ods.events GROUP BY region", "neither an aggregate nor in GROUP BY");
        assertRejected("SELECT region, count(*) c FROM ods.events", "no GROUP BY");
        assertRejected("WITH x AS (SELECT * FROM ods.events) SELECT region, count(*) c FROM x GROUP BY region", "WITH");
        assertRejected("SELECT region, count(*) c FROM ods.events WHERE region IN (SELECT region FROM ods.regions) GROUP BY region", "IN with a subquery");
        assertRejected("SELEC region", "does not parse");
    }

    private static void assertRejected(String sql, String... messageParts)
    {
        assertThatThrownBy(() -> MaterializedViewAnalyzer.analyze(sql))
                .isInstanceOfSatisfying(TrinoException.class, e -> {
                    assertThat(e.getErrorCode()).isEqualTo(HYBRID_UNSUPPORTED_MATERIALIZED_VIEW.toErrorCode());
                    for (String part : messageParts) {
                        assertThat(e.getMessage()).contains(part);
                    }
                    assertThat(e.getMessage()).contains("Supported: SELECT <keys>, <aggregates>");
                });
    }
}
