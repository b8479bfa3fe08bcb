package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * Turns the result of a minimal-perturbation attack (DeepFool, the textbook CW-L2) into per-eps results, as
 * Foolbox does: for each eps, the found perturbation is clipped into the eps ball (L-infinity: clamped; L2:
 * rescaled), the outputs kept in [0, 1], and success is re-evaluated on the clipped input.
 */
final class MinimalPerturbation {

    /** The norm that eps bounds. */
    enum Norm { LINF, L2 }

    private MinimalPerturbation() {
    }

    static AttackResult clip(String attack, LogitsModel model, Tensor x0, Tensor y, Tensor found, double[] eps,
                             Norm norm) {
        long[] shape = Tensors.shape(x0);
        int n = (int) shape[0];
        float[] clean = Tensors.toFloats(x0);
        float[][] adv = new float[eps.length][];
        boolean[][] success = new boolean[eps.length][n];
        double[][] margin = new double[eps.length][n];
        for (int e = 0; e < eps.length; e++) {
            final double budget = eps[e];
            try (Scope s = Scope.open()) {
                Tensor xe = Autograd.noGrad(() -> {
                    Tensor d = found.sub(x0);
                    Tensor clipped;
                    if (norm == Norm.LINF) {
                        clipped = Ops.clamp(d, -budget, budget);
                    } else {
                        Tensor factor = Ops.clampMax(Ops.mul(Ops.normRows(d).reciprocal(), budget), 1.0);
                        clipped = d.mul(torch.nan_to_num(factor, new org.bytedeco.pytorch.DoubleOptional(1.0),
                                new org.bytedeco.pytorch.DoubleOptional(1.0), new org.bytedeco.pytorch.DoubleOptional(1.0))
                                .view(n, 1, 1, 1));
                    }
                    return Ops.clamp01(x0.add(clipped));
                });
                double[] mg = Tensors.toDoubles(Autograd.noGrad(() -> Margins.margin(model.logits(xe), y)));
                float[] xa = Tensors.toFloats(xe);
                double[] boxEps = new double[n];
                java.util.Arrays.fill(boxEps, norm == Norm.LINF ? budget : Double.POSITIVE_INFINITY);
                Invariants.check(attack, x0, clean, xe, boxEps);
                if (norm == Norm.L2) {
                    checkL2(attack, clean, xa, n, budget);
                }
                adv[e] = xa;
                for (int i = 0; i < n; i++) {
                    margin[e][i] = mg[i];
                    success[e][i] = mg[i] < 0;
                }
            }
        }
        return new AttackResult(eps.clone(), shape, adv, success, margin);
    }

    private static void checkL2(String attack, float[] clean, float[] adv, int n, double eps) {
        int per = clean.length / n;
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int j = 0; j < per; j++) {
                double d = adv[r * per + j] - clean[r * per + j];
                s += d * d;
            }
            if (Math.sqrt(s) > eps + 1e-4) {
                throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.NUMERIC, String.format(
                        "%s left the L2 ball in input %d: %.6f > eps %.6f", attack, r, Math.sqrt(s), eps));
            }
        }
    }
}
