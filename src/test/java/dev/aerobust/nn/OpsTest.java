package dev.aerobust.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class OpsTest {

    /**
     * The batched product split over threads equals the engine's, to the bit, for fp32 and fp64, batch sizes
     * that split evenly and not (each large enough to be split), a transposed right operand, and a batch of one;
     * it builds no graph.
     */
    @Test
    void bmmAcrossThreadsEqualsTheEnginesBmmToTheBit() {
        Engine.seed(3);
        for (torch.ScalarType type : new torch.ScalarType[] {torch.ScalarType.Float, torch.ScalarType.Double}) {
            for (long batch : new long[] {1, 2, 7, 49}) {
                try (Scope s = Scope.open()) {
                    Tensor a = torch.randn(batch, 64, 130).to(type).requires_grad_(true);
                    Tensor b = torch.randn(batch, 128, 130).to(type).transpose(1, 2);
                    Tensor split = Ops.bmmAcrossThreads(a, b);
                    Tensor whole = Autograd.noGrad(() -> torch.bmm(a, b));
                    assertArrayEquals(Tensors.toDoubles(whole), Tensors.toDoubles(split), 0.0, type + " " + batch);
                    assertFalse(split.requires_grad(), "no graph");
                }
            }
        }
    }

    /**
     * The facade's element-wise and per-row operations against their definitions written out in Java, in
     * float64 on a small [3, 2, 2, 2] tensor with negative, zero, in-range and above-one entries.
     */
    @Test
    void rowAndElementOperationsAreTheirDefinitions() {
        try (Scope s = Scope.open()) {
            double[] v = new double[24];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i * 7 % 11 - 4) / 3.0; // -1.33 .. 2
            }
            Tensor t = Tensors.fromDoubles(v, 3, 2, 2, 2);
            double[] c01 = Tensors.toDoubles(Ops.clamp01(t));
            double[] cl = Tensors.toDoubles(Ops.clamp(t, -0.5, 0.7));
            double[] lo = Tensors.toDoubles(Ops.clampMin(t, 0.2));
            double[] hi = Tensors.toDoubles(Ops.clampMax(t, 0.2));
            double[] sq = Tensors.toDoubles(Ops.square(t));
            double[] mask = Tensors.toDoubles(Ops.positiveMask(t));
            double[] affine = Tensors.toDoubles(Ops.div(Ops.mul(Ops.add(t, 1.5), 4), 2));
            for (int i = 0; i < v.length; i++) {
                assertEquals(Math.max(0, Math.min(1, v[i])), c01[i], 0.0);
                assertEquals(Math.max(-0.5, Math.min(0.7, v[i])), cl[i], 0.0);
                assertEquals(Math.max(0.2, v[i]), lo[i], 0.0);
                assertEquals(Math.min(0.2, v[i]), hi[i], 0.0);
                assertEquals(v[i] * v[i], sq[i], 1e-15);
                assertEquals(v[i] > 0 ? 1 : 0, mask[i], 0.0);
                assertEquals((v[i] + 1.5) * 4 / 2, affine[i], 1e-15);
            }
            double[] sum = Tensors.toDoubles(Ops.sumRows(t));
            double[] l2 = Tensors.toDoubles(Ops.normRows(t));
            double[] l2sq = Tensors.toDoubles(Ops.sqNormRows(t));
            double[] l1 = Tensors.toDoubles(Ops.l1NormRows(t));
            for (int r = 0; r < 3; r++) {
                double a = 0;
                double b = 0;
                double c = 0;
                for (int i = r * 8; i < r * 8 + 8; i++) {
                    a += v[i];
                    b += v[i] * v[i];
                    c += Math.abs(v[i]);
                }
                assertEquals(a, sum[r], 1e-12);
                assertEquals(b, l2sq[r], 1e-12);
                assertEquals(Math.sqrt(b), l2[r], 1e-12);
                assertEquals(c, l1[r], 1e-12);
            }
            // per-row boxes: each row clamped into its own [lo, hi]
            Tensor rows = Tensors.fromDoubles(new double[] {-1, 0.5, 2, -1, 0.5, 2}, 2, 3);
            Tensor los = Tensors.fromDoubles(new double[] {0, 0.6}, 2, 1);
            Tensor his = Tensors.fromDoubles(new double[] {1, 0.9}, 2, 1);
            assertArrayEquals(new double[] {0, 0.5, 1, 0.6, 0.6, 0.9}, Tensors.toDoubles(Ops.clamp(rows, los, his)),
                    0.0);
            assertArrayEquals(new long[] {2, 2}, Tensors.toLongs(Ops.argmaxRows(rows)));
            assertArrayEquals(new double[] {-1, 0.5, 2}, Tensors.toDoubles(Ops.mean(rows, 0, false)), 0.0);
            assertArrayEquals(new double[] {1.5, 1.5}, Tensors.toDoubles(Ops.sum(rows, 1, false)), 0.0);
            Tensor neg = rows.lt(Ops.scalar(0));
            assertArrayEquals(new double[] {9, 0.5, 2, 9, 0.5, 2}, Tensors.toDoubles(Ops.fill(rows, neg, 9)), 0.0);
            assertArrayEquals(new double[] {0, 0.5, 2, 0, 0.5, 2},
                    Tensors.toDoubles(Ops.where(neg, torch.zeros_like(rows), rows)), 0.0);
            assertArrayEquals(new double[] {-1, 0.5, 2, -1, 0.5, 2, -1, 0.5, 2, -1, 0.5, 2},
                    Tensors.toDoubles(Ops.repeatRows(rows, 2)), 0.0);
            assertArrayEquals(new double[] {0.25, 0.25, 0.25}, Tensors.toDoubles(Ops.full(3, 0.25)), 0.0);
            Engine.seed(1);
            double[] u = Tensors.toDoubles(Ops.uniformSigned(torch.zeros(1000)));
            double min = java.util.Arrays.stream(u).min().orElseThrow();
            double max = java.util.Arrays.stream(u).max().orElseThrow();
            assertTrue(min >= -1 && max <= 1 && min < -0.9 && max > 0.9, "uniform on [-1, 1]: " + min + " " + max);
        }
    }
}
