package dev.aerobust.eval;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * Accuracy of the deployed defense on a set of inputs: one number for a deterministic defense, the mean and
 * std over sampling seeds for a sampled one.
 */
public final class RobustAccuracy {

    /**
     * Mean and std (0 for a deterministic model) over {@code samples} draws, and per image the number of draws
     * that classified it correctly.
     */
    public record Value(double mean, double std, int samples, int[] correct) {

        /** Per image: correct under every draw. */
        public boolean[] robust() {
            boolean[] r = new boolean[correct.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = correct[i] == samples;
            }
            return r;
        }
    }

    private RobustAccuracy() {
    }

    public static Value of(DefendedClassifier model, Tensor x, long[] labels, int batch, int samples, long seed) {
        int draws = model.randomized() ? samples : 1;
        int n = labels.length;
        int[] correct = new int[n];
        double[] acc = new double[draws];
        for (int d = 0; d < draws; d++) {
            long right = 0;
            for (int from = 0; from < n; from += batch) {
                int len = Math.min(batch, n - from);
                final int f = from;
                final long drawSeed = seed + d;
                try (Scope s = Scope.open()) {
                    long[] pred = Autograd.noGrad(() -> {
                        Tensor xb = x.narrow(0, f, len);
                        Tensor logits = model.randomized() ? model.logits(xb, drawSeed * 1_000_003L + f)
                                : model.logits(xb);
                        return Tensors.toLongs(Ops.argmaxRows(logits));
                    });
                    for (int i = 0; i < len; i++) {
                        if (pred[i] == labels[from + i]) {
                            right++;
                            correct[from + i]++;
                        }
                    }
                }
            }
            acc[d] = (double) right / n;
        }
        double mean = 0;
        for (double a : acc) {
            mean += a / draws;
        }
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean);
        }
        return new Value(mean, draws > 1 ? Math.sqrt(var / (draws - 1)) : 0, draws, correct);
    }
}
