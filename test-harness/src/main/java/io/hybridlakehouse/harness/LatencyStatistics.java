package io.hybridlakehouse.harness;

import java.util.List;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Order statistics of a sample of latencies, and whether two samples differ by more than
 * their own spread: a ratio of medians alone cannot tell a real difference from noise.
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
