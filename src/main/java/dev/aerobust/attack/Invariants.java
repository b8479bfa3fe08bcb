package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * The hard invariants of every attack output, checked in code on every result: inside the eps box (plus a
 * float tolerance), inside [0, 1], no NaN, and the clean input untouched; and every margin the attack reports
 * for its rows is a number. A violation is an error, never a silently reported number.
 */
public final class Invariants {

    /** Float tolerance on the eps box. */
    public static final double TOLERANCE = 1e-6;

    private Invariants() {
    }

    /**
     * @param clean       the clean inputs {@code [n, ...]} after the attack
     * @param cleanBefore a copy of the clean inputs taken before the attack
     * @param adv         adversarial inputs {@code [n, ...]}
     * @param eps         the budget of each row (NaN or infinite: no box)
     */
    public static void check(String attack, Tensor clean, float[] cleanBefore, Tensor adv, double[] eps) {
        float[] c = Tensors.toFloats(clean);
        if (!java.util.Arrays.equals(c, cleanBefore)) {
            throw new AerobustException(ExitCode.NUMERIC, attack + " modified its clean input");
        }
        float[] a = Tensors.toFloats(adv);
        if (a.length != c.length) {
            throw new AerobustException(ExitCode.NUMERIC, attack + " returned " + a.length + " values for "
                    + c.length + " inputs");
        }
        int per = c.length / eps.length;
        for (int i = 0; i < a.length; i++) {
            int row = i / per;
            if (Float.isNaN(a[i])) {
                throw new AerobustException(ExitCode.NUMERIC, attack + " produced NaN in input " + row);
            }
            if (a[i] < 0 || a[i] > 1) {
                throw new AerobustException(ExitCode.NUMERIC, String.format(
                        "%s left [0, 1] in input %d: pixel %d is %.8f", attack, row, i % per, a[i]));
            }
            double d = Math.abs(a[i] - c[i]);
            if (Double.isFinite(eps[row]) && d > eps[row] + TOLERANCE) {
                throw new AerobustException(ExitCode.NUMERIC, String.format(
                        "%s left the eps box in input %d: |delta| = %.8f > eps %.6f", attack, row, d, eps[row]));
            }
        }
    }

    /**
     * Every row's margin is a number (a NaN would count as "not fooled" and pass for robustness).
     *
     * @param firstRow the run's index of {@code margins[0]}, for the message
     */
    public static void checkMargins(String attack, double[] margins, int firstRow) {
        for (int i = 0; i < margins.length; i++) {
            if (Double.isNaN(margins[i])) {
                throw new AerobustException(ExitCode.NUMERIC, attack + " gave a NaN margin in row " + (firstRow + i));
            }
        }
    }
}
