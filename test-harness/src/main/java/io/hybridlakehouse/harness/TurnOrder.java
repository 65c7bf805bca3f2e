package io.hybridlakehouse.harness;

import com.google.common.collect.Collections2;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static com.google.common.base.Preconditions.checkArgument;
import static java.lang.Math.floorMod;

/**
 * The order in which the catalogs (or tables) of an interleaved stream take their turns, round
 * by round. Whichever goes right after another pays for what that one left behind: its garbage,
 * its background work, the threads it still keeps busy. On a 2-core machine, two catalogs of
 * ours over the same warehouse took 13 and 23 ms longer per INSERT (median, 200 rounds) when
 * placed right after the stock connector's INSERT and count(*) than the other one did a turn
 * later, whichever of the two it was: a fixed order charges the same one every time. Over each
 * n! rounds this order gives every permutation once, and each item follows each other item
 * equally often, from one round into the next included.
 */
final class TurnOrder
{
    // beyond 3 items the search below would go through (4!)! orders; no stream needs more
    private static final int MAX_ITEMS = 3;

    private static final Map<Integer, List<List<Integer>>> CYCLES = new ConcurrentHashMap<>();

    private TurnOrder() {}

    static <T> List<T> forRound(List<T> items, int round)
    {
        checkArgument(!items.isEmpty() && items.size() <= MAX_ITEMS, "Between 1 and %s items take turns, not %s", MAX_ITEMS, items.size());
        List<List<Integer>> cycle = CYCLES.computeIfAbsent(items.size(), TurnOrder::balancedCycle);
        return cycle.get(floorMod(round, cycle.size())).stream()
                .map(items::get)
                .toList();
    }

    private static List<List<Integer>> balancedCycle(int size)
    {
        List<List<Integer>> permutations = List.copyOf(Collections2.permutations(IntStream.range(0, size).boxed().toList()));
        for (List<List<Integer>> cycle : Collections2.permutations(permutations)) {
            if (successionsBalanced(cycle, size)) {
                return List.copyOf(cycle);
            }
        }
        throw new IllegalStateException("No order of the permutations of %s items lets each follow each other equally often".formatted(size));
    }

    /**
     * Whether, going through the cycle and back to its start, each item comes right after each
     * other item the same number of times.
     */
    static boolean successionsBalanced(List<List<Integer>> cycle, int size)
    {
        int[][] follows = successions(cycle, size);
        int expected = -1;
        for (int before = 0; before < size; before++) {
            for (int after = 0; after < size; after++) {
                if (before != after) {
                    if (expected < 0) {
                        expected = follows[before][after];
                    }
                    if (follows[before][after] != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * How often item {@code [after]} comes right after item {@code [before]} going through the
     * rounds of the cycle in turn and from the last back to the first.
     */
    static int[][] successions(List<List<Integer>> cycle, int size)
    {
        List<Integer> turns = cycle.stream().flatMap(List::stream).toList();
        int[][] follows = new int[size][size];
        for (int turn = 0; turn < turns.size(); turn++) {
            follows[turns.get(turn)][turns.get((turn + 1) % turns.size())]++;
        }
        return follows;
    }
}
