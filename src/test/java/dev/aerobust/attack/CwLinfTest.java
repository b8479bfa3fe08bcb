package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.DType;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

@Tag("slow")
class CwLinfTest {

    static DefendedClassifier randomStack(long seed) {
        Engine.seed(seed);
        Classifier c = new Classifier(DatasetId.MNIST);
        Autoencoder ae = new Autoencoder(new Autoencoder.Spec(1, 28, 28, 16, true, Autoencoder.DecoderMean.SIGMOID,
                0.0025));
        DefendedClassifier d = DefendedClassifier.deterministic(c, ae);
        d.freeze();
        return d;
    }

    static CwLinf attack(int steps) {
        return new CwLinf(AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, steps, AttackConfig.BATCH_ROWS, 7), false);
    }

    @Test
    void outputsNeverLeaveTheEpsBoxOrTheDataRangeIncludingAllZeroAndAllOneImages() {
        DefendedClassifier model = randomStack(1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.cat(new org.bytedeco.pytorch.TensorVector(torch.rand(4, 1, 28, 28),
                    torch.zeros(2, 1, 28, 28), torch.ones(2, 1, 28, 28)));
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
            float[] clean = Tensors.toFloats(x);
            double[] eps = {0, 0.05, 0.3, 1};
            for (AttackKind v : new AttackKind[] {AttackKind.CW_LINF, AttackKind.CW_LINF_AUTHORS}) {
                AttackResult r = new CwLinf(AttackConfig.of(v, AttackConfig.STEPS, 15, AttackConfig.BATCH_ROWS, 5), false)
                        .run(model, x, y, eps);
                for (int e = 0; e < eps.length; e++) {
                    assertTrue(r.maxLinf(e, clean) <= eps[e] + Invariants.TOLERANCE, v + " eps " + eps[e]);
                    for (float p : r.adversarial()[e]) {
                        assertTrue(p >= 0 && p <= 1 && !Float.isNaN(p));
                    }
                    assertEquals(0, r.nanCount(e));
                }
                assertEquals(0, r.maxLinf(0, clean), "eps 0 leaves the input unchanged");
                assertArrayEquals(clean, Tensors.toFloats(x), "the clean input is untouched");
            }
        }
    }

    @Test
    void theInvariantCheckRejectsEveryKindOfViolation() {
        try (Scope s = Scope.open()) {
            Tensor clean = torch.full(new long[] {2, 3}, new Scalar(0.5));
            float[] before = Tensors.toFloats(clean);
            double[] eps = {0.1, 0.1};
            Invariants.check("t", clean, before, clean.add(new Scalar(0.1)), eps); // on the boundary: fine
            AerobustException box = assertThrows(AerobustException.class,
                    () -> Invariants.check("t", clean, before, clean.add(new Scalar(0.2)), eps));
            assertEquals(ExitCode.NUMERIC, box.exitCode());
            assertTrue(box.getMessage().contains("left the eps box"));
            assertTrue(assertThrows(AerobustException.class, () -> Invariants.check("t", clean, before,
                    clean.add(new Scalar(0.6)), new double[] {1, 1})).getMessage().contains("left [0, 1]"));
            assertTrue(assertThrows(AerobustException.class, () -> Invariants.check("t", clean, before,
                    clean.mul(new Scalar(Double.NaN)), eps)).getMessage().contains("NaN"));
            float[] changed = before.clone();
            changed[0] = 0.4f;
            assertTrue(assertThrows(AerobustException.class, () -> Invariants.check("t", clean, changed, clean, eps))
                    .getMessage().contains("modified its clean input"));
        }
    }

    /** With every logit negative, (1 - onehot) masking would pick the true class's 0; -inf masking cannot. */
    @Test
    void theTrueClassIsMaskedWithMinusInfinity() {
        try (Scope s = Scope.open()) {
            Tensor logits = Tensors.fromFloats(new float[] {-1, -5, -3, -2, -9, -4}, 2, 3);
            Tensor y = Tensors.fromLongs(new long[] {0, 2}, 2);
            assertArrayEquals(new float[] {-1 - (-3), -4 - (-2)}, Tensors.toFloats(Margins.margin(logits, y)));
        }
    }

    @Test
    void theSameSeedGivesTheSameAdversarials() {
        DefendedClassifier model = randomStack(2);
        try (Scope s = Scope.open()) {
            Engine.seed(5);
            Tensor x = torch.rand(3, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {1, 2, 3}, 3);
            AttackResult a = attack(10).run(model, x, y, new double[] {0.1});
            AttackResult b = attack(10).run(model, x, y, new double[] {0.1});
            assertArrayEquals(a.adversarial()[0], b.adversarial()[0]);
            assertArrayEquals(a.margin()[0], b.margin()[0]);
        }
    }

    @Test
    void negativeEpsIsAUsageError() {
        DefendedClassifier model = randomStack(2);
        try (Scope s = Scope.open()) {
            AerobustException e = assertThrows(AerobustException.class, () -> attack(1).run(model,
                    torch.rand(1, 1, 28, 28), Tensors.fromLongs(new long[] {1}, 1), new double[] {-0.1}));
            assertEquals(ExitCode.USAGE, e.exitCode());
        }
    }

    /** The gradient of the attack loss through autoencoder and classifier equals finite differences (float64). */
    @Test
    void attackLossGradientThroughTheWholeStackMatchesFiniteDifferences() {
        Engine.seed(9);
        Classifier c = new Classifier(1, 16, 16, 3, false);
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
            java.util.function.Function<Tensor, Tensor> loss = d -> d.pow(new Scalar(2.0)).sum()
                    .add(Margins.margin(stack.logits(x0.add(d)), y).sum());
            Tensor delta = torch.rand(2, 1, 16, 16).to(torch.ScalarType.Double).mul(new Scalar(0.05))
                    .set_requires_grad(true);
            loss.apply(delta).backward();
            double[] g = Tensors.toDoubles(delta.grad());
            double[] base = Tensors.toDoubles(delta.detach());
            double h = 1e-6;
            for (int i : new int[] {0, 9, 27, 64, 100, 300, 511}) {
                double[] p = base.clone();
                double[] m = base.clone();
                p[i] += h;
                m[i] -= h;
                double fp = Autograd.noGrad(() -> loss.apply(Tensors.fromDoubles(p, 2, 1, 16, 16)).item_double());
                double fm = Autograd.noGrad(() -> loss.apply(Tensors.fromDoubles(m, 2, 1, 16, 16)).item_double());
                assertEquals((fp - fm) / (2 * h), g[i], 1e-6, "d loss / d delta[" + i + "]");
            }
        }
    }

    /** On a model it can fool, an unbounded-enough attack reaches ~0% and accuracy never rises with eps. */
    @Test
    void accuracyFallsWithEpsAndALargeBudgetFoolsAlmostEverything() {
        Engine.seed(3);
        LogitsModel linear = new LogitsModel() {
            final Tensor w = torch.randn(10, 784).mul(new Scalar(0.05));

            @Override
            public Tensor logits(Tensor x) {
                return x.flatten(1, -1).matmul(w.t());
            }

            @Override
            public void freeze() {
            }
        };
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(40, 1, 28, 28);
            Tensor y = Autograd.noGrad(() -> linear.logits(x).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            double[] eps = {0, 0.01, 0.05, 0.3};
            AttackResult r = new CwLinf(AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, 60, AttackConfig.BATCH_ROWS, 1000), false)
                    .run(linear, x, y, eps);
            double prev = 2;
            for (int e = 0; e < eps.length; e++) {
                double acc = 1 - r.successRate(e);
                assertTrue(acc <= prev + 1e-12, "accuracy rose at eps " + eps[e]);
                prev = acc;
            }
            assertEquals(1.0, 1 - r.successRate(0), "eps 0 fools nothing");
            assertTrue(r.successRate(3) >= 0.99, "eps 0.3 success " + r.successRate(3));
        }
    }

    /**
     * Native resident memory stays flat (within 5%) from attack iteration 100 to iteration 1000. One engine
     * thread, so that per-thread allocator arenas of a loaded machine do not blur a leak of our own.
     */
    @Test
    void residentMemoryHoldsFlatOverAThousandIterations() {
        DefendedClassifier model = randomStack(6);
        int threads = Engine.threads();
        Engine.setThreads(1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(32, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[32], 32);
            CwLinf cw = attack(100);
            cw.run(model, x, y, new double[] {0.1}); // one-time allocations
            cw.run(model, x, y, new double[] {0.1});
            long at100 = nativeResident();
            for (int i = 1; i < 10; i++) {
                cw.run(model, x, y, new double[] {0.1});
            }
            long at1000 = nativeResident();
            assertTrue(at1000 <= at100 * 1.05, String.format("native RSS %d MiB at iteration 100, %d MiB at 1000",
                    at100 >> 20, at1000 >> 20));
        } finally {
            Engine.setThreads(threads);
        }
    }

    /** Resident memory less the Java heap, after a collection: what the engine holds. */
    static long nativeResident() {
        System.gc();
        return org.bytedeco.javacpp.Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }

    @Test
    void aSampledDefenseIsRandomizedAndItsSurrogateIsNot() {
        DefendedClassifier d = randomStack(4);
        Autoencoder ae = (Autoencoder) d.purifier();
        DefendedClassifier sampled = DefendedClassifier.sampled(new Classifier(DatasetId.MNIST), ae, 2);
        assertTrue(sampled.randomized());
        assertEquals(DefendedClassifier.Mode.DETERMINISTIC, sampled.attackSurrogate().mode());
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(2, 1, 28, 28);
            float[] a = Tensors.toFloats(Autograd.noGrad(() -> sampled.logits(x, 1)));
            float[] b = Tensors.toFloats(Autograd.noGrad(() -> sampled.logits(x, 1)));
            float[] c = Tensors.toFloats(Autograd.noGrad(() -> sampled.logits(x, 2)));
            assertArrayEquals(a, b);
            assertTrue(!java.util.Arrays.equals(a, c));
        }
        assertThrows(IllegalArgumentException.class, () -> DefendedClassifier.sampled(new Classifier(DatasetId.MNIST),
                new Autoencoder(new Autoencoder.Spec(1, 28, 28, 4, false, Autoencoder.DecoderMean.SIGMOID, 1)), 1));
    }

    /**
     * An EOT batch encodes once: the sampled defense's {@code logitsRepeated} gives the logits, and the input
     * gradient, of the repeated batch under the same noise; the deterministic stack repeats one pass.
     */
    @Test
    void anEotBatchSharesOneEncodingAndDrawsTheSameNoise() {
        DefendedClassifier d = randomStack(4);
        Classifier c = new Classifier(DatasetId.MNIST);
        c.freeze();
        DefendedClassifier sampled = DefendedClassifier.sampled(c, (Autoencoder) d.purifier(), 1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(3, 1, 28, 28);
            Tensor w = torch.randn(12, 10);
            for (DefendedClassifier m : new DefendedClassifier[] {sampled, d}) {
                Tensor xa = x.clone().set_requires_grad(true);
                Engine.seed(9);
                Tensor la = m.logitsRepeated(xa, 4);
                float[] ga = Tensors.toFloats(Autograd.grad(la.mul(w).sum(), xa, false));
                Tensor xb = x.clone().set_requires_grad(true);
                Engine.seed(9);
                Tensor lb = m.logits(dev.aerobust.nn.Ops.repeatRows(xb, 4));
                float[] gb = Tensors.toFloats(Autograd.grad(lb.mul(w).sum(), xb, false));
                assertArrayEquals(Tensors.toFloats(lb.detach()), Tensors.toFloats(la.detach()), 1e-4f, m.mode() + "");
                assertArrayEquals(gb, ga, 1e-5f, m.mode() + ": the input gradient");
                assertTrue(Math.abs(ga[0]) + Math.abs(ga[100]) + Math.abs(ga[500]) > 0, "a gradient flows");
            }
            Engine.seed(9);
            float[] l = Tensors.toFloats(Autograd.noGrad(() -> sampled.logitsRepeated(x, 2)));
            assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOfRange(l, 0, 30),
                    java.util.Arrays.copyOfRange(l, 30, 60)), "the draws differ");
        }
    }
}
