package io.hybridlakehouse.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static io.hybridlakehouse.harness.LatencyStatistics.Verdict.FASTER;
import static io.hybridlakehouse.harness.LatencyStatistics.Verdict.SLOWER;
import static io.hybridlakehouse.harness.LatencyStatistics.Verdict.WITHIN_NOISE;
import static io.hybridlakehouse.harness.LatencyStatistics.interquartileRange;
import static io.hybridlakehouse.harness.LatencyStatistics.median;
import static io.hybridlakehouse.harness.LatencyStatistics.pairedRatio;
import static io.hybridlakehouse.harness.LatencyStatistics.percentile;
import static io.hybridlakehouse.harness.LatencyStatistics.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

public class TestBenchmarkStatistics
{
    private static final List<Long> ONE_TO_NINE = LongStream.rangeClosed(1, 9).boxed().toList();

    @Test
    public void testPercentilesInterpolateLinearly()
    {
        assertThat(percentile(ONE_TO_NINE, 25)).isEqualTo(3);
        assertThat(percentile(ONE_TO_NINE, 50)).isEqualTo(5);
        assertThat(percentile(ONE_TO_NINE, 75)).isEqualTo(7);
        assertThat(interquartileRange(ONE_TO_NINE)).isEqualTo(4);

        // between ranks: 1..4 puts p25 at rank 0.75 and p75 at rank 2.25
        List<Long> oneToFour = List.of(4L, 1L, 3L, 2L);
        assertThat(percentile(oneToFour, 25)).isEqualTo(1.75);
        assertThat(median(oneToFour)).isEqualTo(2.5);
        assertThat(percentile(oneToFour, 75)).isEqualTo(3.25);
        assertThat(percentile(List.of(10L, 20L), 99)).isCloseTo(19.9, within(1e-9));

        assertThat(percentile(ONE_TO_NINE, 0)).isEqualTo(1);
        assertThat(percentile(ONE_TO_NINE, 100)).isEqualTo(9);
        assertThat(percentile(List.of(42L), 25)).isEqualTo(42);
        assertThat(interquartileRange(List.of(42L))).isZero();
        assertThat(median(List.of(7L, 1L, 5L))).isEqualTo(5);

        assertThatThrownBy(() -> percentile(List.of(), 50)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> percentile(ONE_TO_NINE, 101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void testVerdict()
    {
        List<Long> fast = List.of(50L, 52L, 54L, 56L, 58L);
        List<Long> slow = List.of(100L, 102L, 104L, 106L, 108L);
        assertThat(verdict(fast, slow)).isEqualTo(FASTER);
        assertThat(verdict(slow, fast)).isEqualTo(SLOWER);

        // interquartile ranges 105-115 and 115-125 touch
        assertThat(verdict(List.of(100L, 105L, 110L, 115L, 120L), List.of(110L, 115L, 120L, 125L, 130L))).isEqualTo(WITHIN_NOISE);
        assertThat(verdict(fast, fast)).isEqualTo(WITHIN_NOISE);

        // ranges 10-10 and 13-40 apart, but the medians 10 and 20 closer than the wider range (27)
        List<Long> steady = List.of(10L, 10L, 10L, 10L, 10L);
        List<Long> noisy = List.of(12L, 13L, 20L, 40L, 41L);
        assertThat(interquartileRange(noisy)).isEqualTo(27);
        assertThat(verdict(steady, noisy)).isEqualTo(WITHIN_NOISE);
        assertThat(verdict(noisy, steady)).isEqualTo(WITHIN_NOISE);
        // the same spread, further apart
        assertThat(verdict(steady, noisy.stream().map(value -> value + 30).toList())).isEqualTo(FASTER);
    }

    @Test
    public void testPairedRatio()
    {
        // the machine slows down and speeds up over the runs: both sides of each pair alike
        List<Double> reference = IntStream.range(0, 40).mapToObj(i -> 20.0 + (i % 7) * 6 + (i % 3) * 2.5).toList();
        List<Double> tenPercentFaster = reference.stream().map(value -> value * 0.9).toList();
        LatencyStatistics.PairedRatio faster = pairedRatio(tenPercentFaster, reference).orElseThrow();
        assertThat(faster.median()).isCloseTo(0.9, within(1e-9));
        assertThat(faster.lower()).isCloseTo(0.9, within(1e-9));
        assertThat(faster.upper()).isCloseTo(0.9, within(1e-9));
        assertThat(faster.verdict()).isEqualTo(FASTER);
        // the spreads overlap, so the unpaired verdict cannot tell
        assertThat(verdict(tenPercentFaster, reference)).isEqualTo(WITHIN_NOISE);

        // ±3% around the reference, pair by pair: the interval holds 1
        List<Double> same = IntStream.range(0, reference.size()).mapToObj(i -> reference.get(i) * (i % 2 == 0 ? 1.03 : 0.97)).toList();
        LatencyStatistics.PairedRatio noise = pairedRatio(same, reference).orElseThrow();
        assertThat(noise.lower()).isLessThan(1);
        assertThat(noise.upper()).isGreaterThan(1);
        assertThat(noise.verdict()).isEqualTo(WITHIN_NOISE);

        // 4-6% slower in every pair
        List<Double> slower = IntStream.range(0, reference.size()).mapToObj(i -> reference.get(i) * (1.04 + (i % 3) * 0.01)).toList();
        LatencyStatistics.PairedRatio slow = pairedRatio(slower, reference).orElseThrow();
        assertThat(slow.median()).isCloseTo(1.05, within(1e-9));
        assertThat(slow.lower()).isGreaterThanOrEqualTo(1.04);
        assertThat(slow.verdict()).isEqualTo(SLOWER);
        // resampled with a fixed seed: the same runs give the same interval
        assertThat(pairedRatio(slower, reference)).contains(slow);

        assertThat(pairedRatio(ONE_TO_NINE, ONE_TO_NINE)).isEmpty();
        assertThatThrownBy(() -> pairedRatio(reference, reference.subList(1, reference.size()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void testVerdictBeyondControl()
    {
        LatencyStatistics.PairedRatio slower = new LatencyStatistics.PairedRatio(1.07, 1.05, 1.10);
        LatencyStatistics.PairedRatio faster = new LatencyStatistics.PairedRatio(0.88, 0.85, 0.91);
        // two copies of one connector 2% apart: 5-10% is more than that
        assertThat(slower.verdictBeyond(1.02)).isEqualTo(SLOWER);
        assertThat(faster.verdictBeyond(1.02)).isEqualTo(FASTER);
        // the copies 12% apart in this run: 5-10% is not beyond it, either way
        assertThat(slower.verdictBeyond(1.12)).isEqualTo(WITHIN_NOISE);
        assertThat(faster.verdictBeyond(1.12)).isEqualTo(WITHIN_NOISE);
        // which copy lands above is chance: a control 8% below 1 is a margin of 1/0.92 above it too
        assertThat(slower.verdictBeyond(0.92)).isEqualTo(WITHIN_NOISE);
        assertThat(new LatencyStatistics.PairedRatio(1.20, 1.15, 1.25).verdictBeyond(0.92)).isEqualTo(SLOWER);
        // a control at 1 leaves the verdict to the interval alone
        assertThat(new LatencyStatistics.PairedRatio(1.02, 0.97, 1.06).verdictBeyond(1.0)).isEqualTo(WITHIN_NOISE);
        assertThat(slower.verdictBeyond(1.0)).isEqualTo(slower.verdict());
        assertThatThrownBy(() -> slower.verdictBeyond(0)).isInstanceOf(IllegalArgumentException.class);

        List<Double> reference = IntStream.range(0, 40).mapToObj(i -> 20.0 + (i % 7) * 6).toList();
        List<Double> fivePercentSlower = reference.stream().map(value -> value * 1.05).toList();
        assertThat(new Benchmark.Result("cold scan", 20_000, "lakehouse_nocache", "iceberg", fivePercentSlower, reference, true, "", Map.of()).verdict()).isEqualTo("slower");
        assertThat(new Benchmark.Result("cold scan", 20_000, "lakehouse_nocache", "iceberg", fivePercentSlower, reference, true, "", Map.of(Benchmark.CONTROL_RATIO, 1.02)).verdict()).isEqualTo("slower");
        assertThat(new Benchmark.Result("cold scan", 20_000, "lakehouse_nocache", "iceberg", fivePercentSlower, reference, true, "", Map.of(Benchmark.CONTROL_RATIO, 0.94)).verdict()).isEqualTo("within noise");
    }

    @Test
    public void testResultStatistics()
    {
        Benchmark.Result result = Benchmark.Result.of("cold scan", 20_000, "lakehouse_nocache", "iceberg", ONE_TO_NINE, List.of(20L, 21L, 22L, 23L, 24L), "", Map.of());
        assertThat(result.oursMedian()).isEqualTo(5);
        assertThat(result.oursIqr()).isEqualTo(4);
        assertThat(result.referenceIqr()).isEqualTo(2);
        assertThat(result.ratio()).isCloseTo(5.0 / 22, within(1e-9));
        assertThat(result.verdict()).isEqualTo("faster");

        // one run, or no reference, has no spread to judge noise by
        assertThat(Benchmark.Result.of("tiering: append stream", 20_000, "lakehouse", "-", List.of(900L), List.of(900L), "", Map.of()).verdict()).isEqualTo("-");
        assertThat(Benchmark.Result.of(Benchmark.BYTES_ON_DISK, 20_000, "lakehouse", "iceberg", List.of(300_000L), List.of(900_000L), "", Map.of()).verdict()).isEqualTo("-");
    }

    @Test
    public void testRowsLabel()
    {
        assertThat(Benchmark.rowsLabel(500)).isEqualTo("500");
        assertThat(Benchmark.rowsLabel(20_000)).isEqualTo("20K");
        assertThat(Benchmark.rowsLabel(1_000_000)).isEqualTo("1M");
        assertThat(Benchmark.rowsLabel(1_500_000)).isEqualTo("1.5M");
        assertThat(Benchmark.rowsLabel(20_000_000)).isEqualTo("20M");
        assertThat(Benchmark.rowsLabel(100_000_000)).isEqualTo("100M");
    }

    @Test
    public void testReport(@TempDir Path output)
            throws Exception
    {
        List<Long> scales = List.of(1_000_000L, 5_000_000L, 20_000_000L);
        List<Benchmark.Result> results = scales.stream().flatMap(scale -> List.of(
                Benchmark.Result.of("cold scan", scale, "lakehouse_nocache", "iceberg", List.of(50L, 52L, 54L, 56L, 58L), List.of(100L, 102L, 104L, 106L, 108L), "", Map.of()),
                Benchmark.Result.of("small query: point lookup", scale, "lakehouse", "iceberg", List.of(100L, 105L, 110L, 115L, 120L), List.of(110L, 115L, 120L, 125L, 130L), "", Map.of()),
                // tenths of a millisecond tell apart medians that whole milliseconds would round to the same value
                Benchmark.Result.of("small query: aggregation", scale, "lakehouse", "iceberg", List.of(18.1, 18.25, 18.4, 18.55, 18.7), List.of(18.3, 18.45, 18.6, 18.75, 18.9), "", Map.of()),
                // taken in pairs: ours 10% faster than its reference run every time, however the runs spread
                new Benchmark.Result("small query: information_schema.columns", scale, "lakehouse", "iceberg",
                        LongStream.range(0, 20).mapToObj(i -> 18 + (i % 5) * 4.5).toList(), LongStream.range(0, 20).mapToObj(i -> 20 + (i % 5) * 5.0).toList(), true, "", Map.of()),
                Benchmark.Result.of("tiering: append stream", scale, "lakehouse", "-", List.of(900L), List.of(900L), "", Map.of("rows_per_second", scale / 100.0)),
                Benchmark.Result.of(Benchmark.CONCURRENT_APPENDS, scale, "lakehouse", "iceberg", List.of(80L, 90L, 100L), List.of(200L, 300L, 400L), "",
                        Map.of("ours_rows_per_second", 40_000.0 - scale / 1000.0, "reference_rows_per_second", 12_000.0 + scale / 10_000.0)),
                Benchmark.Result.of(Benchmark.BYTES_ON_DISK, scale, "lakehouse", "iceberg", List.of(1_500_000L), List.of(2_600_000L), "values are bytes, not ms",
                        Map.of("ours_bytes_per_row", 28.3, "reference_bytes_per_row", 49.1))).stream()).toList();

        Benchmark.writeReport(results, new Benchmark.Options(false, Optional.empty(), scales, List.of(), output), message -> {});

        String report = Files.readString(output.resolve("report.md"));
        assertThat(report)
                .contains("| spread (IQR) ours / ref | ratio ours/reference | paired ratio [95% interval] | verdict |")
                .contains("| cold scan | 1,000,000 | lakehouse_nocache | iceberg | 50.0 / 54.0 / 58.0 | 100 / 104 / 108 | 52.0–56.0 (4.0) / 102–106 (4.0) | 0.52 | - | faster |")
                .contains("| small query: point lookup | 1,000,000 | lakehouse | iceberg | 100 / 110 / 120 | 110 / 120 / 130 | 105–115 (10.0) / 115–125 (10.0) | 0.92 | - | within noise |")
                .contains("| small query: aggregation | 1,000,000 | lakehouse | iceberg | 18.1 / 18.4 / 18.7 | 18.3 / 18.6 / 18.9 | 18.3–18.6 (0.3) / 18.5–18.8 (0.3) | 0.99 | - | within noise |")
                .contains("| small query: information_schema.columns | 1,000,000 | lakehouse | iceberg | 18.0 / 27.0 / 36.0 | 20.0 / 30.0 / 40.0 | 22.5–31.5 (9.0) / 25.0–35.0 (10.0) | 0.90 | 0.90 [0.90–0.90] | faster |")
                .contains("| tiering: append stream | 1,000,000 | lakehouse | - | 900 / 900 / 900 | 900 / 900 / 900 | - | 1.00 | - | - |")
                .contains("| 1,500,000 B (28.3 B/row) | 2,600,000 B (49.1 B/row) | - | 0.58 | - | - |");

        JsonNode json = new ObjectMapper().readTree(output.resolve("results.json").toFile());
        assertThat(json.size()).isEqualTo(results.size());
        JsonNode coldScan = json.get(0);
        assertThat(coldScan.get("workload").asText()).isEqualTo("cold scan");
        assertThat(coldScan.get("oursIqr").asDouble()).isEqualTo(4);
        assertThat(coldScan.get("referenceP25").asDouble()).isEqualTo(102);
        assertThat(coldScan.get("referenceP75").asDouble()).isEqualTo(106);
        assertThat(coldScan.get("verdict").asText()).isEqualTo("faster");
        assertThat(coldScan.get("oursMillis")).hasSize(5);
        assertThat(json.get(1).get("verdict").asText()).isEqualTo("within noise");
        assertThat(coldScan.get("pairedRatio").isNull()).isTrue();
        JsonNode paired = json.get(3);
        assertThat(paired.get("pairedRatio").asDouble()).isCloseTo(0.9, within(1e-9));
        assertThat(paired.get("pairedRatioLower").asDouble()).isCloseTo(0.9, within(1e-9));
        assertThat(paired.get("verdict").asText()).isEqualTo("faster");

        for (long scale : scales) {
            assertThat(output.resolve("latency-%d.png".formatted(scale))).isNotEmptyFile();
        }
        assertThat(output.resolve("scaling-cold-scan.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-tiering-throughput.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-concurrent-throughput.png")).isNotEmptyFile();
        assertThat(output.resolve("scaling-bytes-on-disk-per-row-after-tiering.png")).isNotEmptyFile();
    }
}
