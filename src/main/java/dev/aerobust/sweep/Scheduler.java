package dev.aerobust.sweep;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import dev.aerobust.attack.AttackConfig;

/**
 * What may start now: the one rule of a sweep's runners (one unit at a time, {@code --jobs}, its estimate of the
 * wall time, and Spark's stages). A unit may start once the units it needs are done (an attack's trained model and
 * classifier, an autoencoder's classifier) and nothing running shares its work (the same attack on one model's
 * deterministic surrogate under two defenses: the second takes the first's rows).
 */
final class Scheduler {

    /** What each unit shares with others ({@link #key}): units of equal keys never run at once. */
    private final Object[] keys;
    private final int[][] deps;
    private final boolean[] done;
    private final boolean[] started;
    private final Set<Object> busy = new HashSet<>();

    /** The units in the runner's order, their dependencies, and which are done already. */
    Scheduler(List<Sweep.Unit> units, int[][] deps, boolean[] done) {
        this(units.stream().map(Scheduler::key).toArray(), deps, done);
    }

    /** Units known by their keys alone (a simulation's). */
    Scheduler(Object[] keys, int[][] deps, boolean[] done) {
        this.keys = keys;
        this.deps = deps;
        this.done = done.clone();
        this.started = done.clone();
    }

    /** Whether unit {@code i} may start now. */
    boolean ready(int i) {
        return !started[i] && !busy.contains(keys[i]) && Arrays.stream(deps[i]).allMatch(d -> done[d]);
    }

    /** How many units may start now. */
    int readyCount() {
        return (int) IntStream.range(0, keys.length).filter(this::ready).count();
    }

    void start(int i) {
        started[i] = true;
        busy.add(keys[i]);
    }

    void finish(int i) {
        done[i] = true;
        busy.remove(keys[i]);
    }

    /** A unit that failed or was stopped: its work is free again (it is not done). */
    void release(int i) {
        busy.remove(keys[i]);
    }

    /** A unit done before that must run again (its records were set aside). */
    void redo(int i) {
        done[i] = false;
        started[i] = false;
    }

    boolean done(int i) {
        return done[i];
    }

    boolean started(int i) {
        return started[i];
    }

    /** Whether a unit that has run needs unit {@code i}, done before this run: so a training of this run set it aside. */
    boolean dependsOnRunning(int i, boolean[] ran) {
        return Arrays.stream(deps[i]).anyMatch(d -> ran[d]);
    }

    /**
     * What must not run at once: the same attack on one model's deterministic surrogate under two defenses (the
     * second takes the first's rows), or a unit with itself. An attack on the randomized model (EOT) shares
     * nothing across latent scales.
     */
    static Object key(Sweep.Unit u) {
        if (u instanceof Sweep.AttackUnit a && !a.create(false).attacksRandomizedModel()) {
            return List.of(a.model(), a.attack().get(AttackConfig.ATTACK));
        }
        return u;
    }

    /**
     * The units in the order the runner starts them when several may: longest path to the sweep's end first (a
     * unit's estimate plus the longest path of the units that wait for it), then plan order. A long training that
     * many attacks wait for starts before the short attacks that could run beside it, so the run does not end with
     * one core busy behind it and the others idle.
     */
    static int[] byCriticalPath(int[][] deps, List<SweepRunner.Step> plan) {
        int n = plan.size();
        List<List<Integer>> waiting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiting.add(new ArrayList<>());
        }
        for (int j = 0; j < n; j++) {
            for (int d : deps[j]) {
                waiting.get(d).add(j);
            }
        }
        double[] path = new double[n];
        // a unit's dependencies come before it in the plan, so the units that wait for it come after
        for (int i = n - 1; i >= 0; i--) {
            double after = 0;
            for (int j : waiting.get(i)) {
                after = Math.max(after, path[j]);
            }
            path[i] = (plan.get(i).done() ? 0 : plan.get(i).seconds()) + after;
        }
        return IntStream.range(0, n).boxed()
                .sorted(java.util.Comparator.comparingDouble((Integer i) -> -path[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * Each unit's stage (-1 for a unit done that needs no unit still to run): every unit of a stage may run at once,
     * for the units it needs are in earlier stages.
     */
    static int[] stages(int[][] deps, boolean[] done) {
        int[] stage = new int[deps.length];
        // a unit's dependencies come before it
        for (int i = 0; i < deps.length; i++) {
            int s = done[i] ? -1 : 0;
            for (int d : deps[i]) {
                if (stage[d] >= 0) {
                    s = Math.max(s, stage[d] + 1);
                }
            }
            stage[i] = s;
        }
        return stage;
    }
}
