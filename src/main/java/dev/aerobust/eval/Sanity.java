package dev.aerobust.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.attack.Margins;
import dev.aerobust.data.ImageSet;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * Checks from Carlini et al., "On Evaluating Adversarial Robustness": each failure is a warning, printed and
 * recorded with the results, never a silent pass.
 */
public final class Sanity {

    private static final double NOISE = 0.005;

    private Sanity() {
    }

    /** Robust accuracy must not rise with eps (beyond {@value #NOISE}, the noise of a sampled defense). */
    public static List<String> accuracyNeverRises(List<Map<String, Object>> records) {
        List<Map<String, Object>> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingDouble(r -> ((Number) r.get("eps")).doubleValue()));
        List<String> w = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            double a = ((Number) sorted.get(i - 1).get("robust_accuracy")).doubleValue();
            double b = ((Number) sorted.get(i).get("robust_accuracy")).doubleValue();
            if (b > a + NOISE) {
                w.add(String.format(Locale.ROOT, "robust accuracy rises from %.4f at eps %s to %.4f at eps %s:"
                        + " the attack is not converging", a, sorted.get(i - 1).get("eps"), b, sorted.get(i).get("eps")));
            }
        }
        return w;
    }

    /** The attacked model's input gradients on the first images must be finite and not all zero. */
    public static List<String> gradients(LogitsModel model, ImageSet set) {
        int n = Math.min(16, set.size());
        int[] idx = new int[n];
        java.util.Arrays.setAll(idx, i -> i);
        List<String> w = new ArrayList<>();
        try (Scope s = Scope.open()) {
            Tensor x = set.images(idx).set_requires_grad(true);
            Tensor g = Autograd.grad(Margins.margin(model.logits(x), set.labels(idx)).sum(), x, false);
            float[] v = Tensors.toFloats(g);
            int per = v.length / n;
            int zero = 0;
            for (int i = 0; i < n; i++) {
                double norm = 0;
                for (int j = 0; j < per; j++) {
                    float a = v[i * per + j];
                    if (Float.isNaN(a)) {
                        w.add("NaN input gradient on image " + i);
                        return w;
                    }
                    norm += a * a;
                }
                zero += norm == 0 ? 1 : 0;
            }
            if (zero > 0) {
                w.add(zero + " of " + n + " images have an all-zero input gradient: gradient masking, or a"
                        + " saturated model");
            }
        }
        return w;
    }
}
