package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/** DeepFool, the textbook CW-L2 and PGD: budgets respected, success where the model is easy to fool. */
class MinimalAttacksTest {

    static LogitsModel linear(long seed) {
        Engine.seed(seed);
        Tensor w = torch.randn(10, 784).mul(new Scalar(0.05));
        return new LogitsModel() {
            @Override
            public Tensor logits(Tensor x) {
                return x.flatten(1, -1).matmul(w.t());
            }

            @Override
            public void freeze() {
            }
        };
    }

    static double l2(float[] a, float[] b, int row, int per) {
        double s = 0;
        for (int j = 0; j < per; j++) {
            double d = a[row * per + j] - b[row * per + j];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    @Test
    void deepFoolFoolsALinearModelAndRespectsEachBox() {
        LogitsModel m = linear(1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(20, 1, 28, 28);
            Tensor y = Autograd.noGrad(() -> m.logits(x).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            float[] clean = Tensors.toFloats(x);
            double[] eps = {0, 0.02, 0.3};
            AttackResult r = new DeepFool(AttackConfig.of(AttackKind.DEEPFOOL)).run(m, x, y, eps);
            for (int e = 0; e < eps.length; e++) {
                assertTrue(r.maxLinf(e, clean) <= eps[e] + Invariants.TOLERANCE);
            }
            assertEquals(0, r.successRate(0));
            assertTrue(r.successRate(2) >= 0.95, "deepfool success at 0.3: " + r.successRate(2));
            assertTrue(r.successRate(1) <= r.successRate(2));
            assertArrayEquals(clean, Tensors.toFloats(x));
        }
    }

    @Test
    void cwL2KeepsTheSmallestSuccessfulPerturbationInsideEachL2Ball() {
        LogitsModel m = linear(2);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(10, 1, 28, 28).mul(new Scalar(0.8)).add(new Scalar(0.1));
            Tensor y = Autograd.noGrad(() -> m.logits(x).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            float[] clean = Tensors.toFloats(x);
            double[] eps = {0.1, 1, 50};
            AttackResult r = new CwL2(AttackConfig.of(AttackKind.CW_L2, AttackConfig.SEARCH_STEPS, 5, AttackConfig.STEPS, 60,
                    AttackConfig.LR, 0.05, AttackConfig.INITIAL_CONST, 1e-1)).run(m, x, y, eps);
            for (int e = 0; e < eps.length; e++) {
                for (int i = 0; i < 10; i++) {
                    assertTrue(l2(r.adversarial()[e], clean, i, 784) <= eps[e] + 1e-4);
                }
                for (float v : r.adversarial()[e]) {
                    assertTrue(v >= 0 && v <= 1);
                }
            }
            assertTrue(r.successRate(2) >= 0.9, "cw-l2 success with a large budget: " + r.successRate(2));
            assertTrue(r.successRate(0) <= r.successRate(1) && r.successRate(1) <= r.successRate(2));
        }
    }

    @Test
    void pgdRespectsTheBoxAndRestartsNeverHurt() {
        LogitsModel m = linear(3);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(16, 1, 28, 28);
            Tensor y = Autograd.noGrad(() -> m.logits(x).argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            float[] clean = Tensors.toFloats(x);
            double[] eps = {0, 0.01, 0.1};
            Engine.seed(4);
            AttackResult one = new Pgd(AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 20, AttackConfig.BATCH_ROWS, 100), false).run(m, x, y, eps);
            Engine.seed(4);
            AttackResult three = new Pgd(AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 20, AttackConfig.RESTARTS, 3,
                    AttackConfig.BATCH_ROWS, 100), false).run(m, x, y, eps);
            for (int e = 0; e < eps.length; e++) {
                assertTrue(one.maxLinf(e, clean) <= eps[e] + Invariants.TOLERANCE);
                assertTrue(three.successRate(e) >= one.successRate(e), "restarts keep the best per input");
            }
            assertEquals(0, one.successRate(0));
            assertTrue(one.successRate(2) >= 0.9);
        }
    }

    @Test
    void eotPgdAttacksTheSampledDefenseItself() {
        Pgd eot = new Pgd(AttackConfig.of(AttackKind.EOT_PGD, AttackConfig.STEPS, 5, AttackConfig.EOT_DRAWS, 4,
                AttackConfig.BATCH_ROWS, 100), false);
        assertTrue(eot.attacksRandomizedModel());
        assertEquals("eot-pgd", eot.name());
        DefendedClassifier stack = CwLinfTest.randomStack(5);
        DefendedClassifier sampled = DefendedClassifier.sampled(new dev.aerobust.model.Classifier(
                dev.aerobust.data.DatasetId.MNIST), (Autoencoder) stack.purifier(), 1);
        sampled.freeze();
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(3, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {1, 2, 3}, 3);
            AttackResult r = eot.run(sampled, x, y, new double[] {0.1});
            assertTrue(r.maxLinf(0, Tensors.toFloats(x)) <= 0.1 + Invariants.TOLERANCE);
        }
    }
}
