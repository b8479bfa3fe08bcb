package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.DType;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * APGD's losses, schedule and strength, FAB-T's projection, Square's search and AutoAttack's ensemble, on models
 * where the answer is known.
 */
class ApgdSquareTest {

    /** Each loss's gradient through autoencoder and classifier equals central finite differences in float64. */
    @Test
    void lossGradientsThroughTheWholeStackMatchFiniteDifferences() {
        Engine.seed(21);
        Classifier c = new Classifier(1, 16, 16, 5, false);
        Autoencoder ae = new Autoencoder(new Autoencoder.Spec(1, 16, 16, 4, true, Autoencoder.DecoderMean.SIGMOID,
                0.0025));
        c.to(DType.FLOAT64);
        ae.to(DType.FLOAT64);
        c.train(false);
        ae.train(false);
        DefendedClassifier stack = DefendedClassifier.deterministic(c, ae);
        try (Scope s = Scope.open()) {
            Tensor x0 = torch.rand(2, 1, 16, 16).to(torch.ScalarType.Double);
            Tensor y = Tensors.fromLongs(new long[] {0, 2}, 2);
            Tensor t = Tensors.fromLongs(new long[] {3, 1}, 2);
            List<Function<Tensor, Tensor>> losses = List.of(
                    l -> Losses.crossEntropy(l, y), l -> Losses.dlr(l, y), l -> Losses.dlrTargeted(l, y, t));
            for (int k = 0; k < losses.size(); k++) {
                Function<Tensor, Tensor> f = losses.get(k);
                Function<Tensor, Tensor> loss = d -> f.apply(stack.logits(x0.add(d))).sum();
                Tensor delta = torch.rand(2, 1, 16, 16).to(torch.ScalarType.Double).mul(new Scalar(0.05))
                        .set_requires_grad(true);
                loss.apply(delta).backward();
                double[] g = Tensors.toDoubles(delta.grad());
                double[] base = Tensors.toDoubles(delta.detach());
                double h = 1e-6;
                for (int i : new int[] {0, 17, 64, 129, 255, 300, 511}) {
                    double[] p = base.clone();
                    double[] m = base.clone();
                    p[i] += h;
                    m[i] -= h;
                    double fp = Autograd.noGrad(() -> loss.apply(Tensors.fromDoubles(p, 2, 1, 16, 16)).item_double());
                    double fm = Autograd.noGrad(() -> loss.apply(Tensors.fromDoubles(m, 2, 1, 16, 16)).item_double());
                    assertEquals((fp - fm) / (2 * h), g[i], 1e-6 * Math.max(1, Math.abs(g[i])),
                            "loss " + k + ": d/d delta[" + i + "]");
                }
            }
        }
    }

    /** The values of the losses on logits worked by hand, and DLR's invariance to shift and scale. */
    @Test
    void lossValuesByHand() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensors.fromDoubles(new double[] {4, 1, 3, 0, -2}, 1, 5);
            Tensor y = Tensors.fromLongs(new long[] {0}, 1);
            Tensor t = Tensors.fromLongs(new long[] {3}, 1);
            // sorted: 4, 3, 1, 0, -2; DLR = -(4 - 3) / (4 - 1); targeted = -(4 - 0) / (4 - (1 + 0) / 2)
            assertEquals(-1.0 / 3, Losses.dlr(z, y).item_double(), 1e-12);
            assertEquals(-4.0 / 3.5, Losses.dlrTargeted(z, y, t).item_double(), 1e-12);
            double lse = Math.log(Math.exp(4) + Math.exp(1) + Math.exp(3) + Math.exp(0) + Math.exp(-2));
            assertEquals(lse - 4, Losses.crossEntropy(z, y).item_double(), 1e-12);
            Tensor moved = z.mul(new Scalar(7.0)).add(new Scalar(-3.0));
            assertEquals(Losses.dlr(z, y).item_double(), Losses.dlr(moved, y).item_double(), 1e-12);
            assertEquals(Losses.dlrTargeted(z, y, t).item_double(), Losses.dlrTargeted(moved, y, t).item_double(),
                    1e-12);
        }
    }

    /** The checkpoints of the paper for 100 iterations. */
    @Test
    void checkpointsFollowThePaper() {
        // p: 0.22, 0.41, 0.57, 0.70, 0.80, 0.87, 0.93, 0.99 (each step the last minus 0.03, at least 0.06)
        assertEquals(List.of(22, 41, 57, 70, 80, 87, 93, 99), List.copyOf(ApgdSchedule.checkpoints(100)));
        assertEquals(0.8, Square.p(0.8, 10, 10_000), 0.0);
        assertEquals(0.4, Square.p(0.8, 11, 10_000), 0.0);
        assertEquals(0.8 / 512, Square.p(0.8, 9_000, 10_000), 1e-15);
        assertEquals(0.8 / 4, Square.p(0.8, 60, 5_000), 1e-15);
    }

    /** Logits {@code x W^T}: a model whose worst case in an L-infinity box is known in closed form. */
    /**
     * The step-size rule on synthetic losses: a loss that never rises halves the step at every checkpoint
     * (condition 1); one that rises at every step keeps it; one that rises at every step but stays below an
     * earlier best is halved by condition 2 only, at every other checkpoint.
     */
    @Test
    void theStepIsHalvedByThePapersTwoConditions() {
        int steps = 100;
        List<Integer> w = List.copyOf(ApgdSchedule.checkpoints(steps));
        ApgdSchedule s = new ApgdSchedule(new double[] {0.1, 0.1, 0.1}, steps, new double[] {0, 0, 0});
        java.util.Map<Integer, double[]> etaAt = new java.util.TreeMap<>();
        for (int k = 1; k < steps; k++) {
            // row 0: flat; row 1: rising every step; row 2: rising every step, but below its best of step 41
            double up2 = k <= 41 ? k : 10 + 0.001 * (k - 41);
            s.observe(new double[] {0, k, up2});
            s.checkpoint(k);
            etaAt.put(k, s.eta().clone());
        }
        for (int j = 0; j < w.size() - 1; j++) {
            int k = w.get(j);
            assertEquals(0.2 / Math.pow(2, j + 1), etaAt.get(k)[0], 1e-15, "flat loss: halved at w_" + (j + 1));
            assertEquals(0.2, etaAt.get(k)[1], 1e-15, "rising loss: never halved");
        }
        // row 2 rises at every step (condition 1 never holds) and its best stays that of step 41: condition 2
        // halves at 57, not at 70 (halved at 57), again at 80
        assertEquals(0.2, etaAt.get(41)[2], 1e-15);
        assertEquals(0.1, etaAt.get(57)[2], 1e-15);
        assertEquals(0.1, etaAt.get(70)[2], 1e-15);
        assertEquals(0.05, etaAt.get(80)[2], 1e-15);
    }

    static final class Linear implements LogitsModel {
        final Tensor w;

        Linear(long seed) {
            Engine.seed(seed);
            w = torch.randn(10, 784).mul(new Scalar(0.05));
        }

        @Override
        public Tensor logits(Tensor x) {
            return x.flatten(1, -1).matmul(w.t());
        }

        @Override
        public void freeze() {
        }
    }

    /**
     * On a linear model the strongest L-infinity point is known in closed form per target class: moving every
     * pixel by eps against sign(w_y - w_j), clipped to [0, 1], minimises z_y - z_j exactly. APGD-T with every
     * target reaches that optimum's verdict (fooled or not) on every image; APGD-CE and Square never beat it.
     */
    @Test
    void onALinearModelApgdFindsTheOptimumAndNoAttackBeatsIt() {
        Linear model = new Linear(4);
        try (Scope s = Scope.open()) {
            Engine.seed(6);
            Tensor x = torch.rand(30, 1, 28, 28);
            Tensor logits = model.logits(x);
            Tensor y = dev.aerobust.nn.Ops.argmaxRows(logits);
            double[] eps = {0.02, 0.05};
            float[] px = Tensors.toFloats(x);
            long[] ys = Tensors.toLongs(y);
            float[] w = Tensors.toFloats(model.w);
            AttackResult t = new Apgd(AttackConfig.of(AttackKind.APGD_T, AttackConfig.STEPS, 60, AttackConfig.TARGETS,
                    9), false).run(model, x, y, eps);
            AttackResult ce = new Apgd(AttackConfig.of(AttackKind.APGD_CE, AttackConfig.STEPS, 60), false)
                    .run(model, x, y, eps);
            AttackResult sq = new Square(AttackConfig.of(AttackKind.SQUARE, AttackConfig.STEPS, 300), false)
                    .run(model, x, y, eps);
            int foolable = 0;
            for (int e = 0; e < eps.length; e++) {
                for (int i = 0; i < 30; i++) {
                    double best = Double.POSITIVE_INFINITY;
                    for (int j = 0; j < 10; j++) {
                        if (j == ys[i]) {
                            continue;
                        }
                        double mg = 0;
                        for (int p = 0; p < 784; p++) {
                            double d = w[(int) ys[i] * 784 + p] - w[j * 784 + p];
                            double v = px[i * 784 + p] - Math.signum(d) * eps[e];
                            v = Math.max(0, Math.min(1, v));
                            mg += d * v;
                        }
                        best = Math.min(best, mg);
                    }
                    foolable += best < 0 ? 1 : 0;
                    assertEquals(best < 0, t.success()[e][i], "apgd-t reaches the optimum's verdict, image " + i);
                    assertTrue(t.margin()[e][i] >= best - 1e-3, "nothing beats the optimum");
                    assertTrue(ce.margin()[e][i] >= best - 1e-3 && sq.margin()[e][i] >= best - 1e-3);
                    assertTrue(!ce.success()[e][i] || best < 0);
                    assertTrue(!sq.success()[e][i] || best < 0);
                }
            }
            assertTrue(foolable > 5 && foolable < 55, "the test's eps leave some images robust: " + foolable);
        }
    }

    /** Square, without a gradient, fools most of what the optimum fools on the linear model. */
    @Test
    void squareAloneFoolsALinearModelWithoutGradients() {
        Linear model = new Linear(8);
        try (Scope s = Scope.open()) {
            Engine.seed(2);
            Tensor x = torch.rand(20, 1, 28, 28);
            Tensor y = dev.aerobust.nn.Ops.argmaxRows(model.logits(x));
            Engine.seed(3);
            AttackResult sq = new Square(AttackConfig.of(AttackKind.SQUARE, AttackConfig.STEPS, 500), false)
                    .run(model, x, y, new double[] {0.1});
            int fooled = 0;
            for (boolean b : sq.success()[0]) {
                fooled += b ? 1 : 0;
            }
            assertTrue(fooled >= 18, "square fooled " + fooled + " of 20 at eps 0.1");
            Engine.seed(3);
            AttackResult again = new Square(AttackConfig.of(AttackKind.SQUARE, AttackConfig.STEPS, 500), false)
                    .run(model, x, y, new double[] {0.1});
            assertArrayEquals(sq.adversarial()[0], again.adversarial()[0], "same seed, same queries");
        }
    }

    /** FAB's primitive index sort gives the permutation of a stable sort of boxed indices, ties included. */
    @Test
    void fabSortIsTheStableSortOfItsKeys() {
        java.util.Random rnd = new java.util.Random(9);
        for (int n : new int[] {0, 1, 2, 15, 16, 17, 31, 33, 100, 784, 1000}) {
            for (boolean ties : new boolean[] {false, true}) {
                double[] key = new double[n];
                for (int i = 0; i < n; i++) {
                    key[i] = ties ? rnd.nextInt(7) / 6.0 : rnd.nextDouble();
                }
                int[] order = java.util.stream.IntStream.range(0, n).toArray();
                Fab.sortByKey(order, key);
                Integer[] boxed = java.util.stream.IntStream.range(0, n).boxed().toArray(Integer[]::new);
                java.util.Arrays.sort(boxed, (p, q) -> Double.compare(key[p], key[q]));
                assertArrayEquals(java.util.Arrays.stream(boxed).mapToInt(Integer::intValue).toArray(), order,
                        "n " + n + (ties ? " with ties" : ""));
            }
        }
    }

    /** FAB's projection against a bisection on the step t, an independent solution of the same problem. */
    @Test
    void fabProjectionIsTheSmallestStepOntoTheHyperplaneInsideTheBox() {
        java.util.Random rnd = new java.util.Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int per = trial % 4 == 0 ? 17 + rnd.nextInt(100) : 1 + rnd.nextInt(12);
            float[] x = new float[per];
            float[] w = new float[per];
            for (int i = 0; i < per; i++) {
                x[i] = rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 0f : 1f) : rnd.nextFloat();
                w[i] = rnd.nextInt(5) == 0 ? 0f : (float) rnd.nextGaussian();
            }
            double b = rnd.nextGaussian() * 2;
            double[] d = Fab.project(x, 0, w, per, b);
            double reach = 0;
            double dot = 0;
            double norm = 0;
            for (int i = 0; i < per; i++) {
                assertTrue(x[i] + d[i] >= -1e-9 && x[i] + d[i] <= 1 + 1e-9, "inside the box");
                dot += w[i] * d[i];
                norm = Math.max(norm, Math.abs(d[i]));
                reach += Math.abs(w[i]) * (w[i] * b > 0 ? 1 - x[i] : x[i]);
            }
            if (reach < Math.abs(b)) {
                assertEquals(reach * Math.signum(b), dot, 1e-5, "unreachable: the box's closest corner");
                continue;
            }
            assertEquals(b, dot, 1e-5, "on the hyperplane");
            double lo = 0;
            double hi = 1;
            for (int it = 0; it < 60; it++) {
                double t = (lo + hi) / 2;
                double s = 0;
                for (int i = 0; i < per; i++) {
                    s += Math.abs(w[i]) * Math.min(t, w[i] * b > 0 ? 1 - x[i] : x[i]);
                }
                if (s >= Math.abs(b)) {
                    hi = t;
                } else {
                    lo = t;
                }
            }
            assertEquals(hi, norm, 1e-6, "the smallest L-infinity step");
        }
    }

    /** The smallest eps at which the linear model's closed-form optimum fools image i, by bisection. */
    private static double smallestEps(float[] px, float[] w, long yi, int i) {
        double lo = 0;
        double hi = 1;
        for (int it = 0; it < 40; it++) {
            double e = (lo + hi) / 2;
            boolean fooled = false;
            for (int j = 0; j < 10 && !fooled; j++) {
                if (j == yi) {
                    continue;
                }
                double mg = 0;
                for (int p = 0; p < 784; p++) {
                    double d = w[(int) yi * 784 + p] - w[j * 784 + p];
                    mg += d * Math.max(0, Math.min(1, px[i * 784 + p] - Math.signum(d) * e));
                }
                fooled = mg < 0;
            }
            if (fooled) {
                hi = e;
            } else {
                lo = e;
            }
        }
        return hi;
    }

    /**
     * On a linear model FAB-T's linearisation is exact, so it lands on the closest boundary point of a target
     * class: it fools every image whose smallest fooling eps is well inside the budget and none whose is above
     * it. AutoAttack's standard ensemble reaches the optimum's verdict on every image.
     */
    @Test
    void onALinearModelFabIsMinimalAndAutoAttackReachesTheOptimum() {
        Linear model = new Linear(12);
        try (Scope s = Scope.open()) {
            Engine.seed(13);
            Tensor x = torch.rand(16, 1, 28, 28);
            Tensor y = dev.aerobust.nn.Ops.argmaxRows(model.logits(x));
            float[] px = Tensors.toFloats(x);
            long[] ys = Tensors.toLongs(y);
            float[] w = Tensors.toFloats(model.w);
            double[] eps = {0.01, 0.03};
            AttackResult fab = new Fab(AttackConfig.of(AttackKind.FAB_T, AttackConfig.STEPS, 20), false)
                    .run(model, x, y, eps);
            AttackResult aa = new AutoAttack(AttackConfig.of(AttackKind.AUTOATTACK), false).run(model, x, y, eps);
            int decided = 0;
            for (int i = 0; i < 16; i++) {
                double star = smallestEps(px, w, ys[i], i);
                for (int e = 0; e < eps.length; e++) {
                    assertEquals(star < eps[e], aa.success()[e][i], "autoattack, image " + i + " eps " + eps[e]);
                    if (star > eps[e]) {
                        assertTrue(!fab.success()[e][i], "nothing fools beyond the optimum");
                    } else if (star * 1.1 < eps[e]) {
                        assertTrue(fab.success()[e][i], "fab-t finds the boundary: image " + i + " eps* " + star);
                        decided++;
                    }
                }
            }
            assertTrue(decided > 3, "some images are foolable inside the budgets: " + decided);
        }
    }

    /**
     * BPDA: the logits of the stack, and as input gradient the classifier's gradient at the reconstruction (the
     * autoencoder's Jacobian replaced by the identity), in float64.
     */
    @Test
    void bpdaForwardIsTheStackAndItsGradientSkipsTheAutoencoder() {
        Engine.seed(31);
        Classifier c = new Classifier(1, 16, 16, 5, false);
        Autoencoder ae = new Autoencoder(new Autoencoder.Spec(1, 16, 16, 4, true, Autoencoder.DecoderMean.SIGMOID,
                0.0025));
        c.to(DType.FLOAT64);
        ae.to(DType.FLOAT64);
        DefendedClassifier stack = DefendedClassifier.deterministic(c, ae);
        stack.freeze();
        LogitsModel bpda = stack.bpda();
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(3, 1, 16, 16).to(torch.ScalarType.Double);
            Tensor y = Tensors.fromLongs(new long[] {0, 3, 4}, 3);
            assertArrayEquals(Tensors.toDoubles(stack.logits(x)), Tensors.toDoubles(bpda.logits(x)), 1e-12);
            Tensor xv = x.clone().set_requires_grad(true);
            Tensor g = Autograd.grad(Margins.margin(bpda.logits(xv), y).sum(), xv, false);
            Tensor r = Autograd.noGrad(() -> ae.reconstruct(x)).clone().set_requires_grad(true);
            Tensor gr = Autograd.grad(Margins.margin(c.logits(r), y).sum(), r, false);
            assertArrayEquals(Tensors.toDoubles(gr), Tensors.toDoubles(g), 1e-12);
            Tensor xf = x.clone().set_requires_grad(true);
            Tensor full = Autograd.grad(Margins.margin(stack.logits(xf), y).sum(), xf, false);
            double diff = 0;
            double[] a = Tensors.toDoubles(full);
            double[] b = Tensors.toDoubles(g);
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 1e-6, "the full gradient differs: the approximation is in force");
        }
    }
}
