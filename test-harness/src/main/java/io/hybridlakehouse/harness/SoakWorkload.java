package io.hybridlakehouse.harness;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.google.common.base.Preconditions.checkArgument;
import static io.hybridlakehouse.harness.JdbcResults.rows;
import static io.hybridlakehouse.harness.JdbcResults.scalar;
import static io.hybridlakehouse.harness.JdbcResults.strings;
import static io.hybridlakehouse.harness.LatencyStatistics.percentile;
import static java.util.Objects.requireNonNull;

/**
 * A bounded soak of one server: for a given time, {@value #WRITERS} concurrent INSERT streams
 * into two hybrid tables (one the base of a synchronous materialized view), {@value #READERS}
 * readers running BI-style queries in a loop, and a maintenance loop alternating
 * {@code compact_segments} and {@code tier_table}, so data moves between tiers while it is
 * written and read. Every INSERT carries a unique (stream, batch) id and a number of rows and
 * an amount derived from it, so what the tables hold can be checked batch by batch at the end.
 *
 * <p>An INSERT failing with an error that says nothing was committed (a commit conflict,
 * SQLite busy past its timeout) is sent again with the same batch id: were the failure a lie,
 * the batch would then be there twice. Any other failure is a hard failure; one the client
 * could not get an answer for has an unknown outcome, and only such a batch may be present
 * without an acknowledgement. Readers check what can be checked while the load runs: the rows
 * they count never decrease, never fall below what was acknowledged before the query started,
 * a point lookup of an acknowledged batch returns exactly its rows, and no batch is ever seen
 * partially. At the end: every batch exactly once with exactly its rows, the view equal to its
 * defining query, and the same aggregates before and after tiering everything.
 */
public final class SoakWorkload
{
    static final int WRITERS = 4;
    static final int READERS = 2;
    static final String EVENTS = "soak_events";
    static final String CLICKS = "soak_clicks";
    static final String VIEW = "soak_events_daily";
    // beyond this many retryable failures of one batch, the catalog is not making progress: a hard failure
    private static final int MAX_ATTEMPTS = 10;
    private static final int FINAL_TIERING_ATTEMPTS = 10;
    // a hung server must fail the run, not hang it
    private static final int QUERY_TIMEOUT_SECONDS = 600;
    private static final int MAX_PROBLEMS = 20;
    private static final Pattern QUERY_ID = Pattern.compile("Query failed \\(#([0-9a-z_]+)\\)");
    // errors by which the engine or the connector say that nothing was committed and the statement may be sent again
    private static final Set<String> RETRYABLE_ERRORS = Set.of("HYBRID_COMMIT_ERROR", "TRANSACTION_CONFLICT");
    private static final Pattern RETRYABLE_MESSAGE = Pattern.compile("(?i)SQLITE_BUSY|SQLITE_LOCKED|database is locked|could not serialize|deadlock detected|run (it|the statement) again");
    private static final String EVENTS_VIEW_DEFINITION = "SELECT day, kind, count(*) AS events, sum(amount) AS amount FROM %s GROUP BY day, kind";

    /**
     * @param schema a schema of catalog {@code lakehouse} the run creates afresh (dropping what an earlier run left in it)
     * @param maintenanceInterval pause between two maintenance steps; steps alternate between compaction and tiering
     * @param progressInterval how often progress is reported while the load runs
     */
    public record Options(String label, String schema, Duration duration, Duration maintenanceInterval, Duration progressInterval)
    {
        public Options
        {
            requireNonNull(label, "label is null");
            requireNonNull(schema, "schema is null");
            checkArgument(schema.matches("[a-z][a-z0-9_]*"), "schema must be a plain lower-case name: %s", schema);
            checkArgument(!duration.isNegative() && !duration.isZero(), "duration must be positive");
            requireNonNull(maintenanceInterval, "maintenanceInterval is null");
            requireNonNull(progressInterval, "progressInterval is null");
        }

        public Options(String label, Duration duration)
        {
            this(label, "soak", duration, Duration.ofSeconds(3), Duration.ofSeconds(10));
        }
    }

    /**
     * Latencies of one kind of reader query.
     */
    public record QueryFigures(String query, long runs, double p50Millis, double p99Millis, long failures)
    {
        public QueryFigures
        {
            requireNonNull(query, "query is null");
        }
    }

    /**
     * @param problems what was wrong, at most {@value #MAX_PROBLEMS}; empty when exact
     * @param unknownOutcomeBatches batches whose INSERT got no answer: each may be present with all its rows, or absent
     * @param aggregatesBeforeTiering the rows of the check aggregates before the final tiering, their digest
     */
    public record Exactness(
            boolean exact,
            long batchesChecked,
            long rowsChecked,
            long unknownOutcomeBatches,
            long unknownOutcomeBatchesPresent,
            boolean viewMatchesDefinition,
            boolean aggregatesSameAfterTiering,
            long hotSegmentsAfterTiering,
            List<String> problems)
    {
        public Exactness
        {
            problems = ImmutableList.copyOf(problems);
        }
    }

    /**
     * What a run did and found. Rows per second are those of acknowledged INSERTs over the load phase.
     *
     * @param retriedInserts INSERT attempts that failed with a retryable error and were sent again with the same batch id
     * @param insertErrors failed INSERT attempts by error name, retried or not
     * @param hardFailures INSERTs that failed for good (not retryable, or retried {@value #MAX_ATTEMPTS} times)
     * @param viewRewriteHits reader queries on the base the connector answered from the view
     * @param queryFailures reader queries that failed
     * @param invariantViolations reader observations that contradict the acknowledged INSERTs
     * @param compactionFailures and {@code tieringFailures}: failed runs, retryable or not; {@code maintenanceHardFailures} the not retryable ones
     */
    public record Outcome(
            String label,
            long durationMillis,
            long insertsAcknowledged,
            long rowsAcknowledged,
            double rowsPerSecond,
            double insertsPerSecond,
            double insertP50Millis,
            double insertP99Millis,
            double insertMaxMillis,
            long queries,
            double queryP50Millis,
            double queryP99Millis,
            List<QueryFigures> queryFigures,
            long viewRewriteHits,
            long retriedInserts,
            String firstRetryMessage,
            Map<String, Long> insertErrors,
            long hardFailures,
            String firstHardFailure,
            long queryFailures,
            String firstQueryFailure,
            long invariantViolations,
            String firstInvariantViolation,
            long compactions,
            long compactionFailures,
            long tierings,
            long tieringFailures,
            long maintenanceHardFailures,
            String firstMaintenanceFailure,
            Exactness exactness)
    {
        public Outcome
        {
            requireNonNull(label, "label is null");
            queryFigures = ImmutableList.copyOf(queryFigures);
            insertErrors = ImmutableMap.copyOf(insertErrors);
            requireNonNull(firstRetryMessage, "firstRetryMessage is null");
            requireNonNull(firstHardFailure, "firstHardFailure is null");
            requireNonNull(firstQueryFailure, "firstQueryFailure is null");
            requireNonNull(firstInvariantViolation, "firstInvariantViolation is null");
            requireNonNull(firstMaintenanceFailure, "firstMaintenanceFailure is null");
            requireNonNull(exactness, "exactness is null");
        }

        /**
         * Exact, and nothing failed that a user would have to deal with beyond sending a statement again.
         */
        public boolean passed()
        {
            return exactness.exact() && hardFailures == 0 && queryFailures == 0 && invariantViolations == 0 && maintenanceHardFailures == 0;
        }

        public String verdict()
        {
            List<String> reasons = new ArrayList<>();
            if (!exactness.exact()) {
                reasons.add("not exact: " + String.join("; ", exactness.problems()));
            }
            if (hardFailures > 0) {
                reasons.add("%d INSERTs failed hard, the first: %s".formatted(hardFailures, firstHardFailure));
            }
            if (queryFailures > 0) {
                reasons.add("%d reader queries failed, the first: %s".formatted(queryFailures, firstQueryFailure));
            }
            if (invariantViolations > 0) {
                reasons.add("%d reader invariant violations, the first: %s".formatted(invariantViolations, firstInvariantViolation));
            }
            if (maintenanceHardFailures > 0) {
                reasons.add("%d compaction/tiering runs failed with an error that is not retryable, the first: %s".formatted(maintenanceHardFailures, firstMaintenanceFailure));
            }
            return reasons.isEmpty() ? "PASSED" : "FAILED: " + String.join(" | ", reasons);
        }
    }

    /**
     * One INSERT of the run: its table, its id, its rows and the sum of their amounts in cents.
     */
    record Batch(String table, int stream, long batch)
    {
        static Batch of(int stream, long batch)
        {
            // each stream alternates between the two tables
            return new Batch(batch % 2 == 0 ? EVENTS : CLICKS, stream, batch);
        }

        int rows()
        {
            return rows(stream, batch);
        }

        static int rows(long stream, long batch)
        {
            return 250 + (int) ((batch * 37 + stream * 11) % 500);
        }

        /**
         * Row {@code x} (1-based) has amount {@code cents(x) / 100}; the same formula is in the INSERT.
         */
        long amountCents()
        {
            long sum = 0;
            for (long x = 1; x <= rows(); x++) {
                sum += (stream * 7919L + batch * 104729L + x * 31) % 100_000;
            }
            return sum;
        }

        String insertSql(String schema)
        {
            String cents = "(%d * 7919 + %d * 104729 + x * 31) %% 100000".formatted(stream, batch);
            String amount = "CAST(CAST(%s AS decimal(12, 0)) * DECIMAL '0.01' AS decimal(12, 2))".formatted(cents);
            if (table.equals(EVENTS)) {
                return """
                        INSERT INTO lakehouse.%s.%s
                        SELECT %d, BIGINT '%d', CAST(x AS integer), date_add('day', x %% 4, DATE '2026-06-01'),
                            element_at(ARRAY['view', 'click', 'like', 'share', 'pay'], CAST(x %% 5 AS integer) + 1),
                            (x * 7 + %d) %% 5000, %s
                        FROM UNNEST(sequence(1, %d)) AS t(x)""".formatted(schema, table, stream, batch, batch, amount, rows());
            }
            return """
                    INSERT INTO lakehouse.%s.%s
                    SELECT %d, BIGINT '%d', CAST(x AS integer), date_add('second', x * 37 + %d, TIMESTAMP '2026-06-01 00:00:00.000000'),
                        element_at(ARRAY['guangdong', 'beijing', 'shanghai', 'zhejiang', 'sichuan', 'overseas'], CAST((x + %d) %% 6 AS integer) + 1),
                        (x * 13 + %d) %% 20000, %s
                    FROM UNNEST(sequence(1, %d)) AS t(x)""".formatted(schema, table, stream, batch, batch % 86400, stream, batch, amount, rows());
        }

        String id()
        {
            return "%s (stream %d, batch %d)".formatted(table, stream, batch);
        }
    }

    /**
     * A failed statement as the soak sees it: its error name (looked up by query id), whether it
     * may be sent again, and whether the server answered at all.
     */
    private record Failure(String errorName, String message, boolean retryable, boolean unknownOutcome)
    {
        String describe()
        {
            return "%s: %s".formatted(errorName, message);
        }
    }

    /**
     * A reader query: {@code countedTable} when its rows' {@code countColumn} sums to the rows of
     * that table the query saw, which must then not decrease and must cover what was acknowledged.
     */
    private record BiQuery(String name, String sql, Optional<String> countedTable, int countColumn) {}

    private final LakehouseServer server;
    private final Options options;
    private final LakehouseServer.ProgressListener progress;

    // shared by the clients while the load runs
    private final AtomicBoolean loadRunning = new AtomicBoolean(true);
    private final List<Batch> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final Set<Batch> unknownOutcome = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> acknowledgedRows = Map.of(EVENTS, new AtomicLong(), CLICKS, new AtomicLong());
    private final List<Long> insertMillis = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, List<Long>> queryMillis = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> queryFailuresByName = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> insertErrors = new ConcurrentHashMap<>();
    private final Counter retried = new Counter();
    private final Counter hardFailures = new Counter();
    private final Counter queryFailures = new Counter();
    private final Counter invariantViolations = new Counter();
    private final Counter maintenanceFailures = new Counter();
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong compactionFailures = new AtomicLong();
    private final AtomicLong tierings = new AtomicLong();
    private final AtomicLong tieringFailures = new AtomicLong();
    private final AtomicLong maintenanceHardFailures = new AtomicLong();

    public SoakWorkload(LakehouseServer server, Options options, LakehouseServer.ProgressListener progress)
    {
        this.server = requireNonNull(server, "server is null");
        this.options = requireNonNull(options, "options is null");
        this.progress = requireNonNull(progress, "progress is null");
    }

    public Outcome run()
            throws SQLException, InterruptedException
    {
        List<String> stateTables = createTables();
        List<String> maintained = ImmutableList.<String>builder().add(EVENTS, CLICKS).addAll(stateTables).build();
        progress.step("%s: %d INSERT streams into %s.%s (base of view %s) and %s.%s, %d readers, compaction and tiering of %s every %d s, for %d s".formatted(
                options.label(), WRITERS, options.schema(), EVENTS, VIEW, options.schema(), CLICKS, READERS, String.join(", ", maintained),
                options.maintenanceInterval().toSeconds(), options.duration().toSeconds()));

        long begin = System.nanoTime();
        long deadline = begin + options.duration().toNanos();
        long loadMillis;
        try (ExecutorService executor = Executors.newFixedThreadPool(WRITERS + READERS + 1)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int stream = 0; stream < WRITERS; stream++) {
                int writer = stream;
                writers.add(executor.submit(() -> write(writer, deadline)));
            }
            List<Future<?>> others = new ArrayList<>();
            for (int reader = 0; reader < READERS; reader++) {
                int offset = reader;
                others.add(executor.submit(() -> read(offset)));
            }
            others.add(executor.submit(() -> maintain(maintained, deadline)));
            try {
                long nextReport = begin + options.progressInterval().toNanos();
                for (Future<?> writer : writers) {
                    while (!done(writer, nextReport)) {
                        reportProgress(begin);
                        nextReport += options.progressInterval().toNanos();
                    }
                }
                loadMillis = (System.nanoTime() - begin) / 1_000_000;
            }
            finally {
                // readers and maintenance run as long as the writers do; a failed writer ends them too
                loadRunning.set(false);
            }
            for (Future<?> other : others) {
                done(other, Long.MAX_VALUE);
            }
        }
        reportProgress(begin);
        progress.step("%s: load stopped after %.1f s; checking exactness".formatted(options.label(), loadMillis / 1000.0));
        long rewriteHits;
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            rewriteHits = scalar(statement, "SELECT coalesce(sum(queries), 0) FROM lakehouse.system.mv_rewrites WHERE view_schema = '%s' AND outcome = 'hit'".formatted(options.schema()));
        }
        Exactness exactness = checkExactness(stateTables);
        return outcome(loadMillis, rewriteHits, exactness);
    }

    /**
     * The schema afresh, the two tables and the view; returns the view's state tables, which
     * tier and compact like any table.
     */
    private List<String> createTables()
            throws SQLException
    {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            String schema = "lakehouse." + options.schema();
            // the view goes first: a base with views cannot be dropped
            statement.execute("DROP MATERIALIZED VIEW IF EXISTS %s.%s".formatted(schema, VIEW));
            statement.execute("DROP TABLE IF EXISTS %s.%s".formatted(schema, EVENTS));
            statement.execute("DROP TABLE IF EXISTS %s.%s".formatted(schema, CLICKS));
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            // tier_after lets the background service tier as well, beside the explicit calls
            statement.execute("""
                    CREATE TABLE %s.%s (stream integer, batch bigint, seq integer, day date, kind varchar, user_id bigint, amount decimal(12, 2))
                    WITH (partitioning = ARRAY['day'], tier_after = '30s')""".formatted(schema, EVENTS));
            statement.execute("""
                    CREATE TABLE %s.%s (stream integer, batch bigint, seq integer, ts timestamp(6), region varchar, user_id bigint, amount decimal(12, 2))
                    WITH (partitioning = ARRAY['day(ts)'], tier_after = '30s')""".formatted(schema, CLICKS));
            statement.execute("CREATE MATERIALIZED VIEW %s.%s AS %s".formatted(schema, VIEW, EVENTS_VIEW_DEFINITION.formatted(schema + "." + EVENTS)));
            return strings(statement, "SELECT table_name FROM lakehouse.system.tiering_status WHERE table_schema = '%s' AND table_name NOT IN ('%s', '%s') ORDER BY table_name"
                    .formatted(options.schema(), EVENTS, CLICKS));
        }
    }

    private void write(int stream, long deadline)
    {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (long batchId = 0; System.nanoTime() < deadline; batchId++) {
                Batch batch = Batch.of(stream, batchId);
                String sql = batch.insertSql(options.schema());
                long begin = System.nanoTime();
                for (int attempt = 1; ; attempt++) {
                    try {
                        statement.execute(sql);
                        insertMillis.add((System.nanoTime() - begin) / 1_000_000);
                        acknowledgedRows.get(batch.table()).addAndGet(batch.rows());
                        acknowledged.add(batch);
                        break;
                    }
                    catch (SQLException e) {
                        Failure failure = classify(statement, e);
                        insertErrors.computeIfAbsent(failure.errorName(), _ -> new AtomicLong()).incrementAndGet();
                        if (failure.retryable() && attempt < MAX_ATTEMPTS) {
                            retried.add("%s, attempt %d: %s".formatted(batch.id(), attempt, failure.describe()));
                            sleep(50L * attempt);
                            continue;
                        }
                        if (failure.unknownOutcome()) {
                            unknownOutcome.add(batch);
                        }
                        hardFailures.add("%s, attempt %d%s: %s".formatted(batch.id(), attempt, failure.retryable() ? " (retryable, gave up)" : "", failure.describe()));
                        break;
                    }
                }
            }
        }
        catch (SQLException e) {
            hardFailures.add("writer %d could not connect: %s".formatted(stream, e.getMessage()));
        }
    }

    private void read(int reader)
    {
        String schema = "lakehouse." + options.schema();
        String events = schema + "." + EVENTS;
        String clicks = schema + "." + CLICKS;
        List<BiQuery> queries = List.of(
                // grouping keys and aggregates of the view: the connector may answer from it
                new BiQuery("roll-up by kind", "SELECT kind, count(*), sum(amount) FROM %s GROUP BY kind".formatted(events), Optional.of(EVENTS), 2),
                new BiQuery("daily chart, two days", "SELECT day, count(*), sum(amount) FROM %s WHERE day BETWEEN DATE '2026-06-02' AND DATE '2026-06-03' GROUP BY day ORDER BY day".formatted(events), Optional.empty(), 0),
                new BiQuery("point lookup", "", Optional.empty(), 0),
                new BiQuery("count", "SELECT count(*) FROM " + clicks, Optional.of(CLICKS), 1),
                new BiQuery("view read", "SELECT sum(events), sum(amount) FROM %s.%s".formatted(schema, VIEW), Optional.of(EVENTS), 1),
                new BiQuery("regions with users", "SELECT region, count(*), approx_distinct(user_id) FROM %s GROUP BY region".formatted(clicks), Optional.of(CLICKS), 2),
                new BiQuery("batches intact: events", intactBatches(events), Optional.of(EVENTS), 3),
                new BiQuery("top users, one day", "SELECT user_id, sum(amount) FROM %s WHERE ts >= TIMESTAMP '2026-06-01 00:00:00' AND ts < TIMESTAMP '2026-06-02 00:00:00' GROUP BY user_id ORDER BY 2 DESC LIMIT 10".formatted(clicks), Optional.empty(), 0),
                new BiQuery("batches intact: clicks", intactBatches(clicks), Optional.of(CLICKS), 3));
        Map<String, Long> lastSeen = new HashMap<>();
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            // at least one round, however short the run
            for (int round = 0; round == 0 || loadRunning.get(); round++) {
                BiQuery query = queries.get((round + reader * queries.size() / READERS) % queries.size());
                try {
                    if (query.name().equals("point lookup")) {
                        pointLookup(statement, reader);
                    }
                    else {
                        run(statement, query, reader, lastSeen);
                    }
                }
                catch (SQLException e) {
                    queryFailures.add("reader %d, %s: %s".formatted(reader, query.name(), classify(statement, e).describe()));
                    queryFailuresByName.computeIfAbsent(query.name(), _ -> new AtomicLong()).incrementAndGet();
                }
            }
        }
        catch (SQLException e) {
            queryFailures.add("reader %d could not connect: %s".formatted(reader, e.getMessage()));
        }
    }

    /**
     * Batches seen with another number of rows than their own (partially, or twice), batches,
     * rows: the first must stay 0 at every instant.
     */
    private static String intactBatches(String table)
    {
        return "SELECT count_if(n <> 250 + (batch * 37 + stream * 11) %% 500), count(*), coalesce(sum(n), 0) FROM (SELECT stream, batch, count(*) AS n FROM %s GROUP BY stream, batch)".formatted(table);
    }

    private void run(Statement statement, BiQuery query, int reader, Map<String, Long> lastSeen)
            throws SQLException
    {
        long floor = query.countedTable().map(table -> acknowledgedRows.get(table).get()).orElse(0L);
        long begin = System.nanoTime();
        long counted = 0;
        long brokenBatches = 0;
        try (ResultSet resultSet = statement.executeQuery(query.sql())) {
            while (resultSet.next()) {
                if (query.countColumn() > 0) {
                    counted += resultSet.getLong(query.countColumn());
                }
                if (query.name().startsWith("batches intact")) {
                    brokenBatches = resultSet.getLong(1);
                }
            }
        }
        recordQuery(query.name(), begin);
        if (brokenBatches > 0) {
            invariantViolations.add("reader %d, %s: %d batches seen with another number of rows than they were INSERTed with".formatted(reader, query.name(), brokenBatches));
        }
        if (query.countedTable().isPresent()) {
            String table = query.countedTable().get();
            if (counted < floor) {
                invariantViolations.add("reader %d, %s: saw %,d rows of %s, but %,d were acknowledged before the query started".formatted(reader, query.name(), counted, table, floor));
            }
            Long previous = lastSeen.put(table, counted);
            if (previous != null && counted < previous) {
                invariantViolations.add("reader %d, %s: saw %,d rows of %s after an earlier query saw %,d".formatted(reader, query.name(), counted, table, previous));
            }
        }
    }

    /**
     * An acknowledged batch, looked up by its id: exactly its rows and its amount.
     */
    private void pointLookup(Statement statement, int reader)
            throws SQLException
    {
        Batch batch;
        synchronized (acknowledged) {
            if (acknowledged.isEmpty()) {
                return;
            }
            batch = acknowledged.get(ThreadLocalRandom.current().nextInt(acknowledged.size()));
        }
        long begin = System.nanoTime();
        long rows;
        BigDecimal amount;
        try (ResultSet resultSet = statement.executeQuery("SELECT count(*), sum(amount) FROM lakehouse.%s.%s WHERE stream = %d AND batch = %d".formatted(
                options.schema(), batch.table(), batch.stream(), batch.batch()))) {
            resultSet.next();
            rows = resultSet.getLong(1);
            amount = resultSet.getBigDecimal(2);
        }
        recordQuery("point lookup", begin);
        BigDecimal expected = BigDecimal.valueOf(batch.amountCents(), 2);
        if (rows != batch.rows() || amount == null || amount.compareTo(expected) != 0) {
            invariantViolations.add("reader %d, point lookup of acknowledged %s: %d rows, amount %s; expected %d rows, amount %s".formatted(reader, batch.id(), rows, amount, batch.rows(), expected));
        }
    }

    private void recordQuery(String name, long beginNanos)
    {
        queryMillis.computeIfAbsent(name, _ -> Collections.synchronizedList(new ArrayList<>())).add((System.nanoTime() - beginNanos) / 1_000_000);
    }

    /**
     * Compaction of every maintained table, then tiering of every one, and so on, a step every
     * maintenance interval until the load stops.
     */
    private void maintain(List<String> tables, long deadline)
    {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            for (int step = 0; loadRunning.get() && System.nanoTime() < deadline; step++) {
                sleep(options.maintenanceInterval().toMillis());
                boolean compaction = step % 2 == 0;
                for (String table : tables) {
                    String procedure = compaction ? "compact_segments" : "tier_table";
                    try {
                        statement.execute("CALL lakehouse.system.%s('%s', '%s')".formatted(procedure, options.schema(), table));
                        (compaction ? compactions : tierings).incrementAndGet();
                    }
                    catch (SQLException e) {
                        Failure failure = classify(statement, e);
                        (compaction ? compactionFailures : tieringFailures).incrementAndGet();
                        maintenanceFailures.add("%s of %s: %s".formatted(procedure, table, failure.describe()));
                        if (!failure.retryable()) {
                            maintenanceHardFailures.incrementAndGet();
                        }
                    }
                }
            }
        }
        catch (SQLException e) {
            maintenanceHardFailures.incrementAndGet();
            maintenanceFailures.add("maintenance could not connect: " + e.getMessage());
        }
    }

    private void reportProgress(long beginNanos)
    {
        double seconds = (System.nanoTime() - beginNanos) / 1e9;
        long rows = acknowledgedRows.values().stream().mapToLong(AtomicLong::get).sum();
        List<Long> queries = queryMillis.values().stream().flatMap(latencies -> {
            synchronized (latencies) {
                return List.copyOf(latencies).stream();
            }
        }).toList();
        progress.step("%s %4.0fs: %,d INSERTs acknowledged (%,d rows, %,.0f rows/s), %d retried, %d hard failures; %,d queries (p50 %s ms), %d failed, %d invariant violations; %d compactions, %d tierings, %d maintenance failures".formatted(
                options.label(), seconds, acknowledged.size(), rows, rows / Math.max(seconds, 0.001), retried.count(), hardFailures.count(),
                queries.size(), queries.isEmpty() ? "-" : "%.0f".formatted(percentile(queries, 50)), queryFailures.count(), invariantViolations.count(),
                compactions.get(), tierings.get(), maintenanceFailures.count()));
    }

    /**
     * After the load: each table batch by batch, the view against its definition, the
     * aggregates before and after tiering everything (and the batches and the view again after).
     */
    private Exactness checkExactness(List<String> stateTables)
            throws SQLException, InterruptedException
    {
        List<String> problems = new ArrayList<>();
        String schema = "lakehouse." + options.schema();
        List<String> aggregates = List.of(
                "SELECT day, kind, count(*), sum(amount) FROM %s.%s GROUP BY day, kind ORDER BY day, kind".formatted(schema, EVENTS),
                "SELECT kind, count(*), sum(amount) FROM %s.%s GROUP BY kind ORDER BY kind".formatted(schema, EVENTS),
                "SELECT date(ts), region, count(*), sum(amount), count(DISTINCT user_id) FROM %s.%s GROUP BY 1, 2 ORDER BY 1, 2".formatted(schema, CLICKS));
        BatchCheck batches;
        boolean viewMatches;
        boolean sameAfterTiering;
        long hotSegments = 0;
        // without the rewrite, so that the base is read and the view checked against it
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            statement.execute("SET SESSION lakehouse.mv_rewrite_enabled = false");
            batches = checkBatches(statement, problems, "after the load");
            viewMatches = checkView(statement, problems, "after the load");
            Map<String, List<String>> before = new LinkedHashMap<>();
            try (Connection rewriting = server.connect(); Statement withRewrite = rewriting.createStatement()) {
                for (String aggregate : aggregates) {
                    before.put(aggregate, rows(statement, aggregate));
                    List<String> answered = rows(withRewrite, aggregate);
                    if (!answered.equals(before.get(aggregate))) {
                        problems.add("with the rewrite on, %s returns %d rows that differ from the base's: %s".formatted(aggregate, answered.size(), firstDifference(before.get(aggregate), answered)));
                    }
                }
            }

            for (String table : ImmutableList.<String>builder().add(EVENTS, CLICKS).addAll(stateTables).build()) {
                tierFinally(statement, table, problems);
            }
            hotSegments = scalar(statement, "SELECT coalesce(sum(hot_segments), 0) FROM lakehouse.system.tiering_status WHERE table_schema = '%s'".formatted(options.schema()));
            if (hotSegments > 0) {
                problems.add("%d hot segments left after tier_table of every table".formatted(hotSegments));
            }
            sameAfterTiering = true;
            try (Connection rewriting = server.connect(); Statement withRewrite = rewriting.createStatement()) {
                for (String aggregate : aggregates) {
                    for (Statement reading : List.of(statement, withRewrite)) {
                        List<String> after = rows(reading, aggregate);
                        if (!after.equals(before.get(aggregate))) {
                            sameAfterTiering = false;
                            problems.add("%s differs after tiering everything%s: %s".formatted(aggregate, reading == withRewrite ? " (rewrite on)" : "", firstDifference(before.get(aggregate), after)));
                        }
                    }
                }
            }
            BatchCheck afterTiering = checkBatches(statement, problems, "after tiering everything");
            if (afterTiering.rows() != batches.rows()) {
                problems.add("%,d rows after tiering everything, %,d before".formatted(afterTiering.rows(), batches.rows()));
            }
            viewMatches &= checkView(statement, problems, "after tiering everything");
        }
        List<String> reported = problems.size() <= MAX_PROBLEMS ? problems
                : ImmutableList.<String>builder().addAll(problems.subList(0, MAX_PROBLEMS)).add("... %d more".formatted(problems.size() - MAX_PROBLEMS)).build();
        return new Exactness(problems.isEmpty(), batches.batches(), batches.rows(), unknownOutcome.size(), batches.unknownPresent(), viewMatches, sameAfterTiering, hotSegments, reported);
    }

    private record BatchCheck(long batches, long rows, long unknownPresent) {}

    /**
     * Every acknowledged batch once with exactly its rows and amount; nothing else, but for
     * batches with an unknown outcome, which may be there whole.
     */
    private BatchCheck checkBatches(Statement statement, List<String> problems, String when)
            throws SQLException
    {
        Map<Batch, Batch> expected = new HashMap<>();
        synchronized (acknowledged) {
            for (Batch batch : acknowledged) {
                expected.put(batch, batch);
            }
        }
        long batches = 0;
        long rows = 0;
        long unknownPresent = 0;
        Set<Batch> seen = new HashSet<>();
        for (String table : List.of(EVENTS, CLICKS)) {
            try (ResultSet resultSet = statement.executeQuery("SELECT stream, batch, count(*), sum(amount) FROM lakehouse.%s.%s GROUP BY stream, batch".formatted(options.schema(), table))) {
                while (resultSet.next()) {
                    Batch batch = new Batch(table, resultSet.getInt(1), resultSet.getLong(2));
                    long count = resultSet.getLong(3);
                    BigDecimal amount = resultSet.getBigDecimal(4);
                    batches++;
                    rows += count;
                    seen.add(batch);
                    boolean whole = count == batch.rows() && amount.compareTo(BigDecimal.valueOf(batch.amountCents(), 2)) == 0;
                    if (expected.containsKey(batch)) {
                        if (!whole) {
                            problems.add("%s: acknowledged %s holds %d rows, amount %s; expected %d rows, amount %s".formatted(
                                    when, batch.id(), count, amount, batch.rows(), BigDecimal.valueOf(batch.amountCents(), 2)));
                        }
                    }
                    else if (unknownOutcome.contains(batch)) {
                        unknownPresent++;
                        if (!whole) {
                            problems.add("%s: %s, whose INSERT got no answer, is there partially: %d of %d rows".formatted(when, batch.id(), count, batch.rows()));
                        }
                    }
                    else {
                        problems.add("%s: %s is there (%d rows) but its INSERT was never acknowledged".formatted(when, batch.id(), count));
                    }
                }
            }
        }
        List<Batch> missing = expected.keySet().stream().filter(batch -> !seen.contains(batch)).toList();
        if (!missing.isEmpty()) {
            problems.add("%s: %d acknowledged batches missing, e.g. %s".formatted(when, missing.size(), missing.getFirst().id()));
        }
        return new BatchCheck(batches, rows, unknownPresent);
    }

    private boolean checkView(Statement statement, List<String> problems, String when)
            throws SQLException
    {
        String view = "SELECT * FROM lakehouse.%s.%s".formatted(options.schema(), VIEW);
        String definition = EVENTS_VIEW_DEFINITION.formatted("lakehouse.%s.%s".formatted(options.schema(), EVENTS));
        long viewOnly = scalar(statement, "SELECT count(*) FROM ((%s) EXCEPT ALL (%s))".formatted(view, definition));
        long definitionOnly = scalar(statement, "SELECT count(*) FROM ((%s) EXCEPT ALL (%s))".formatted(definition, view));
        if (viewOnly + definitionOnly > 0) {
            problems.add("%s: view %s differs from its definition: %d rows only in the view, %d only in the definition".formatted(when, VIEW, viewOnly, definitionOnly));
            return false;
        }
        return true;
    }

    /**
     * The background service may be tiering the same table at that moment: the call then says to run it again.
     */
    private void tierFinally(Statement statement, String table, List<String> problems)
            throws InterruptedException
    {
        for (int attempt = 1; ; attempt++) {
            try {
                statement.execute("CALL lakehouse.system.tier_table('%s', '%s')".formatted(options.schema(), table));
                tierings.incrementAndGet();
                return;
            }
            catch (SQLException e) {
                Failure failure = classify(statement, e);
                tieringFailures.incrementAndGet();
                maintenanceFailures.add("final tier_table of %s: %s".formatted(table, failure.describe()));
                if (!failure.retryable() || attempt == FINAL_TIERING_ATTEMPTS) {
                    maintenanceHardFailures.incrementAndGet();
                    problems.add("final tier_table of %s failed (attempt %d): %s".formatted(table, attempt, failure.describe()));
                    return;
                }
                Thread.sleep(500L * attempt);
            }
        }
    }

    private Outcome outcome(long loadMillis, long rewriteHits, Exactness exactness)
    {
        List<Long> inserts = copy(insertMillis);
        List<Long> queries = new ArrayList<>();
        List<QueryFigures> figures = new ArrayList<>();
        for (Map.Entry<String, List<Long>> entry : new TreeMap<>(queryMillis).entrySet()) {
            List<Long> latencies = copy(entry.getValue());
            queries.addAll(latencies);
            figures.add(new QueryFigures(entry.getKey(), latencies.size(), percentile(latencies, 50), percentile(latencies, 99),
                    queryFailuresByName.getOrDefault(entry.getKey(), new AtomicLong()).get()));
        }
        long rows = acknowledgedRows.values().stream().mapToLong(AtomicLong::get).sum();
        Map<String, Long> errors = new TreeMap<>();
        insertErrors.forEach((name, count) -> errors.put(name, count.get()));
        return new Outcome(
                options.label(),
                loadMillis,
                acknowledged.size(),
                rows,
                rows * 1000.0 / Math.max(1, loadMillis),
                acknowledged.size() * 1000.0 / Math.max(1, loadMillis),
                inserts.isEmpty() ? 0 : percentile(inserts, 50),
                inserts.isEmpty() ? 0 : percentile(inserts, 99),
                inserts.stream().mapToLong(Long::longValue).max().orElse(0),
                queries.size(),
                queries.isEmpty() ? 0 : percentile(queries, 50),
                queries.isEmpty() ? 0 : percentile(queries, 99),
                figures,
                rewriteHits,
                retried.count(),
                retried.first(),
                errors,
                hardFailures.count(),
                hardFailures.first(),
                queryFailures.count(),
                queryFailures.first(),
                invariantViolations.count(),
                invariantViolations.first(),
                compactions.get(),
                compactionFailures.get(),
                tierings.get(),
                tieringFailures.get(),
                maintenanceHardFailures.get(),
                maintenanceFailures.first(),
                exactness);
    }

    /**
     * Names the error of a failed statement: the server's error name from its query record when
     * the server answered, else the failure has an unknown outcome.
     */
    private static Failure classify(Statement statement, SQLException e)
    {
        String message = oneLine(String.valueOf(e.getMessage()));
        Matcher queryId = QUERY_ID.matcher(message);
        if (!queryId.find()) {
            // no answer from the server: the statement may or may not have run
            return new Failure("NO_ANSWER", message, false, true);
        }
        String errorName = "ERROR_CODE_" + e.getErrorCode();
        try {
            // the query record names the error; it is kept for minutes, long enough to ask right after the failure
            List<String> names = strings(statement, "SELECT error_code FROM system.runtime.queries WHERE query_id = '%s'".formatted(queryId.group(1)));
            if (!names.isEmpty() && names.getFirst() != null) {
                errorName = names.getFirst();
            }
        }
        catch (SQLException ignored) {
            // the code number is still there
        }
        boolean retryable = RETRYABLE_ERRORS.contains(errorName) || RETRYABLE_MESSAGE.matcher(message).find();
        return new Failure(errorName, message.substring(queryId.end()).replaceFirst("^:\\s*", ""), retryable, false);
    }

    private static boolean done(Future<?> future, long untilNanos)
            throws InterruptedException
    {
        try {
            long wait = untilNanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, untilNanos - System.nanoTime());
            future.get(wait, TimeUnit.NANOSECONDS);
            return true;
        }
        catch (TimeoutException e) {
            return false;
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("A soak client failed: " + e.getCause(), e.getCause());
        }
    }

    private static String firstDifference(List<String> expected, List<String> actual)
    {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String left = i < expected.size() ? expected.get(i) : "(none)";
            String right = i < actual.size() ? actual.get(i) : "(none)";
            if (!left.equals(right)) {
                return "row %d: %s vs %s".formatted(i + 1, left, right);
            }
        }
        return "none";
    }

    private static List<Long> copy(List<Long> values)
    {
        synchronized (values) {
            return List.copyOf(values);
        }
    }

    private static String oneLine(String message)
    {
        String line = message.replaceAll("\\s+", " ").strip();
        return line.length() <= 400 ? line : line.substring(0, 400) + "...";
    }

    private static void sleep(long millis)
    {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    static String describe(Outcome outcome)
    {
        return String.format(Locale.ROOT, "%s: %,d INSERTs acknowledged in %.0f s (%,.0f rows/s, %.1f INSERTs/s), INSERT p50 %.0f ms / p99 %.0f ms, query p50 %.0f ms / p99 %.0f ms over %,d queries (%d answered from the view), "
                        + "%d retried INSERTs, %d hard failures, %d compactions and %d tierings (%d + %d failed), exactness: %s",
                outcome.label(), outcome.insertsAcknowledged(), outcome.durationMillis() / 1000.0, outcome.rowsPerSecond(), outcome.insertsPerSecond(),
                outcome.insertP50Millis(), outcome.insertP99Millis(), outcome.queryP50Millis(), outcome.queryP99Millis(), outcome.queries(), outcome.viewRewriteHits(),
                outcome.retriedInserts(), outcome.hardFailures(), outcome.compactions(), outcome.tierings(), outcome.compactionFailures(), outcome.tieringFailures(),
                outcome.exactness().exact() ? "exact" : "NOT exact");
    }

    /**
     * How often something happened, and the first time's description.
     */
    private static final class Counter
    {
        private final AtomicLong count = new AtomicLong();
        private volatile String first = "";

        void add(String description)
        {
            if (count.getAndIncrement() == 0) {
                first = description;
            }
        }

        long count()
        {
            return count.get();
        }

        String first()
        {
            return first;
        }
    }
}
