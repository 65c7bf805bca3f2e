package io.hybridlakehouse.plugin.cache;

import com.google.common.base.Ticker;
import io.hybridlakehouse.cache.CachePolicy;
import io.hybridlakehouse.cache.HybridCacheConfig;
import io.hybridlakehouse.plugin.HybridConfig;
import io.hybridlakehouse.plugin.metadata.TableMode;
import io.hybridlakehouse.plugin.metadata.TableSettings;
import io.hybridlakehouse.plugin.metastore.MetastoreConnection;
import io.hybridlakehouse.plugin.metastore.MetastoreConnectionPool;
import io.hybridlakehouse.plugin.metastore.MetastoreMigrator;
import io.hybridlakehouse.plugin.segment.JdbcSegmentStore;
import io.hybridlakehouse.plugin.segment.SegmentStore;
import io.trino.spi.connector.SchemaTableName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

public class TestTableCachePolicies
{
    private static final String TABLE = "00000000-0000-0000-0000-000000000001";
    private static final SchemaTableName NAME = new SchemaTableName("s", "t");
    private static final String FILE = "local:///warehouse/t/data/f.parquet";

    @Test
    public void testChangesOfThisNodeAtOnceOthersAfterBackgroundReload(@TempDir Path directory)
            throws Exception
    {
        MetastoreConnection metastore = MetastoreConnection.fromConfig(new HybridConfig().setWarehouse(directory.toString()), Optional.of(directory));
        MetastoreMigrator.migrate(metastore);
        // two stores on one metastore: this node's, and another node's whose changes this node's counter does not see
        SegmentStore thisNode = new JdbcSegmentStore(new MetastoreConnectionPool(metastore, "lakehouse"));
        SegmentStore otherNode = new JdbcSegmentStore(new MetastoreConnectionPool(metastore, "lakehouse"));
        FakeTicker ticker = new FakeTicker();
        // a HOT table's partitions are listed on reload: the listing waits until the test lets it go on
        CountDownLatch listingStarted = new CountDownLatch(1);
        CountDownLatch listingMayEnd = new CountDownLatch(1);
        TableCachePolicies policies = new TableCachePolicies(thisNode, () -> {
            listingStarted.countDown();
            try {
                listingMayEnd.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("no file system in this test: the table has no partitions to list");
        }, new HybridCacheConfig().setDefaultPolicy(CachePolicy.ALL), ticker);
        try {
            assertThat(policies.policyFor(FILE).policy()).isEqualTo(CachePolicy.ALL);

            // created here: the next file opened goes by it
            thisNode.registerTable(TABLE, NAME, "local:///warehouse/t", settings(CachePolicy.NONE));
            assertThat(policies.policyFor(FILE).policy()).isEqualTo(CachePolicy.NONE);

            // changed elsewhere: kept until the refresh interval has passed
            otherNode.updateTable(TABLE, NAME, settings(CachePolicy.HOT));
            assertThat(policies.policyFor(FILE).policy()).isEqualTo(CachePolicy.NONE);
            ticker.advance(Duration.ofSeconds(6));
            // then reloaded in the background: files opened while the reload lists partitions go by the old policies at once
            assertThat(policies.policyFor(FILE).policy()).isEqualTo(CachePolicy.NONE);
            assertThat(listingStarted.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(policies.policyFor(FILE).policy()).isEqualTo(CachePolicy.NONE);
            listingMayEnd.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (policies.policyFor(FILE).policy() != CachePolicy.HOT && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(policies.policyFor(FILE)).isEqualTo(new TableCachePolicies.FilePolicy(CachePolicy.HOT, false));
        }
        finally {
            listingMayEnd.countDown();
            policies.stop();
        }
    }

    private static TableSettings settings(CachePolicy cache)
    {
        TableSettings hybrid = TableSettings.ofMode(TableMode.HYBRID);
        return new TableSettings(hybrid.mode(), hybrid.tierAfter(), hybrid.retention(), Optional.of(cache));
    }

    private static class FakeTicker
            extends Ticker
    {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read()
        {
            return nanos.get();
        }

        void advance(Duration duration)
        {
            nanos.addAndGet(duration.toNanos());
        }
    }
}
