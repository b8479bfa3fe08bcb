package dev.aerobust.eval;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * Accuracy of the deployed defense on a set of inputs: one number for a deterministic defense, the mean and
 * std over sampling seeds for a sampled one.
 */
public final class RobustAccuracy {

    /** Mean and std (0 for a deterministic model) over {@code samples} draws. */
    public record Value(double mean, double std, int samples) {
    }

    private RobustAccuracy() {
    }

    public static Value of(DefendedClassifier model, Tensor x, long[] labels, int batch, int samples, long seed) {
        int draws = model.randomized() ? samples : 1;
        double[] acc = new double[draws];
        for (int d = 0; d < draws; d++) {
            long correct = 0;
            int n = labels.length;
            for (int from = 0; from < n; from += batch) {
                int len = Math.min(batch, n - from);
                final int f = from;
                final long drawSeed = seed + d;
                try (Scope s = Scope.open()) {
                    long[] pred = Autograd.noGrad(() -> {
                        Tensor xb = x.narrow(0, f, len);
                        Tensor logits = model.randomized() ? model.logits(xb, drawSeed * 1_000_003L + f)
                                : model.logits(xb);
                        return Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                    });
                    for (int i = 0; i < len; i++) {
                        correct += pred[i] == labels[from + i] ? 1 : 0;
                    }
                }
            }
            acc[d] = (double) correct / labels.length;
        }
        double mean = 0;
        for (double a : acc) {
            mean += a / draws;
        }
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean);
        }
        return new Value(mean, draws > 1 ? Math.sqrt(var / (draws - 1)) : 0, draws);
    }
}
