package io.hybridlakehouse.harness;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading query results through the Trino JDBC driver: the benchmark, the soak, readiness checks and the end-to-end tests.
 */
final class JdbcResults
{
    private JdbcResults() {}

    static long scalar(Statement statement, String sql)
            throws SQLException
    {
        try (ResultSet resultSet = statement.executeQuery(sql)) {
            resultSet.next();
            return resultSet.getLong(1);
        }
    }

    /**
     * The first column of every row.
     */
    static List<String> strings(Statement statement, String sql)
            throws SQLException
    {
        List<String> values = new ArrayList<>();
        try (ResultSet resultSet = statement.executeQuery(sql)) {
            while (resultSet.next()) {
                values.add(resultSet.getString(1));
            }
        }
        return values;
    }

    /**
     * Every row, its columns joined by {@code |}.
     */
    static List<String> rows(Statement statement, String sql)
            throws SQLException
    {
        List<String> rows = new ArrayList<>();
        try (ResultSet resultSet = statement.executeQuery(sql)) {
            ResultSetMetaData metaData = resultSet.getMetaData();
            while (resultSet.next()) {
                StringBuilder row = new StringBuilder();
                for (int column = 1; column <= metaData.getColumnCount(); column++) {
                    row.append(column > 1 ? "|" : "").append(resultSet.getString(column));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
