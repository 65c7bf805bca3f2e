package io.hybridlakehouse.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Order statistics of a sample of latencies, and whether two samples differ by more than
 * their own spread: a ratio of medians alone cannot tell a real difference from noise.
 * Where the runs were taken in pairs, side by side, the ratio within each pair tells more:
 * the machine's slow and fast moments fall on both runs of a pair alike.
 */
public final class LatencyStatistics
{
    public enum Verdict
    {
        FASTER("faster"),
        SLOWER("slower"),
        WITHIN_NOISE("within noise");

        private final String label;

        Verdict(String label)
        {
            this.label = label;
        }

        public String label()
        {
            return label;
        }
    }

    /**
     * The median of ours / reference over the pairs, and the 95% interval of that median
     * (percentiles of the medians of {@value #RESAMPLES} resamples of the pairs, with replacement).
     */
    public record PairedRatio(double median, double lower, double upper)
    {
        /**
         * Faster or slower when the whole interval lies below or above 1.
         */
        public Verdict verdict()
        {
            return verdictWithMargin(1);
        }

        /**
         * As {@link #verdict()}, where the difference must also exceed what an A/A control in the
         * same run shows: two catalogs of the same connector over the same tables, whose paired
         * ratio is {@code controlRatio}. Resampling the pairs sees the noise from one run to the
         * next; it cannot see that Trino's catalogs each run their own copy of their connector's
         * classes, compiled by the JIT apart, which sets one catalog a few percent above or below
         * another for the whole life of a server. Which copy lands above is chance, so the
         * control's departure from 1, either way, is the margin on both sides.
         */
        public Verdict verdictBeyond(double controlRatio)
        {
            checkArgument(controlRatio > 0, "not a ratio: %s", controlRatio);
            return verdictWithMargin(Math.max(1, Math.max(controlRatio, 1 / controlRatio)));
        }

        private Verdict verdictWithMargin(double margin)
        {
            if (upper < 1 / margin) {
                return Verdict.FASTER;
            }
            return lower > margin ? Verdict.SLOWER : Verdict.WITHIN_NOISE;
        }
    }

    /**
     * Fewer pairs leave too few distinct resamples for an interval worth reporting.
     */
    public static final int MIN_PAIRS = 10;
    private static final int RESAMPLES = 2_000;
    // the same measurements always give the same interval
    private static final long RESAMPLING_SEED = 20_261_126L;

    private LatencyStatistics() {}

    public static double median(List<? extends Number> values)
    {
        return percentile(values, 50);
    }

    /**
     * The percentile with linear interpolation between the two closest ranks (the method of
     * numpy's default and of Excel's PERCENTILE.INC): p25 of 1..9 is 3, p75 is 7.
     */
    public static double percentile(List<? extends Number> values, double percentile)
    {
        checkArgument(!values.isEmpty(), "no values");
        checkArgument(percentile >= 0 && percentile <= 100, "percentile not in [0, 100]: %s", percentile);
        double[] sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        double rank = percentile / 100 * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    public static double interquartileRange(List<? extends Number> values)
    {
        return percentile(values, 75) - percentile(values, 25);
    }

    /**
     * {@code ours.get(i)} and {@code reference.get(i)} taken side by side; empty for fewer than
     * {@value #MIN_PAIRS} pairs.
     */
    public static Optional<PairedRatio> pairedRatio(List<? extends Number> ours, List<? extends Number> reference)
    {
        checkArgument(ours.size() == reference.size(), "not pairs: %s and %s runs", ours.size(), reference.size());
        if (ours.size() < MIN_PAIRS) {
            return Optional.empty();
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            // a run of 0 ms (rounded) would divide by zero: a hundredth of a millisecond is the resolution
            ratios.add(Math.max(0.01, ours.get(i).doubleValue()) / Math.max(0.01, reference.get(i).doubleValue()));
        }
        Random random = new Random(RESAMPLING_SEED);
        List<Double> medians = new ArrayList<>();
        List<Double> resample = new ArrayList<>();
        for (int round = 0; round < RESAMPLES; round++) {
            resample.clear();
            for (int i = 0; i < ratios.size(); i++) {
                resample.add(ratios.get(random.nextInt(ratios.size())));
            }
            medians.add(median(resample));
        }
        return Optional.of(new PairedRatio(median(ratios), percentile(medians, 2.5), percentile(medians, 97.5)));
    }

    /**
     * Ours against the reference, lower is better. Within noise when the medians differ by
     * less than the larger of the two interquartile ranges, or when the ranges overlap: a
     * repeat of the run could then turn the ratio either way.
     */
    public static Verdict verdict(List<? extends Number> ours, List<? extends Number> reference)
    {
        double oursMedian = median(ours);
        double referenceMedian = median(reference);
        double largerSpread = Math.max(interquartileRange(ours), interquartileRange(reference));
        boolean overlapping = percentile(ours, 25) <= percentile(reference, 75) && percentile(reference, 25) <= percentile(ours, 75);
        if (overlapping || Math.abs(oursMedian - referenceMedian) < largerSpread) {
            return Verdict.WITHIN_NOISE;
        }
        return oursMedian < referenceMedian ? Verdict.FASTER : Verdict.SLOWER;
    }
}
