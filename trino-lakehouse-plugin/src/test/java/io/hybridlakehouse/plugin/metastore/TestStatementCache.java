package io.hybridlakehouse.plugin.metastore;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestStatementCache
{
    private static final String COUNT = "SELECT count(*) FROM t";
    private static final String ROWS = "SELECT x FROM t ORDER BY x";

    @Test
    public void testStatementsAreReusedAndSeeLaterCommits()
            throws Exception
    {
        Path database = Files.createTempDirectory("statement-cache").resolve("metastore.db");
        String url = "jdbc:sqlite:" + database;
        try (Connection writer = DriverManager.getConnection(url);
                Statement setup = writer.createStatement()) {
            setup.execute("PRAGMA journal_mode=WAL");
            setup.execute("CREATE TABLE t (x INTEGER)");
            setup.execute("INSERT INTO t VALUES (1), (2)");
            StatementCache cache = new StatementCache();
            Connection raw = DriverManager.getConnection(url);
            Connection connection = cache.wrap(raw);

            PreparedStatement first = connection.prepareStatement(COUNT);
            PreparedStatement underlying = first.unwrap(PreparedStatement.class);
            assertThat(count(first)).isEqualTo(2);
            first.close();
            assertThat(first.isClosed()).isTrue();
            assertThatThrownBy(first::executeQuery).isInstanceOf(SQLException.class);

            // a result set read only in part, then closed with its statement: the statement is reset,
            // so the connection's next read sees rows committed since
            try (PreparedStatement rows = connection.prepareStatement(ROWS); ResultSet resultSet = rows.executeQuery()) {
                assertThat(resultSet.next()).isTrue();
            }
            try (PreparedStatement rows = connection.prepareStatement(ROWS)) {
                assertThat(rows.executeQuery().next()).isTrue();
                // the result set left open is closed with the statement
            }
            setup.execute("INSERT INTO t VALUES (3)");
            try (PreparedStatement again = cache.wrap(raw).prepareStatement(COUNT)) {
                assertThat(again.unwrap(PreparedStatement.class)).isSameAs(underlying);
                assertThat(count(again)).isEqualTo(3);
            }

            // the same SQL while its statement is in use gets a statement of its own
            try (PreparedStatement outer = connection.prepareStatement(ROWS); ResultSet rows = outer.executeQuery()) {
                int seen = 0;
                while (rows.next()) {
                    try (PreparedStatement inner = connection.prepareStatement(ROWS); ResultSet innerRows = inner.executeQuery()) {
                        assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(PreparedStatement.class));
                        assertThat(innerRows.next()).isTrue();
                        assertThat(innerRows.getInt(1)).isEqualTo(1);
                    }
                    seen++;
                }
                assertThat(seen).isEqualTo(3);
            }

            // parameters do not carry over to the next use
            try (PreparedStatement insert = connection.prepareStatement("SELECT count(*) FROM t WHERE x = ?")) {
                insert.setInt(1, 3);
                assertThat(count(insert)).isEqualTo(1);
            }
            try (PreparedStatement insert = connection.prepareStatement("SELECT count(*) FROM t WHERE x = ?")) {
                // SQLite binds a cleared parameter as NULL: no row is equal to it
                assertThat(count(insert)).isZero();
            }

            // a statement whose settings changed is not handed on with them
            PreparedStatement limited = connection.prepareStatement(ROWS);
            PreparedStatement limitedUnderlying = limited.unwrap(PreparedStatement.class);
            limited.setMaxRows(1);
            limited.close();
            assertThat(limitedUnderlying.isClosed()).isTrue();
            try (PreparedStatement rows = connection.prepareStatement(ROWS); ResultSet resultSet = rows.executeQuery()) {
                int seen = 0;
                while (resultSet.next()) {
                    seen++;
                }
                assertThat(seen).isEqualTo(3);
            }

            // a closed connection's statements are not reused by its replacement
            raw.close();
            Connection replacement = cache.wrap(DriverManager.getConnection(url));
            try (PreparedStatement fresh = replacement.prepareStatement(COUNT)) {
                assertThat(fresh.unwrap(PreparedStatement.class)).isNotSameAs(underlying);
                assertThat(count(fresh)).isEqualTo(3);
            }
            replacement.close();
        }
    }

    @Test
    public void testPoolOfTheEmbeddedDatabaseReusesStatements()
            throws Exception
    {
        Path database = Files.createTempDirectory("statement-cache-pool").resolve("metastore.db");
        MetastoreConnection metastore = new MetastoreConnection("jdbc:sqlite:" + database, "org.sqlite.JDBC", Optional.empty(), Optional.empty());
        try (MetastoreConnectionPool pool = new MetastoreConnectionPool(metastore, "test")) {
            pool.run(connection -> {
                try (Statement statement = connection.createStatement()) {
                    return statement.execute("CREATE TABLE t (x INTEGER)");
                }
            });
            PreparedStatement first = pool.run(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(COUNT)) {
                    count(statement);
                    return statement.unwrap(PreparedStatement.class);
                }
            });
            PreparedStatement second = pool.run(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(COUNT)) {
                    count(statement);
                    return statement.unwrap(PreparedStatement.class);
                }
            });
            assertThat(second).isSameAs(first);
        }
    }

    private static int count(PreparedStatement statement)
            throws SQLException
    {
        try (ResultSet resultSet = statement.executeQuery()) {
            assertThat(resultSet.next()).isTrue();
            return resultSet.getInt(1);
        }
    }
}
