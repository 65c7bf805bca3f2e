package io.hybridlakehouse.plugin.rewrite;

import io.airlift.stats.CounterStat;
import io.trino.spi.connector.SchemaTableName;
import org.weakref.jmx.Managed;
import org.weakref.jmx.Nested;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Rewrite decisions of this coordinator: queries answered from a view (hits) and views that
 * could not answer an aggregation over their base, by reason (misses). Exported to JMX and
 * read by {@code system.mv_rewrites}.
 */
public class RewriteStats
{
    public static final String HIT = "hit";
    public static final String MISS = "miss";

    public record Decision(SchemaTableName view, SchemaTableName base, String outcome, String reason)
    {
        public Decision
        {
            requireNonNull(view, "view is null");
            requireNonNull(base, "base is null");
            requireNonNull(outcome, "outcome is null");
            requireNonNull(reason, "reason is null");
        }
    }

    private final CounterStat hits = new CounterStat();
    private final CounterStat misses = new CounterStat();
    private final ConcurrentMap<Decision, AtomicLong> decisions = new ConcurrentHashMap<>();

    public void record(Decision decision)
    {
        (decision.outcome().equals(HIT) ? hits : misses).update(1);
        decisions.computeIfAbsent(decision, _ -> new AtomicLong()).incrementAndGet();
    }

    public List<DecisionCount> decisions()
    {
        return decisions.entrySet().stream()
                .map(entry -> new DecisionCount(entry.getKey(), entry.getValue().get()))
                .toList();
    }

    public record DecisionCount(Decision decision, long queries) {}

    @Managed
    @Nested
    public CounterStat getHits()
    {
        return hits;
    }

    @Managed
    @Nested
    public CounterStat getMisses()
    {
        return misses;
    }
}
