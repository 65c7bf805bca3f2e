package io.hybridlakehouse.harness;

import io.trino.jdbc.TrinoResultSet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static java.util.stream.Collectors.joining;

/**
 * Where the server spent the time of some queries, from {@code system.runtime.queries}: the
 * mean of each phase, in ms. A difference between two connectors in a small query shows here
 * as analysis (table handles and metadata), planning (filters and statistics) or the rest
 * (scheduling, splits, reading, returning rows).
 * <p>
 * The server records each phase in whole ms: over many queries the means resolve what one
 * query's figures cannot.
 */
record ServerPhases(double queued, double analysis, double planning, double rest)
{
    /**
     * The benchmark's server keeps the queries of the last 2 minutes (its {@code query.min-expire-age},
     * etc-catalog/bench-node) whatever their number, so a workload's queries are all there just after it ran.
     */
    static ServerPhases of(Statement statement, List<String> queryIds)
            throws SQLException
    {
        if (queryIds.isEmpty()) {
            throw new IllegalArgumentException("No queries to read the phases of");
        }
        String ids = queryIds.stream().map(id -> "'" + id + "'").collect(joining(", "));
        try (ResultSet resultSet = statement.executeQuery((
                "SELECT count(*), avg(queued_time_ms), avg(analysis_time_ms), avg(planning_time_ms), " +
                        "avg(to_milliseconds(\"end\" - created) - queued_time_ms - analysis_time_ms - planning_time_ms) " +
                        "FROM system.runtime.queries WHERE query_id IN (%s)").formatted(ids))) {
            resultSet.next();
            if (resultSet.getLong(1) != queryIds.size()) {
                throw new IllegalStateException("The server no longer lists %d of %d queries in system.runtime.queries".formatted(queryIds.size() - resultSet.getLong(1), queryIds.size()));
            }
            return new ServerPhases(resultSet.getDouble(2), resultSet.getDouble(3), resultSet.getDouble(4), resultSet.getDouble(5));
        }
    }

    /**
     * The id of the query that returned these results, which the caller has read to the end.
     */
    static String queryId(ResultSet resultSet)
            throws SQLException
    {
        return resultSet.unwrap(TrinoResultSet.class).getQueryId();
    }

    String compare(ServerPhases reference)
    {
        return "server phases, mean ms ours / reference: queued %.1f / %.1f, analysis %.1f / %.1f, planning %.1f / %.1f, scheduling to last row %.1f / %.1f".formatted(
                queued, reference.queued, analysis, reference.analysis, planning, reference.planning, rest, reference.rest);
    }

    Map<String, Double> figures(String side)
    {
        return Map.of(
                side + "_queued_ms", queued,
                side + "_analysis_ms", analysis,
                side + "_planning_ms", planning,
                side + "_scheduling_to_last_row_ms", rest);
    }
}
