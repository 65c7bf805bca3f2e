package io.hybridlakehouse.plugin.split;

import org.apache.iceberg.expressions.Expression;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;

import static org.apache.iceberg.expressions.Expressions.alwaysFalse;
import static org.apache.iceberg.expressions.Expressions.alwaysTrue;
import static org.apache.iceberg.expressions.Expressions.and;
import static org.apache.iceberg.expressions.Expressions.bucket;
import static org.apache.iceberg.expressions.Expressions.equal;
import static org.apache.iceberg.expressions.Expressions.greaterThan;
import static org.apache.iceberg.expressions.Expressions.in;
import static org.apache.iceberg.expressions.Expressions.isNull;
import static org.apache.iceberg.expressions.Expressions.lessThan;
import static org.apache.iceberg.expressions.Expressions.not;
import static org.apache.iceberg.expressions.Expressions.or;
import static org.assertj.core.api.Assertions.assertThat;

public class TestScanFilterKey
{
    @Test
    public void testSameFilterSameKey()
    {
        assertSameKey(alwaysTrue(), alwaysTrue());
        assertSameKey(equal("id", 42L), equal("id", 42L));
        assertSameKey(
                or(isNull("region"), and(greaterThan("ts", 1_000L), not(in("region", "eu", "us")))),
                or(isNull("region"), and(greaterThan("ts", 1_000L), not(in("region", "eu", "us")))));
        assertSameKey(equal("payload", ByteBuffer.wrap(new byte[] {1, 2})), equal("payload", ByteBuffer.wrap(new byte[] {1, 2})));
    }

    @Test
    public void testAnyDifferenceDifferentKey()
    {
        assertDifferentKeys(alwaysTrue(), alwaysFalse());
        assertDifferentKeys(equal("id", 42L), equal("id", 43L));
        assertDifferentKeys(equal("id", 42L), equal("other", 42L));
        assertDifferentKeys(equal("id", 42L), greaterThan("id", 42L));
        // literals of other classes or scales: Iceberg's printed form does not tell these apart
        assertDifferentKeys(equal("id", 42L), equal("id", 42));
        assertDifferentKeys(equal("price", new BigDecimal("1.0")), equal("price", new BigDecimal("1.00")));
        assertDifferentKeys(equal("x", 0.0), equal("x", -0.0));
        // a value holding the separator of an IN list is one value, not two
        assertDifferentKeys(in("region", "eu\", \"us"), in("region", "eu", "us"));
        assertDifferentKeys(in("region", "eu", "us"), in("region", "us", "eu"));
        assertDifferentKeys(and(equal("a", 1L), equal("b", 2L)), or(equal("a", 1L), equal("b", 2L)));
        assertDifferentKeys(and(lessThan("a", 1L), equal("b", 2L)), and(equal("b", 2L), lessThan("a", 1L)));
        assertDifferentKeys(equal("payload", ByteBuffer.wrap(new byte[] {1, 2})), equal("payload", ByteBuffer.wrap(new byte[] {1, 3})));
    }

    @Test
    public void testTransformsAreNotKeyed()
    {
        assertThat(ScanFilterKey.of(equal(bucket("id", 4), 1))).isEmpty();
        assertThat(ScanFilterKey.of(and(equal("id", 1L), equal(bucket("id", 4), 1)))).isEmpty();
    }

    private static void assertSameKey(Expression first, Expression second)
    {
        assertThat(ScanFilterKey.of(first)).isPresent();
        assertThat(ScanFilterKey.of(first)).isEqualTo(ScanFilterKey.of(second));
        assertThat(ScanFilterKey.of(first).orElseThrow().hashCode()).isEqualTo(ScanFilterKey.of(second).orElseThrow().hashCode());
    }

    private static void assertDifferentKeys(Expression first, Expression second)
    {
        assertThat(ScanFilterKey.of(first)).isPresent();
        assertThat(ScanFilterKey.of(second)).isPresent();
        assertThat(ScanFilterKey.of(first)).isNotEqualTo(ScanFilterKey.of(second));
    }
}
