package io.hybridlakehouse.plugin.metastore;

import io.trino.plugin.iceberg.catalog.jdbc.IcebergJdbcCatalogConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

public class TestPooledIcebergJdbcConnections
{
    @Test
    public void testConnectionsAreReusedAndLeftClean()
            throws Exception
    {
        Path database = Files.createTempDirectory("pooled-catalog").resolve("catalog.db");
        PooledIcebergJdbcConnections connections = new PooledIcebergJdbcConnections(new IcebergJdbcCatalogConfig()
                .setDriverClass("org.sqlite.JDBC")
                .setConnectionUrl("jdbc:sqlite:" + database)
                .setCatalogName("test"));

        Connection first = connections.openConnection();
        try (Statement statement = first.createStatement()) {
            statement.execute("CREATE TABLE t (x INTEGER)");
        }
        connections.closeConnection(first);
        Connection second = connections.openConnection();
        assertThat(second).isSameAs(first);

        // a transaction left open by a failed statement is rolled back before the connection is reused
        second.setAutoCommit(false);
        try (Statement statement = second.createStatement()) {
            statement.execute("INSERT INTO t VALUES (1)");
        }
        connections.closeConnection(second);
        Connection third = connections.openConnection();
        assertThat(third).isSameAs(first);
        assertThat(third.getAutoCommit()).isTrue();
        try (Statement statement = third.createStatement(); var rows = statement.executeQuery("SELECT count(*) FROM t")) {
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }

        // a closed connection is not handed out again
        third.close();
        connections.closeConnection(third);
        Connection fourth = connections.openConnection();
        assertThat(fourth).isNotSameAs(first);
        assertThat(fourth.isClosed()).isFalse();

        connections.closeConnection(fourth);
        connections.close();
        assertThat(fourth.isClosed()).isTrue();
        // after close, connections are closed on release rather than kept
        Connection fifth = connections.openConnection();
        connections.closeConnection(fifth);
        assertThat(fifth.isClosed()).isTrue();
    }
}
