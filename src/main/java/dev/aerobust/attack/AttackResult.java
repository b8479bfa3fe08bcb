package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.nn.Tensors;

/**
 * What an attack returns, Foolbox-style: for each eps, the adversarial inputs, a success flag per input (the
 * attacked model no longer predicts the label) and the final margin {@code Z_y - max_{j != y} Z_j}.
 *
 * @param eps         the budgets
 * @param shape       the input shape {@code [n, C, H, W]}
 * @param adversarial per eps, the n adversarial inputs, flattened
 * @param success     [eps x inputs]
 * @param margin      [eps x inputs]
 * @param attacked    per eps, the inputs the attack ran on (with eps nesting, those no smaller eps had fooled; 0
 *                    at eps 0, where nothing moves)
 */
public record AttackResult(double[] eps, long[] shape, float[][] adversarial, boolean[][] success,
                           double[][] margin, int[] attacked) {

    /** A result whose attack ran on every input at every eps above 0. */
    public AttackResult(double[] eps, long[] shape, float[][] adversarial, boolean[][] success, double[][] margin) {
        this(eps, shape, adversarial, success, margin, java.util.Arrays.stream(eps).mapToInt(e -> e > 0
                ? (int) shape[0] : 0).toArray());
    }

    public int n() {
        return (int) shape[0];
    }

    /** The adversarial inputs for eps index {@code e} as a tensor. */
    public Tensor adversarial(int e) {
        return Tensors.fromFloats(adversarial[e], shape);
    }

    /** Fraction of inputs the attack fooled at eps index {@code e}. */
    public double successRate(int e) {
        int k = 0;
        for (boolean s : success[e]) {
            k += s ? 1 : 0;
        }
        return (double) k / success[e].length;
    }

    /** Largest L-infinity norm of a perturbation at eps index {@code e}. */
    public double maxLinf(int e, float[] clean) {
        double m = 0;
        for (int i = 0; i < clean.length; i++) {
            m = Math.max(m, Math.abs(adversarial[e][i] - clean[i]));
        }
        return m;
    }

    /** Largest L2 norm of a perturbation at eps index {@code e}. */
    public double maxL2(int e, float[] clean) {
        int per = clean.length / n();
        double m = 0;
        for (int r = 0; r < n(); r++) {
            double s = 0;
            for (int j = 0; j < per; j++) {
                double d = adversarial[e][r * per + j] - clean[r * per + j];
                s += d * d;
            }
            m = Math.max(m, Math.sqrt(s));
        }
        return m;
    }

    /** NaN values among the adversarial inputs at eps index {@code e} (always 0: the invariants reject NaN). */
    public int nanCount(int e) {
        int k = 0;
        for (float v : adversarial[e]) {
            k += Float.isNaN(v) ? 1 : 0;
        }
        return k;
    }
}
