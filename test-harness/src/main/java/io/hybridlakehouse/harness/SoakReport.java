package io.hybridlakehouse.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code report.md} and {@code results.json} of soak runs: one column per run, the figures
 * and the verdict; the JSON holds every field of {@link SoakWorkload.Outcome} plus the verdict.
 */
public final class SoakReport
{
    private SoakReport() {}

    public static void write(List<SoakWorkload.Outcome> outcomes, Path output)
            throws IOException
    {
        Files.createDirectories(output);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode json = mapper.createArrayNode();
        for (SoakWorkload.Outcome outcome : outcomes) {
            ObjectNode node = mapper.valueToTree(outcome);
            node.put("passed", outcome.passed());
            node.put("verdict", outcome.verdict());
            json.add(node);
        }
        mapper.writeValue(output.resolve("results.json").toFile(), json);
        Files.writeString(output.resolve("report.md"), markdown(outcomes), UTF_8);
    }

    static String markdown(List<SoakWorkload.Outcome> outcomes)
    {
        StringBuilder markdown = new StringBuilder("# Soak: concurrent INSERT streams, BI queries, tiering and compaction\n\n")
                .append(("One single-node Trino 476 server per metadata database. %d INSERT streams, each on its own connection, alternate between `%s` (base of the synchronous materialized view `%s`) and `%s`, " +
                        "every INSERT a unique (stream, batch) id with 250–749 rows; an INSERT failing with an error that says nothing was committed (`HYBRID_COMMIT_ERROR`, `TRANSACTION_CONFLICT`, SQLite busy, a PostgreSQL serialization failure) is sent again with the same id. " +
                        "%d readers run BI-style queries in turn (roll-ups the view may answer, the view itself, a point lookup of an acknowledged batch, counts, whole-table checks that no batch is seen partially) and check that the rows they see never decrease and cover every acknowledged INSERT. " +
                        "A maintenance loop alternates `compact_segments` and `tier_table` on both tables and the view's state table every few seconds; the tables also tier in the background (`tier_after = '30s'`). " +
                        "At the end every batch must be there exactly once with its rows and amount, the view must equal its defining query (`EXCEPT ALL` both ways), " +
                        "and the aggregates must be the same before and after a final `tier_table` of everything. Latencies in ms; machine: %d cores, Java %s.\n\n").formatted(
                        SoakWorkload.WRITERS, SoakWorkload.EVENTS, SoakWorkload.VIEW, SoakWorkload.CLICKS, SoakWorkload.READERS,
                        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));

        markdown.append("| | ").append(String.join(" | ", outcomes.stream().map(SoakWorkload.Outcome::label).toList())).append(" |\n");
        markdown.append("| --- |").append(" ---: |".repeat(outcomes.size())).append('\n');
        row(markdown, "verdict", outcomes, outcome -> outcome.passed() ? "**passed**" : "**FAILED**");
        row(markdown, "load duration", outcomes, outcome -> "%.0f s".formatted(outcome.durationMillis() / 1000.0));
        row(markdown, "INSERTs acknowledged", outcomes, outcome -> "%,d".formatted(outcome.insertsAcknowledged()));
        row(markdown, "rows acknowledged", outcomes, outcome -> "%,d".formatted(outcome.rowsAcknowledged()));
        row(markdown, "throughput", outcomes, outcome -> "%,.0f rows/s (%.1f INSERTs/s)".formatted(outcome.rowsPerSecond(), outcome.insertsPerSecond()));
        row(markdown, "INSERT p50 / p99 / max", outcomes, outcome -> "%.0f / %.0f / %.0f ms".formatted(outcome.insertP50Millis(), outcome.insertP99Millis(), outcome.insertMaxMillis()));
        row(markdown, "reader queries", outcomes, outcome -> "%,d".formatted(outcome.queries()));
        row(markdown, "reader queries answered from the view", outcomes, outcome -> "%,d".formatted(outcome.viewRewriteHits()));
        row(markdown, "query p50 / p99", outcomes, outcome -> "%.0f / %.0f ms".formatted(outcome.queryP50Millis(), outcome.queryP99Millis()));
        row(markdown, "retried INSERTs", outcomes, outcome -> outcome.retriedInserts() == 0 ? "0" : "%d (first: %s)".formatted(outcome.retriedInserts(), cell(outcome.firstRetryMessage())));
        row(markdown, "failed INSERT attempts by error", outcomes, outcome -> outcome.insertErrors().isEmpty() ? "none" : cell(outcome.insertErrors().toString()));
        row(markdown, "hard INSERT failures", outcomes, outcome -> outcome.hardFailures() == 0 ? "0" : "%d (first: %s)".formatted(outcome.hardFailures(), cell(outcome.firstHardFailure())));
        row(markdown, "failed reader queries", outcomes, outcome -> outcome.queryFailures() == 0 ? "0" : "%d (first: %s)".formatted(outcome.queryFailures(), cell(outcome.firstQueryFailure())));
        row(markdown, "reader invariant violations", outcomes, outcome -> outcome.invariantViolations() == 0 ? "0" : "%d (first: %s)".formatted(outcome.invariantViolations(), cell(outcome.firstInvariantViolation())));
        row(markdown, "compactions (failed)", outcomes, outcome -> "%d (%d)".formatted(outcome.compactions(), outcome.compactionFailures()));
        row(markdown, "tierings (failed)", outcomes, outcome -> "%d (%d)".formatted(outcome.tierings(), outcome.tieringFailures()));
        row(markdown, "maintenance failures not retryable", outcomes, outcome -> outcome.maintenanceHardFailures() == 0 ? "0" : "%d".formatted(outcome.maintenanceHardFailures()));
        row(markdown, "first maintenance failure", outcomes, outcome -> outcome.firstMaintenanceFailure().isEmpty() ? "-" : cell(outcome.firstMaintenanceFailure()));
        row(markdown, "exactness", outcomes, outcome -> outcome.exactness().exact() ? "exact" : "**NOT exact**");
        row(markdown, "batches / rows checked", outcomes, outcome -> "%,d / %,d".formatted(outcome.exactness().batchesChecked(), outcome.exactness().rowsChecked()));
        row(markdown, "unknown-outcome batches (present)", outcomes, outcome -> "%d (%d)".formatted(outcome.exactness().unknownOutcomeBatches(), outcome.exactness().unknownOutcomeBatchesPresent()));
        row(markdown, "view equals its definition", outcomes, outcome -> outcome.exactness().viewMatchesDefinition() ? "yes" : "**no**");
        row(markdown, "aggregates same after tiering everything", outcomes, outcome -> outcome.exactness().aggregatesSameAfterTiering() ? "yes" : "**no**");
        row(markdown, "hot segments left after final tiering", outcomes, outcome -> String.valueOf(outcome.exactness().hotSegmentsAfterTiering()));

        markdown.append("\n## Reader queries\n\n| run | query | runs | p50 ms | p99 ms | failed |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (SoakWorkload.Outcome outcome : outcomes) {
            for (SoakWorkload.QueryFigures query : outcome.queryFigures()) {
                markdown.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.0f | %.0f | %d |%n", outcome.label(), query.query(), query.runs(), query.p50Millis(), query.p99Millis(), query.failures()));
            }
        }
        for (SoakWorkload.Outcome outcome : outcomes) {
            if (!outcome.passed()) {
                markdown.append("\n## %s: failed\n".formatted(outcome.label()));
                markdown.append("\n").append(outcome.verdict()).append('\n');
                for (String problem : outcome.exactness().problems()) {
                    markdown.append("- ").append(problem).append('\n');
                }
            }
        }
        return markdown.toString();
    }

    private static void row(StringBuilder markdown, String name, List<SoakWorkload.Outcome> outcomes, Function<SoakWorkload.Outcome, String> value)
    {
        markdown.append("| ").append(name).append(" | ");
        markdown.append(String.join(" | ", outcomes.stream().map(value).toList()));
        markdown.append(" |\n");
    }

    private static String cell(String text)
    {
        String line = text.replace("|", "\\|").replaceAll("\\s+", " ").strip();
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
