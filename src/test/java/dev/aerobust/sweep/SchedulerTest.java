package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The one rule of what starts when: longest path to the end first, never before what a unit needs. */
class SchedulerTest {

    private static SweepRunner.Step step(double seconds, boolean done) {
        return new SweepRunner.Step("u", done, seconds, "k");
    }

    /**
     * A classifier (0), two short attacks on it (1, 2), and a long training (3) that two attacks wait for (4, 5):
     * once the classifier is done, the long training starts first, ahead of the short attacks listed before it;
     * a unit done counts for nothing.
     */
    @Test
    void theLongestPathToTheEndStartsFirst() {
        int[][] deps = {{}, {0}, {0}, {0}, {3, 0}, {3, 0}};
        List<SweepRunner.Step> plan = List.of(step(10, false), step(5, false), step(6, false), step(100, false),
                step(20, false), step(30, false));
        assertArrayEquals(new int[] {0, 3, 5, 4, 2, 1}, Scheduler.byCriticalPath(deps, plan));
        List<SweepRunner.Step> trained = List.of(step(10, true), step(5, false), step(6, false), step(100, true),
                step(20, false), step(30, false));
        // done, the classifier and the training count for nothing but the path behind them
        assertArrayEquals(new int[] {0, 3, 5, 4, 2, 1}, Scheduler.byCriticalPath(deps, trained));
        assertArrayEquals(new int[] {-1, 0, 0, -1, 0, 0}, Scheduler.stages(deps, new boolean[] {true, false, false,
            true, false, false}));
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2}, Scheduler.stages(deps, new boolean[6]));
    }

    /** Simulated on two jobs, the long training no longer ends the run alone on one core. */
    @Test
    void twoJobsFinishSoonerWithTheLongPathFirst() {
        int[][] deps = {{}, {0}, {0}, {0}, {0}, {3, 0}};
        List<SweepRunner.Step> plan = List.of(step(10, false), step(40, false), step(40, false), step(100, false),
                step(40, false), step(10, false));
        // plan order would start 1 and 2 beside each other, then 3 and 4, then 5 after 3: 10 + 40 + 100 + 10 = 160;
        // the long path first: 3 beside 1, 2 and 4 while it runs, 5 after it: 10 + 40 + 40 + 40 = 130
        assertEquals(130, SweepJobs.simulatedWallSeconds(plan, deps, 2), 1e-9);
    }
}
