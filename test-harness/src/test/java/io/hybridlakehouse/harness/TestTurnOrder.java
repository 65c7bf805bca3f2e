package io.hybridlakehouse.harness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class TestTurnOrder
{
    @Test
    public void testEachFollowsEachOtherEquallyOftenOverTheCycle()
    {
        for (List<String> items : List.of(List.of("lakehouse"), List.of("lakehouse", "iceberg"), List.of("lakehouse", "iceberg", "memory"))) {
            int rounds = factorial(items.size());
            Set<List<String>> orders = new HashSet<>();
            List<String> turns = new ArrayList<>();
            int[][] atPosition = new int[items.size()][items.size()];
            for (int round = 0; round < 3 * rounds; round++) {
                List<String> order = TurnOrder.forRound(items, round);
                assertThat(order).containsExactlyInAnyOrderElementsOf(items);
                // the cycle repeats: round n! is round 0 again
                assertThat(order).isEqualTo(TurnOrder.forRound(items, round % rounds));
                orders.add(order);
                turns.addAll(order);
                for (int position = 0; position < order.size(); position++) {
                    atPosition[items.indexOf(order.get(position))][position]++;
                }
            }
            assertThat(orders).hasSize(rounds);
            for (int[] positions : atPosition) {
                assertThat(positions).containsOnly(3 * rounds / items.size());
            }
            // over whole cycles (and across their boundaries) every ordered pair of two items
            // occurs the same number of times, one right after the other
            int[][] follows = new int[items.size()][items.size()];
            for (int turn = 0; turn + 1 < turns.size(); turn++) {
                follows[items.indexOf(turns.get(turn))][items.indexOf(turns.get(turn + 1))]++;
            }
            Set<Integer> counts = new HashSet<>();
            for (int before = 0; before < items.size(); before++) {
                for (int after = 0; after < items.size(); after++) {
                    if (before != after) {
                        counts.add(follows[before][after]);
                    }
                }
            }
            // the last turn of the last round has no successor: one pair may be one short
            assertThat(counts.isEmpty() || counts.stream().mapToInt(Integer::intValue).max().getAsInt() - counts.stream().mapToInt(Integer::intValue).min().getAsInt() <= 1)
                    .as("successions of %s: %s", items, counts)
                    .isTrue();
        }
    }

    @Test
    public void testFixedOrderIsNotBalanced()
    {
        // the check the search relies on tells a fixed order from a balanced one
        List<List<Integer>> fixed = List.of(List.of(0, 1, 2), List.of(0, 1, 2));
        assertThat(TurnOrder.successionsBalanced(fixed, 3)).isFalse();
        assertThat(TurnOrder.successions(fixed, 3)[0][1]).isEqualTo(2);
        assertThat(TurnOrder.successions(fixed, 3)[1][0]).isZero();
    }

    @Test
    public void testNegativeRoundsAndTooManyItems()
    {
        assertThat(TurnOrder.forRound(List.of("a", "b"), -1)).isEqualTo(TurnOrder.forRound(List.of("a", "b"), 1));
        assertThatThrownBy(() -> TurnOrder.forRound(List.of("a", "b", "c", "d"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Between 1 and 3 items take turns, not 4");
        assertThatThrownBy(() -> TurnOrder.forRound(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int factorial(int n)
    {
        return n <= 1 ? 1 : n * factorial(n - 1);
    }
}
