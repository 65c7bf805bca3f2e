package io.hybridlakehouse.harness;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static com.google.common.base.Preconditions.checkArgument;
import static io.hybridlakehouse.harness.LatencyStatistics.percentile;
import static java.util.Objects.requireNonNull;

/**
 * Several clients appending to ONE table at the same time while a dashboard reads it: each
 * writer on its own connection runs a stream of 1,000-row INSERTs, one reader runs a BI-style
 * aggregation in a loop until the writers are done. An INSERT that fails (stock Iceberg's
 * optimistic commits conflict, and give up after their own retries) is counted and sent
 * again, as an application would; its latency includes the retries.
 */
final class ConcurrentAppendWorkload
{
    static final int WRITERS = 4;
    static final int ROWS_PER_INSERT = 1000;
    // far beyond what a conflict needs: more means the catalog cannot make progress at all
    private static final int MAX_ATTEMPTS = 20;

    /**
     * @param insertMillis latency of every INSERT as its client saw it, retries included
     * @param failedInserts attempts that failed and were sent again
     * @param firstFailure the message of the first failed attempt, empty if none failed
     */
    record Outcome(String table, List<Long> insertMillis, List<Long> readerMillis, int failedInserts, String firstFailure, long wallMillis, long rows)
    {
        Outcome
        {
            requireNonNull(table, "table is null");
            insertMillis = List.copyOf(insertMillis);
            readerMillis = List.copyOf(readerMillis);
            requireNonNull(firstFailure, "firstFailure is null");
        }

        double rowsPerSecond()
        {
            return rows * 1000.0 / Math.max(1, wallMillis);
        }

        double insertP50()
        {
            return percentile(insertMillis, 50);
        }

        double insertP99()
        {
            return percentile(insertMillis, 99);
        }

        double readerP50()
        {
            return percentile(readerMillis, 50);
        }
    }

    private record WriterStream(List<Long> insertMillis, int failedInserts, String firstFailure) {}

    private final LakehouseServer server;

    ConcurrentAppendWorkload(LakehouseServer server)
    {
        this.server = requireNonNull(server, "server is null");
    }

    /**
     * Runs the streams against {@code table}, which must exist and be empty, and checks that
     * it then holds exactly the rows of the INSERTs that succeeded.
     */
    Outcome run(String table, int insertsPerWriter)
            throws SQLException
    {
        checkArgument(insertsPerWriter > 0, "insertsPerWriter must be positive");
        String readerQuery = "SELECT region, count(*), sum(amount) FROM %s GROUP BY region".formatted(table);
        // every client connects first: the clock starts when all of them can send at once
        CountDownLatch connected = new CountDownLatch(WRITERS + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<WriterStream> streams = new ArrayList<>();
        List<Long> readerMillis;
        long wallMillis;
        try (ExecutorService executor = Executors.newFixedThreadPool(WRITERS + 1)) {
            List<Future<WriterStream>> writers = new ArrayList<>();
            for (int writer = 0; writer < WRITERS; writer++) {
                long firstRow = (long) writer * insertsPerWriter * ROWS_PER_INSERT;
                writers.add(executor.submit(() -> stream(table, firstRow, insertsPerWriter, connected, start)));
            }
            Future<List<Long>> reader = executor.submit(() -> read(readerQuery, writing, connected, start));
            try {
                await(connected);
                long begin = System.nanoTime();
                start.countDown();
                for (Future<WriterStream> writer : writers) {
                    streams.add(result(writer));
                }
                wallMillis = (System.nanoTime() - begin) / 1_000_000;
            }
            finally {
                // a failed writer must not leave the reader looping, nor the executor waiting for it
                start.countDown();
                writing.set(false);
            }
            readerMillis = result(reader);
        }

        List<Long> insertMillis = streams.stream().flatMap(stream -> stream.insertMillis().stream()).toList();
        long rows = (long) insertMillis.size() * ROWS_PER_INSERT;
        try (Connection connection = server.connect(); Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery("SELECT count(*) FROM " + table)) {
            resultSet.next();
            long count = resultSet.getLong(1);
            if (count != rows) {
                throw new IllegalStateException("%s holds %,d rows after %d successful INSERTs of %,d rows: expected %,d".formatted(table, count, insertMillis.size(), ROWS_PER_INSERT, rows));
            }
        }
        return new Outcome(
                table,
                insertMillis,
                readerMillis,
                streams.stream().mapToInt(WriterStream::failedInserts).sum(),
                streams.stream().map(WriterStream::firstFailure).filter(failure -> !failure.isEmpty()).findFirst().orElse(""),
                wallMillis,
                rows);
    }

    private WriterStream stream(String table, long firstRow, int inserts, CountDownLatch connected, CountDownLatch start)
            throws SQLException
    {
        List<Long> latencies = new ArrayList<>();
        int failed = 0;
        String firstFailure = "";
        try (Connection connection = connect(connected); Statement statement = connection.createStatement()) {
            await(start);
            for (int insert = 0; insert < inserts; insert++) {
                long from = firstRow + (long) insert * ROWS_PER_INSERT;
                String sql = "INSERT INTO %s %s".formatted(table, Benchmark.events(from, from + ROWS_PER_INSERT));
                long begin = System.nanoTime();
                for (int attempt = 1; ; attempt++) {
                    try {
                        statement.execute(sql);
                        break;
                    }
                    catch (SQLException e) {
                        if (attempt == MAX_ATTEMPTS) {
                            throw new SQLException("INSERT into %s failed %d times, the last: %s".formatted(table, attempt, e.getMessage()), e);
                        }
                        failed++;
                        if (firstFailure.isEmpty()) {
                            firstFailure = String.valueOf(e.getMessage());
                        }
                    }
                }
                latencies.add((System.nanoTime() - begin) / 1_000_000);
            }
        }
        return new WriterStream(latencies, failed, firstFailure);
    }

    private List<Long> read(String query, AtomicBoolean writing, CountDownLatch connected, CountDownLatch start)
            throws SQLException
    {
        List<Long> latencies = new ArrayList<>();
        try (Connection connection = connect(connected); Statement statement = connection.createStatement()) {
            await(start);
            // at least one read, however quickly the writers finish
            do {
                long begin = System.nanoTime();
                try (ResultSet resultSet = statement.executeQuery(query)) {
                    while (resultSet.next()) {
                        // consume every row, as a dashboard does
                    }
                }
                latencies.add((System.nanoTime() - begin) / 1_000_000);
            }
            while (writing.get());
        }
        return latencies;
    }

    private Connection connect(CountDownLatch connected)
            throws SQLException
    {
        try {
            return server.connect();
        }
        finally {
            // a client that cannot connect must not keep the others waiting for it: its failure ends the run
            connected.countDown();
        }
    }

    private static void await(CountDownLatch latch)
    {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the other clients", e);
        }
    }

    private static <T> T result(Future<T> future)
            throws SQLException
    {
        try {
            return future.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a client", e);
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sqlException) {
                throw sqlException;
            }
            if (e.getCause() instanceof RuntimeException runtimeException) {
                throw runtimeException;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
