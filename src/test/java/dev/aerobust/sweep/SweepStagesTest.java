package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stages a sweep runs in on Spark: every unit after the units it needs, done units left out unless a unit
 * they need runs again.
 */
class SweepStagesTest {

    @TempDir
    Path tmp;

    private SweepRunner paper() {
        return new SweepRunner(Sweep.bundled("paper-mnist").orElseThrow(), tmp, null, new dev.aerobust.store.ResultsStore(tmp));
    }

    private static List<SweepRunner.Step> plan(List<Sweep.Unit> order, java.util.function.Predicate<Sweep.Unit> done) {
        return order.stream().map(u -> new SweepRunner.Step(u.label(), done.test(u), 1, "k")).toList();
    }

    @Test
    void nothingDoneRunsTheClassifierThenTheAutoencodersAndItsAttacksThenTheAttacksOnTheStacks() {
        SweepRunner r = paper();
        List<Sweep.Unit> order = r.order();
        List<List<SweepStages.Unit>> stages = SweepStages.of(r, plan(order, u -> false));
        assertEquals(3, stages.size());
        assertEquals(order.size(), stages.stream().mapToInt(List::size).sum(), "every unit once");
        assertEquals(List.of("train classifier mnist seed 0"), stages.get(0).stream().map(SweepStages.Unit::label)
                .toList());
        for (SweepStages.Unit u : stages.get(1)) {
            assertTrue(u.label().startsWith("train ") || u.label().endsWith("on classifier mnist"), u.label());
        }
        for (SweepStages.Unit u : stages.get(2)) {
            assertTrue(u.label().startsWith("attack ") && !u.label().contains("on classifier"), u.label());
        }
        // the numbers are the plan's, and a unit's needs are in earlier stages
        Map<Integer, Integer> stageOf = new HashMap<>();
        for (int s = 0; s < stages.size(); s++) {
            for (SweepStages.Unit u : stages.get(s)) {
                assertEquals(order.get(u.number() - 1).label(), u.label());
                stageOf.put(u.number(), s);
            }
        }
        int[][] deps = r.dependencies(order);
        for (int i = 0; i < order.size(); i++) {
            for (int d : deps[i]) {
                assertTrue(stageOf.get(d + 1) < stageOf.get(i + 1), order.get(i).label());
            }
        }
    }

    @Test
    void doneUnitsAreLeftOutUnlessAUnitTheyNeedRunsAgain() {
        SweepRunner r = paper();
        List<Sweep.Unit> order = r.order();
        Sweep.Unit classifier = order.get(0);
        Sweep.Unit ae = order.stream().filter(u -> u.label().equals("train ae mnist stp 0.1")).findFirst().orElseThrow();
        // the classifier and the AE at stp 0.1 done: the other autoencoders, and the AE's attacks, start at once
        List<List<SweepStages.Unit>> stages = SweepStages.of(r, plan(order, u -> u == classifier || u == ae));
        assertEquals(2, stages.size());
        List<String> first = stages.get(0).stream().map(SweepStages.Unit::label).toList();
        assertTrue(first.contains("attack cw-linf on ae stp 0.1 mnist") && first.contains("train dae mnist stp 0.1")
                && !first.contains("train ae mnist stp 0.1") && !first.contains("train classifier mnist seed 0"),
                first.toString());
        assertEquals(order.size() - 2, stages.stream().mapToInt(List::size).sum());

        // everything done but the classifier (its weights left out, to be trained again): every unit on it goes
        // again, for its records are set aside if it trains to other weights
        stages = SweepStages.of(r, plan(order, u -> u != classifier));
        assertEquals(order.size(), stages.stream().mapToInt(List::size).sum());

        // everything done: nothing to run
        assertEquals(List.of(), SweepStages.of(r, plan(order, u -> true)));
    }
}
