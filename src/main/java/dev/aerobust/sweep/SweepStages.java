package dev.aerobust.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * A sweep's units to run on a cluster, in stages: every unit of a stage may run at once, for the units it needs
 * are in earlier stages (the classifiers first; then the autoencoders and the attacks on the classifiers; then
 * the attacks on the stacks). A stage holds the units not done, and the done units that need a unit still to run:
 * a model trained again to other weights sets aside the records made with it (weightless stores), and such a unit,
 * run again, redoes only what was set aside.
 */
public final class SweepStages {

    /** One unit: its number in the plan (from 1), its label, and its estimated seconds. */
    public record Unit(int number, String label, double seconds) {
    }

    private SweepStages() {
    }

    /** The stages of {@code runner}'s sweep given its plan ({@link SweepRunner#plan(int)}); empty if all is done. */
    public static List<List<Unit>> of(SweepRunner runner, List<SweepRunner.Step> plan) {
        List<Sweep.Unit> units = runner.order();
        boolean[] done = new boolean[units.size()];
        for (int i = 0; i < done.length; i++) {
            done[i] = plan.get(i).done();
        }
        int[] stage = Scheduler.stages(runner.dependencies(units), done);
        List<List<Unit>> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            int s = stage[i];
            if (s >= 0) {
                while (out.size() <= s) {
                    out.add(new ArrayList<>());
                }
                SweepRunner.Step step = plan.get(i);
                out.get(s).add(new Unit(i + 1, units.get(i).label(), step.seconds()));
            }
        }
        return out;
    }
}
