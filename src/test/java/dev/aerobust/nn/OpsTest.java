package dev.aerobust.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
