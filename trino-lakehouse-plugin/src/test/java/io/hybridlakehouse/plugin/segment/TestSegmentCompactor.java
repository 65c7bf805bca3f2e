package io.hybridlakehouse.plugin.segment;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.hybridlakehouse.plugin.segment.SegmentCompactor.sizeClass;
import static io.hybridlakehouse.plugin.segment.SegmentCompactor.sizeClassStarts;
import static org.assertj.core.api.Assertions.assertThat;

public class TestSegmentCompactor
{
    @Test
    public void testSizeClasses()
    {
        // threshold 10: classes are powers of 11 rows
        assertThat(sizeClass(0, 10)).isEqualTo(0);
        assertThat(sizeClass(1, 10)).isEqualTo(0);
        assertThat(sizeClass(10, 10)).isEqualTo(0);
        assertThat(sizeClass(11, 10)).isEqualTo(1);
        assertThat(sizeClass(1_000, 10)).isEqualTo(2);
        assertThat(sizeClass(1_330, 10)).isEqualTo(2);
        assertThat(sizeClass(1_331, 10)).isEqualTo(3);
    }

    @Test
    public void testSizeClassStartsAreWhereSizeClassesBegin()
    {
        // the metastore counts segments by these starts; they must give every row count the class sizeClass gives it
        for (int threshold : new int[] {1, 2, 10, 1_000_000}) {
            List<Long> starts = sizeClassStarts(threshold);
            assertThat(starts.getFirst()).isEqualTo(threshold + 1L);
            for (long rows : new long[] {0, 1, threshold, threshold + 1L, 1_330, 1_331, 999_999_999, Long.MAX_VALUE}) {
                long classByStarts = starts.stream().filter(start -> start <= rows).count();
                assertThat(classByStarts).as("threshold %s, %s rows", threshold, rows).isEqualTo(sizeClass(rows, threshold));
            }
        }
        assertThat(sizeClassStarts(1)).hasSize(62).last().isEqualTo(1L << 62);
    }

    @Test
    public void testMergeLeavesItsSizeClass()
    {
        // merging more than `threshold` segments of one class always yields a segment of a higher class,
        // so background compaction never merges its own output with the small segments that follow
        for (int threshold : new int[] {1, 2, 5, 10, 25}) {
            for (long rows = 1; rows < 10_000_000; rows = rows * 3 + 1) {
                int inputClass = sizeClass(rows, threshold);
                long smallestOfClass = 1;
                for (int i = 0; i < inputClass; i++) {
                    smallestOfClass *= threshold + 1;
                }
                assertThat(sizeClass(smallestOfClass * (threshold + 1), threshold))
                        .as("threshold %s, %s rows", threshold, rows)
                        .isGreaterThan(inputClass);
            }
        }
    }
}
