package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * What makes the strong evaluation cheap must not make it weaker: eps nesting (a larger eps attacks only what the
 * smaller ones left) and fooled rows leaving the batch.
 */
class CheapEvaluationTest {

    private static final double[] EPS = {0, 0.01, 0.02, 0.03, 0.05};

    /** The linear model's optimum verdict per (eps, image): the closed form of {@link ApgdSquareTest}. */
    private static boolean[][] optimum(ApgdSquareTest.Linear model, Tensor x, long[] ys, double[] eps) {
        float[] px = Tensors.toFloats(x);
        float[] w = Tensors.toFloats(model.w);
        int n = ys.length;
        boolean[][] fooled = new boolean[eps.length][n];
        for (int e = 0; e < eps.length; e++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 10 && !fooled[e][i]; j++) {
                    if (j == ys[i]) {
                        continue;
                    }
                    double mg = 0;
                    for (int p = 0; p < 784; p++) {
                        double d = w[(int) ys[i] * 784 + p] - w[j * 784 + p];
                        mg += d * Math.max(0, Math.min(1, px[i * 784 + p] - Math.signum(d) * eps[e]));
                    }
                    fooled[e][i] = mg < 0;
                }
            }
        }
        return fooled;
    }

    private static double accuracy(boolean[] success) {
        int k = 0;
        for (boolean b : success) {
            k += b ? 0 : 1;
        }
        return k / (double) success.length;
    }

    /**
     * On the linear model, whose worst case is known in closed form, APGD-T and AutoAttack reach the optimum's
     * verdict on every image at every eps whether the eps values are nested or attacked apart; nested, accuracy
     * never rises with eps, is never above the separate run's, and each eps attacks exactly the images no smaller
     * eps fooled (eps given out of order, the clean one among them).
     */
    @Test
    void epsNestingGivesTheSameVerdictsAsAttackingEveryEpsApart() {
        ApgdSquareTest.Linear model = new ApgdSquareTest.Linear(4);
        try (Scope s = Scope.open()) {
            Engine.seed(6);
            Tensor x = torch.rand(40, 1, 28, 28);
            Tensor y = dev.aerobust.nn.Ops.argmaxRows(model.logits(x));
            long[] ys = Tensors.toLongs(y);
            double[] eps = {0.03, 0, 0.05, 0.01, 0.02};
            boolean[][] best = optimum(model, x, ys, eps);
            for (AttackKind kind : new AttackKind[] {AttackKind.APGD_T, AttackKind.AUTOATTACK}) {
                Attack nested = AttackConfig.create(kind == AttackKind.APGD_T
                        ? AttackConfig.of(kind, AttackConfig.STEPS, 60, AttackConfig.NEST_EPS, true)
                        : AttackConfig.of(kind, AttackConfig.NEST_EPS, true), false);
                Attack apart = AttackConfig.create(nested.settings().with(AttackConfig.NEST_EPS, false), false);
                AttackResult a = nested.run(model, x, y, eps);
                AttackResult b = apart.run(model, x, y, eps);
                for (int e = 0; e < eps.length; e++) {
                    for (int i = 0; i < ys.length; i++) {
                        assertEquals(best[e][i], a.success()[e][i], kind.label() + " nested, eps " + eps[e] + " image "
                                + i);
                        assertEquals(best[e][i], b.success()[e][i], kind.label() + " apart, eps " + eps[e] + " image "
                                + i);
                    }
                    assertTrue(accuracy(a.success()[e]) <= accuracy(b.success()[e]), "nesting never raises accuracy");
                    assertEquals(eps[e] > 0 ? ys.length : 0, b.attacked()[e], "apart: every image at every eps");
                }
                int[] order = {1, 3, 4, 0, 2};
                for (int k = 1; k < order.length; k++) {
                    int e = order[k];
                    int smaller = order[k - 1];
                    int left = 0;
                    for (int i = 0; i < ys.length; i++) {
                        left += a.margin()[smaller][i] < 0 ? 0 : 1;
                        assertTrue(a.margin()[e][i] <= a.margin()[smaller][i] + 1e-6, "the margin never rises with eps");
                    }
                    assertTrue(accuracy(a.success()[e]) <= accuracy(a.success()[smaller]));
                    assertEquals(left, a.attacked()[e], kind.label() + ": eps " + eps[e]
                            + " attacks the images eps " + eps[smaller] + " left");
                }
                assertEquals(0, a.attacked()[1], "eps 0 attacks nothing");
                assertTrue(a.attacked()[2] < ys.length, "the largest eps took what the smaller ones fooled");
            }
        }
    }

    /**
     * Fooled rows leaving the batch early: each robust row's output is the same, to the bit, as in a run that
     * keeps every row to the end from the same seed (its margin to the rounding of a product over another batch),
     * and every row's verdict is the same. Checked for APGD-CE,
     * APGD-T and PGD on the linear model, where some rows fall within a few steps and others never.
     */
    @Test
    void fooledRowsLeavingTheBatchLeaveTheRobustRowsAsTheyWere() {
        ApgdSquareTest.Linear model = new ApgdSquareTest.Linear(9);
        try (Scope s = Scope.open()) {
            Engine.seed(10);
            Tensor x = torch.rand(40, 1, 28, 28);
            Tensor y = dev.aerobust.nn.Ops.argmaxRows(model.logits(x));
            double[] eps = {0.005, 0.012};
            for (AttackKind kind : new AttackKind[] {AttackKind.APGD_CE, AttackKind.APGD_T, AttackKind.PGD}) {
                var cfg = AttackConfig.of(kind, AttackConfig.STEPS, 30, AttackConfig.NEST_EPS, false);
                RowAttack compact = kind == AttackKind.PGD ? new Pgd(cfg, false, true) : new Apgd(cfg, false, true);
                RowAttack whole = kind == AttackKind.PGD ? new Pgd(cfg, false, false) : new Apgd(cfg, false, false);
                Engine.seed(7);
                AttackResult a = compact.run(model, x, y, eps);
                Engine.seed(7);
                AttackResult b = whole.run(model, x, y, eps);
                int robust = 0;
                int fooled = 0;
                int per = 28 * 28;
                for (int e = 0; e < eps.length; e++) {
                    assertArrayEquals(b.success()[e], a.success()[e], kind.label() + ": the same verdicts");
                    for (int i = 0; i < 40; i++) {
                        if (!a.success()[e][i]) {
                            robust++;
                            assertArrayEquals(Arrays.copyOfRange(b.adversarial()[e], i * per, (i + 1) * per),
                                    Arrays.copyOfRange(a.adversarial()[e], i * per, (i + 1) * per),
                                    kind.label() + ": robust row " + i + "'s output");
                            // its margin, taken in a batch of other rows, agrees to the batched product's rounding
                            assertEquals(b.margin()[e][i], a.margin()[e][i], 1e-5 * Math.max(1, Math.abs(b.margin()[e][i])),
                                    kind.label() + ": robust row " + i + "'s margin");
                        } else {
                            fooled++;
                        }
                    }
                }
                assertTrue(robust > 5 && fooled > 5, kind.label() + ": the budgets leave both kinds of rows: " + robust
                        + " robust, " + fooled + " fooled");
            }
        }
    }

    /**
     * Under EOT a row is fooled only when every draw's margin is below zero: a mean below zero with one draw still
     * correct keeps the row in the batch.
     */
    @Test
    void underEotARowIsFooledOnlyWhenEveryDrawIs() {
        try (Scope s = Scope.open()) {
            // 3 draws x 4 rows, draw-major: row 0 fooled under every draw, row 1 on average only, row 2 never,
            // row 3 at zero under one draw (not below zero: correct)
            Tensor perDraw = Tensors.fromFloats(new float[] {-1, -5, 2, -1, -2, -5, 1, -1, -0.5f, 1, 3, 0}, 12);
            Margins.Drawn d = Margins.drawn(perDraw, 3, 4);
            assertArrayEquals(new boolean[] {true, false, false, false}, d.fooled());
            assertArrayEquals(new double[] {-3.5 / 3, -3, 2, -2.0 / 3}, Tensors.toDoubles(d.mean()), 1e-6);
            Margins.Drawn one = Margins.drawn(Tensors.fromFloats(new float[] {-1, 0, 2}, 3), 1, 3);
            assertArrayEquals(new boolean[] {true, false, false}, one.fooled());
        }
    }
}
