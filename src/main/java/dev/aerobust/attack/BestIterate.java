package dev.aerobust.attack;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * The best iterate of each row so far: the one with the lowest margin {@code Z_y - max_{j != y} Z_j}, so a
 * fooling iterate is never lost to a later one (CW-Linf best-iterate, PGD and its restarts). A NaN margin stops
 * the attack with a numeric error.
 */
final class BestIterate {

    private final String attack;
    private final Tensor best;
    private final double[] margin;

    /** Starts from the clean rows, with margins of +infinity. */
    BestIterate(String attack, Tensor x0) {
        this.attack = attack;
        this.best = x0.clone();
        this.margin = new double[(int) x0.size(0)];
        Arrays.fill(margin, Double.POSITIVE_INFINITY);
    }

    /** Keeps the rows of {@code candidate} whose margin beats the best so far. */
    void offer(Tensor candidate, double[] margins, int step) {
        take(candidate, margins, step, false);
    }

    /** Takes every row of {@code candidate} (a last-iterate attack). */
    void replace(Tensor candidate, double[] margins, int step) {
        take(candidate, margins, step, true);
    }

    private void take(Tensor candidate, double[] margins, int step, boolean all) {
        boolean[] t = new boolean[margins.length];
        for (int i = 0; i < margins.length; i++) {
            if (Double.isNaN(margins[i])) {
                throw new AerobustException(ExitCode.NUMERIC, attack + ": NaN margin at step " + step + " (row " + i
                        + ")");
            }
            if (all || margins[i] < margin[i]) {
                margin[i] = margins[i];
                t[i] = true;
            }
        }
        Rows.keep(best, candidate, t);
    }

    Tensor best() {
        return best;
    }

    /** Copies the kept margins into {@code out}. */
    void marginsInto(double[] out) {
        System.arraycopy(margin, 0, out, 0, margin.length);
    }
}
