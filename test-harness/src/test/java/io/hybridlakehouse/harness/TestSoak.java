package io.hybridlakehouse.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static io.hybridlakehouse.harness.TestingPorts.freePort;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SoakWorkload} for a short while on each metadata database: concurrent INSERT streams,
 * BI readers, compaction and tiering at once must lose, duplicate or half-show nothing, and
 * fail no INSERT but with an error that says to send it again. Asserts exactness and that the
 * load really happened, never a time; the figures are printed with {@code [measure]}.
 */
public class TestSoak
{
    private static final Duration LOAD = Duration.ofSeconds(45);

    @Test
    public void testSoakOnSqlite()
            throws Exception
    {
        soak(SoakServer.Metastore.SQLITE);
    }

    @Test
    public void testSoakOnPostgres()
            throws Exception
    {
        soak(SoakServer.Metastore.POSTGRES);
    }

    private static void soak(SoakServer.Metastore metastore)
            throws Exception
    {
        Path repository = Path.of(System.getProperty("lakehouse.repository.root"));
        // PostgreSQL runs as its own user, which must reach its data directory below this one
        Path home = Files.createTempDirectory("lakehouse-soak", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        String label = "soak " + metastore.label();
        LakehouseServer.ProgressListener progress = message -> System.out.printf("[%s] %s%n", label, message);
        SoakWorkload.Outcome outcome;
        try (SoakServer server = SoakServer.start(metastore, TrinoDistribution.fromSystemProperty(), repository.resolve("etc-catalog"), home, freePort(), freePort(), "2G", progress)) {
            outcome = new SoakWorkload(server.server(), new SoakWorkload.Options(metastore.label(), LOAD), progress).run();
        }
        finally {
            MoreFiles.deleteRecursively(home, RecursiveDeleteOption.ALLOW_INSECURE);
        }
        System.out.printf("[measure] %s%n", SoakWorkload.describe(outcome));
        System.out.printf("[measure] soak %s: failed INSERT attempts by error %s; first retried: %s; reader queries p50/p99 ms: %s%n",
                metastore.label(), outcome.insertErrors(), outcome.firstRetryMessage().isEmpty() ? "-" : outcome.firstRetryMessage(),
                outcome.queryFigures().stream().map(query -> "%s %.0f/%.0f".formatted(query.query(), query.p50Millis(), query.p99Millis())).collect(joining(", ")));

        assertThat(outcome.exactness().problems()).isEmpty();
        assertThat(outcome.exactness().exact()).isTrue();
        assertThat(outcome.exactness().viewMatchesDefinition()).isTrue();
        assertThat(outcome.exactness().aggregatesSameAfterTiering()).isTrue();
        assertThat(outcome.exactness().hotSegmentsAfterTiering()).isZero();
        assertThat(outcome.hardFailures()).as(outcome.firstHardFailure()).isZero();
        assertThat(outcome.queryFailures()).as(outcome.firstQueryFailure()).isZero();
        assertThat(outcome.invariantViolations()).as(outcome.firstInvariantViolation()).isZero();
        assertThat(outcome.maintenanceHardFailures()).as(outcome.firstMaintenanceFailure()).isZero();
        assertThat(outcome.passed()).as(outcome.verdict()).isTrue();

        // the load really ran: INSERTs into both tables, every kind of read, compactions and tierings while they did
        assertThat(outcome.insertsAcknowledged()).isGreaterThanOrEqualTo(40);
        assertThat(outcome.exactness().batchesChecked()).isEqualTo(outcome.insertsAcknowledged() + outcome.exactness().unknownOutcomeBatchesPresent());
        assertThat(outcome.queries()).isGreaterThanOrEqualTo(20);
        assertThat(outcome.viewRewriteHits()).isPositive();
        assertThat(outcome.queryFigures()).extracting(SoakWorkload.QueryFigures::query).containsExactlyInAnyOrder(
                "roll-up by kind", "daily chart, two days", "point lookup", "count", "view read", "regions with users",
                "batches intact: events", "top users, one day", "batches intact: clicks");
        assertThat(outcome.compactions()).isPositive();
        // beyond the final tiering of the two tables and the view's state
        assertThat(outcome.tierings()).isGreaterThan(3);

        Path output = Files.createTempDirectory("soak-report");
        try {
            SoakReport.write(List.of(outcome), output);
            JsonNode json = new ObjectMapper().readTree(output.resolve("results.json").toFile());
            assertThat(json.get(0).get("passed").asBoolean()).isTrue();
            assertThat(json.get(0).get("exactness").get("exact").asBoolean()).isTrue();
            assertThat(json.get(0).get("insertP99Millis").asDouble()).isPositive();
            assertThat(Files.readString(output.resolve("report.md"))).contains("| verdict | **passed** |").contains("| " + metastore.label() + " | point lookup |");
        }
        finally {
            MoreFiles.deleteRecursively(output, RecursiveDeleteOption.ALLOW_INSECURE);
        }
    }
}
