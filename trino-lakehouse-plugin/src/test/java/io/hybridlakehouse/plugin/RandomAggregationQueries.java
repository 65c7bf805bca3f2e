package io.hybridlakehouse.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.joining;

/**
 * Aggregation queries of random shape over the events table of
 * {@link TestMaterializedViewRewriteRandomized}: grouping keys, aggregates and filters drawn
 * mostly from what its views can derive (time units coarser than a view's, keys of a view,
 * filters on keys and aligned times) and partly from what they cannot (finer units, columns no
 * view keeps, filters on measures, unaligned times), so that both answers and fall-backs occur,
 * in combinations no hand-written list covers. The same seed gives the same queries.
 */
final class RandomAggregationQueries
{
    static final String TABLE_PLACEHOLDER = "$table";

    private static final List<String> DERIVABLE_KEYS = List.of(
            "date_trunc('day', ts)", "date_trunc('week', ts)", "date_trunc('month', ts)", "date_trunc('quarter', ts)", "date_trunc('year', ts)",
            "date_trunc('hour', ts)", "region", "device", "coalesce(region, 'none')", "upper(device)", "d", "date_trunc('month', d)",
            "CAST(date_trunc('day', ts) AS date)", "date_trunc('day', CAST(ts AS TIMESTAMP))", "day_of_week(date_trunc('day', ts))",
            "CAST(ts AS date)", "date(ts)", "year(ts)", "month(ts)", "day_of_week(ts)", "hour(ts)", "week(ts)", "quarter(d)", "day(d)");
    private static final List<String> OTHER_KEYS = List.of(
            "user_id", "score", "date_trunc('minute', ts)", "minute(ts)", "amount");

    private static final List<String> DERIVABLE_AGGREGATES = List.of(
            "count(*)", "count(amount)", "count(score)", "sum(amount)", "sum(score)", "min(amount)", "max(amount)", "avg(amount)", "avg(score)",
            "min(ts)", "max(ts)", "approx_distinct(user_id)", "min(user_id)", "max(user_id)", "max(score)", "min(score)",
            "sum(amount) / count(*)", "count(*) * 2", "count(amount) - count(*)", "max(amount) - min(amount)", "count(region)", "count(device)", "count(ts)",
            "max(region)", "min(device)", "min(d)", "max(d)");
    private static final List<String> OTHER_AGGREGATES = List.of(
            "count(DISTINCT region)", "sum(user_id)", "count(user_id)", "approx_distinct(user_id, 0.01)", "count(*) FILTER (WHERE score > 2)");

    private static final List<String> DERIVABLE_FILTERS = List.of(
            "region = 'beijing'", "region IN ('shanghai', 'overseas')", "region IS NULL", "region IS NOT NULL", "device <> 'pc'", "device = 'ios'",
            "device IN ('ios', 'android')", "NOT (region = 'beijing')", "region = 'beijing' OR device = 'ios'", "coalesce(region, 'none') = 'none'", "region = 'nowhere'",
            "region <> 'overseas' AND device = 'android'", "upper(device) = 'PC'",
            "ts >= TIMESTAMP '2026-11-10 00:00:00'", "ts < TIMESTAMP '2026-11-20 00:00:00'", "ts >= TIMESTAMP '2026-11-10 07:00:00'",
            "ts BETWEEN TIMESTAMP '2026-11-05 00:00:00' AND TIMESTAMP '2026-11-12 23:59:59.999999'", "date_trunc('day', ts) = TIMESTAMP '2026-11-02 00:00:00'",
            "ts < TIMESTAMP '2026-11-03 00:00:00' OR ts >= TIMESTAMP '2026-12-05 00:00:00'", "ts >= TIMESTAMP '2026-12-01 00:00:00' AND ts < TIMESTAMP '2026-12-02 00:00:00'",
            "d BETWEEN DATE '2026-11-03' AND DATE '2026-11-09'", "d > DATE '2026-11-25'");
    private static final List<String> OTHER_FILTERS = List.of(
            "amount > 10", "score IS NULL", "user_id = 5", "lower(region) = 'beijing'", "region LIKE 'g%'", "ts >= TIMESTAMP '2026-11-10 07:30:00'",
            "ts > TIMESTAMP '2026-11-10 00:00:00'", "ts >= TIMESTAMP '2026-11-10 00:00:00.000001'", "CAST(ts AS date) = DATE '2026-11-15'", "amount IS NOT NULL");

    private final Random random;

    RandomAggregationQueries(Random random)
    {
        this.random = requireNonNull(random, "random is null");
    }

    /**
     * The next query, reading the table named by {@value #TABLE_PLACEHOLDER}.
     */
    String next()
    {
        List<String> keys = distinct(random.nextInt(3), DERIVABLE_KEYS, OTHER_KEYS);
        List<String> aggregates = IntStream.range(0, 1 + random.nextInt(4))
                .mapToObj(_ -> pick(DERIVABLE_AGGREGATES, OTHER_AGGREGATES))
                .toList();
        List<String> filters = distinct(random.nextInt(3), DERIVABLE_FILTERS, OTHER_FILTERS);

        List<String> selected = new ArrayList<>(keys);
        selected.addAll(aggregates);
        StringBuilder query = new StringBuilder("SELECT ").append(String.join(", ", selected)).append(" FROM ").append(TABLE_PLACEHOLDER);
        if (!filters.isEmpty()) {
            query.append(" WHERE ").append(String.join(" AND ", filters));
        }
        if (!keys.isEmpty()) {
            query.append(" GROUP BY ").append(IntStream.rangeClosed(1, keys.size()).mapToObj(String::valueOf).collect(joining(", ")));
            if (random.nextInt(5) == 0) {
                query.append(" HAVING count(*) > ").append(random.nextInt(20));
            }
        }
        return query.toString();
    }

    private List<String> distinct(int count, List<String> derivable, List<String> other)
    {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = pick(derivable, other);
            if (!picked.contains(value)) {
                picked.add(value);
            }
        }
        return picked;
    }

    /**
     * Mostly derivable: a query with one underivable part falls back to the base as a whole.
     */
    private String pick(List<String> derivable, List<String> other)
    {
        List<String> from = random.nextInt(16) == 0 ? other : derivable;
        return from.get(random.nextInt(from.size()));
    }

    /**
     * {@code rows} of events in 2026-11-01 .. 2026-12-10, as a SELECT over VALUES: sub-second
     * times (some a few microseconds before a second ends), NULL regions, amounts and scores.
     */
    static String events(Random random, int rows)
    {
        List<String> regions = List.of("beijing", "shanghai", "guangdong", "overseas");
        List<String> devices = List.of("ios", "android", "pc");
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            int day = random.nextInt(40);
            int micros = random.nextInt(3) == 0 ? 999_999 - random.nextInt(900) : random.nextInt(1_000_000);
            String timestamp = String.format(Locale.ROOT, "TIMESTAMP '2026-%02d-%02d %02d:%02d:%02d.%06d'",
                    day < 30 ? 11 : 12, day < 30 ? day + 1 : day - 29, random.nextInt(24), random.nextInt(60), random.nextInt(60), micros);
            String region = random.nextInt(9) == 0 ? "NULL" : "'" + regions.get(random.nextInt(regions.size())) + "'";
            String amount = random.nextInt(8) == 0 ? "NULL" : "DECIMAL '%d.%02d'".formatted(random.nextInt(2000) - 200, random.nextInt(100));
            String score = random.nextInt(5) == 0 ? "NULL" : String.valueOf(random.nextInt(11) - 3);
            values.append(i == 0 ? "" : ", ")
                    .append("(%s, '%s', %d, %s, %s, %s)".formatted(timestamp, devices.get(random.nextInt(devices.size())), random.nextInt(300), region, amount, score));
        }
        return """
                SELECT CAST(t AS timestamp(6)) AS ts, CAST(t AS date) AS d, device, CAST(user_id AS bigint) AS user_id,
                    CAST(region AS varchar) AS region, CAST(amount AS decimal(12, 2)) AS amount, CAST(score AS integer) AS score
                FROM (VALUES %s) v(t, device, user_id, region, amount, score)""".formatted(values);
    }
}
