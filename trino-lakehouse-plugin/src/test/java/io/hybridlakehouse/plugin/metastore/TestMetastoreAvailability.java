package io.hybridlakehouse.plugin.metastore;

import io.trino.spi.TrinoException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.Optional;

import static io.hybridlakehouse.plugin.HybridErrorCode.HYBRID_METASTORE_UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

public class TestMetastoreAvailability
{
    @Test
    public void testConnectionFailuresFoundInCauses()
    {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5432 refused", "08001");
        assertThat(MetastoreAvailability.connectionFailure(new RuntimeException("Cannot check and eventually update SQL schema", refused))).contains(refused);
        assertThat(MetastoreAvailability.connectionFailure(new SQLException("terminating connection due to administrator command", "57P01"))).isPresent();
        // Iceberg's pool after a failed reconnect
        assertThat(MetastoreAvailability.connectionFailure(new ClassCastException("Cannot cast org.postgresql.util.PSQLException to java.sql.SQLTransientException")))
                .map(SQLException::getSQLState).contains(MetastoreAvailability.CONNECTION_FAILURE_STATE);

        assertThat(MetastoreAvailability.connectionFailure(new SQLException("duplicate key", "23505"))).isEmpty();
        assertThat(MetastoreAvailability.connectionFailure(new SQLException("no state"))).isEmpty();
        assertThat(MetastoreAvailability.connectionFailure(new ClassCastException("class A cannot be cast to class B"))).isEmpty();
    }

    @Test
    public void testDamagedDatabasesFoundInCauses()
    {
        SQLException notADatabase = new SQLException("[SQLITE_NOTADB] File opened that is not a database file (file is not a database)");
        assertThat(MetastoreAvailability.damaged(new RuntimeException("Cannot check and eventually update SQL schema", notADatabase))).contains(notADatabase);
        assertThat(MetastoreAvailability.damaged(new SQLException("[SQLITE_CORRUPT] The database disk image is malformed"))).isPresent();
        assertThat(MetastoreAvailability.damaged(new SQLException("invalid page in block 4 of relation base/16384/16385", "XX001"))).isPresent();

        assertThat(MetastoreAvailability.damaged(new SQLException("[SQLITE_BUSY] The database file is locked"))).isEmpty();
        assertThat(MetastoreAvailability.damaged(new SQLException("Connection refused", "08001"))).isEmpty();
        assertThat(MetastoreAvailability.damaged(new SQLException("no state"))).isEmpty();
    }

    @Test
    public void testErrorNamesDatabaseWithoutCredentials()
    {
        MetastoreConnection metastore = new MetastoreConnection("jdbc:postgresql://db:5432/lakehouse?user=lakehouse&password=hunter2", "org.postgresql.Driver", Optional.of("lakehouse"), Optional.of("hunter2"));
        TrinoException error = MetastoreAvailability.unavailable("lakehouse", metastore, new SQLException("Connection refused\nmore detail", "08001"));
        assertThat(error.getErrorCode()).isEqualTo(HYBRID_METASTORE_UNAVAILABLE.toErrorCode());
        assertThat(error.getMessage())
                .contains("Catalog 'lakehouse': the metadata database jdbc:postgresql://db:5432/lakehouse?... cannot be reached (Connection refused)")
                .doesNotContain("hunter2", "more detail");
        assertThat(metastore.toString()).doesNotContain("hunter2");
    }
}
