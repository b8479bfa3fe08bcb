package dev.aerobust.attack;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * APGD's step-size schedule (Croce and Hein, ICML 2020, section 3.2), per row: the step starts at 2 eps; at each
 * checkpoint w_j it is halved if fewer than rho = 0.75 of the steps since w_{j-1} raised the loss (condition 1),
 * or if it was not halved at w_{j-1} and the best loss has not risen since (condition 2). The checkpoints are
 * w_j = ceil(p_j N), p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06).
 */
final class ApgdSchedule {

    static final double RHO = 0.75;

    private final TreeSet<Integer> checkpoints;
    private final int steps;
    private final double[] eta;
    private final double[] last;
    private final double[] best;
    private final int[] raised;
    private final double[] bestAtW;
    private boolean[] halvedAtW;
    private int lastW;

    /** For rows of budgets {@code eps} over {@code steps} iterations, starting at the losses {@code initial}. */
    ApgdSchedule(double[] eps, int steps, double[] initial) {
        this.checkpoints = checkpoints(steps);
        this.steps = steps;
        int n = eps.length;
        this.eta = Arrays.stream(eps).map(e -> 2 * e).toArray();
        this.last = initial.clone();
        this.best = initial.clone();
        this.raised = new int[n];
        this.bestAtW = initial.clone();
        this.halvedAtW = new boolean[n];
    }

    /** The checkpoints for {@code steps} iterations, w_0 = 0 left out. */
    static TreeSet<Integer> checkpoints(int steps) {
        TreeSet<Integer> w = new TreeSet<>();
        double prev = 0;
        double p = 0.22;
        while (p <= 1) {
            // ceil of p N, with p's rounding error (0.41 + 0.16 = 0.5700000000000001) not taking it a step up
            w.add((int) Math.ceil(p * steps - 1e-9));
            double next = p + Math.max(p - prev - 0.03, 0.06);
            prev = p;
            p = next;
        }
        return w;
    }

    /** The current step size of each row (live: it changes at the checkpoints). */
    double[] eta() {
        return eta;
    }

    /**
     * Records the losses after iteration {@code k} (1-based); returns the rows whose loss is the best so far. A NaN
     * loss is a row no longer attacked (it was fooled): its state stays as it was.
     */
    boolean[] observe(double[] loss) {
        boolean[] better = new boolean[loss.length];
        for (int i = 0; i < loss.length; i++) {
            if (Double.isNaN(loss[i])) {
                continue;
            }
            if (loss[i] > last[i]) {
                raised[i]++;
            }
            if (loss[i] > best[i]) {
                best[i] = loss[i];
                better[i] = true;
            }
            last[i] = loss[i];
        }
        return better;
    }

    /**
     * At iteration {@code k} (1-based, after {@link #observe}): if k is a checkpoint, the rows whose step is halved
     * (they restart from their best point, whose loss becomes the last one); null otherwise.
     */
    boolean[] checkpoint(int k) {
        if (!checkpoints.contains(k) || k >= steps) {
            return null;
        }
        int n = eta.length;
        boolean[] halve = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean c1 = raised[i] < RHO * (k - lastW);
            boolean c2 = !halvedAtW[i] && bestAtW[i] >= best[i];
            halve[i] = c1 || c2;
            if (halve[i]) {
                eta[i] /= 2;
                last[i] = best[i];
            }
            raised[i] = 0;
            bestAtW[i] = best[i];
        }
        halvedAtW = halve;
        lastW = k;
        return halve;
    }
}
