package dev.aerobust.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.attack.Margins;
import dev.aerobust.data.ImageSet;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.SanityReport;

/**
 * Checks from Carlini et al., "On Evaluating Adversarial Robustness": each failure is a warning, printed and
 * recorded with the results, never a silent pass.
 */
public final class Sanity {

    private static final double NOISE = 0.005;

    private Sanity() {
    }

    /** Robust accuracy must not rise with eps (beyond {@value #NOISE}, the noise of a sampled defense). */
    public static List<String> accuracyNeverRises(List<AttackRecord> records) {
        List<AttackRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingDouble(AttackRecord::eps));
        List<String> w = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            AttackRecord a = sorted.get(i - 1);
            AttackRecord b = sorted.get(i);
            if (b.robustAccuracy() > a.robustAccuracy() + NOISE) {
                w.add(String.format(Locale.ROOT, "robust accuracy rises from %.4f at eps %s to %.4f at eps %s:"
                        + " the attack is not converging", a.robustAccuracy(), a.eps(), b.robustAccuracy(), b.eps()));
            }
        }
        return w;
    }

    /** Images the sanity runs use. */
    public static final int RUN_IMAGES = 100;
    /** Accuracy an unbounded attack may leave, and the noise band of the step-doubling check. */
    public static final double SLACK = 0.02;

    /** The warnings of the small runs, and their numbers. */
    public record RunChecks(List<String> warnings, SanityReport.Runs runs) {
    }

    /**
     * Two small runs on the first {@value #RUN_IMAGES} images: the attack with eps = 1 (unbounded in [0, 1])
     * must leave about 0% accuracy, and twice the steps at the largest eps must change accuracy by no more than
     * {@value #SLACK}.
     */
    public static RunChecks runs(dev.aerobust.attack.Attack attack, LogitsModel attacked,
                                 dev.aerobust.defense.DefendedClassifier deployed, ImageSet set, double[] eps,
                                 long seed) {
        Double accMax = null;
        Double accTwice = null;
        double accU;
        int n = Math.min(RUN_IMAGES, set.size());
        int[] idx = new int[n];
        java.util.Arrays.setAll(idx, i -> i);
        double maxEps = java.util.Arrays.stream(eps).max().orElse(0);
        try (Scope s = Scope.open()) {
            Tensor x = set.images(idx);
            Tensor y = set.labels(idx);
            long[] labels = Tensors.toLongs(y);
            dev.aerobust.nn.Engine.seed(seed);
            // unbounded: the whole [0, 1] box, or for an L2 attack a ball that holds it
            double all = "cw-l2".equals(attack.name()) ? Math.sqrt(x.numel() / (double) n) : 1.0;
            var unbounded = attack.run(attacked, x, y, new double[] {all});
            accU = RobustAccuracy.of(deployed, unbounded.adversarial(0), labels, 500, 1, seed).mean();
            var twice = attack.doubled();
            if (twice != null && maxEps > 0) {
                dev.aerobust.nn.Engine.seed(seed);
                var base = attack.run(attacked, x, y, new double[] {maxEps});
                dev.aerobust.nn.Engine.seed(seed);
                var more = twice.run(attacked, x, y, new double[] {maxEps});
                accMax = RobustAccuracy.of(deployed, base.adversarial(0), labels, 500, 1, seed).mean();
                accTwice = RobustAccuracy.of(deployed, more.adversarial(0), labels, 500, 1, seed).mean();
            }
        }
        SanityReport.Runs runs = new SanityReport.Runs(accU, accMax, accTwice, maxEps, n);
        return new RunChecks(runWarnings(attack.name(), runs), runs);
    }

    /** The warnings the numbers of the small runs call for. */
    public static List<String> runWarnings(String attack, SanityReport.Runs r) {
        List<String> w = new ArrayList<>();
        if (r.unboundedAccuracy() > SLACK) {
            w.add(String.format(Locale.ROOT, "an unbounded %s leaves %.1f%% accuracy on %d images: the attack"
                    + " fails where it cannot (gradient masking, or too few steps)", attack,
                    100 * r.unboundedAccuracy(), r.images()));
        }
        if (r.accuracyAtMaxEps() != null) {
            double a = r.accuracyAtMaxEps();
            double b = r.accuracyAtMaxEpsDoubledSteps();
            if (b > a + SLACK) {
                w.add(String.format(Locale.ROOT, "twice the steps raised accuracy at eps %s from %.3f to %.3f on"
                        + " the first %d images: the attack is unstable", r.maxEps(), a, b, r.images()));
            } else if (b < a - SLACK) {
                w.add(String.format(Locale.ROOT, "twice the steps lowered accuracy at eps %s from %.3f to %.3f on"
                        + " the first %d images (the run's own record is over all its images): the attack has not"
                        + " converged", r.maxEps(), a, b, r.images()));
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
