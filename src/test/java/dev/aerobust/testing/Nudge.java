package dev.aerobust.testing;

import java.util.List;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;

/** Training's own chaos as a yardstick: weights moved by a little Gaussian noise. */
public final class Nudge {

    private Nudge() {
    }

    /** Adds {@code std} times standard normal noise to every tensor of {@code weights}, in place. */
    public static void weights(List<Tensor> weights, double std) {
        try (Scope s = Scope.open()) {
            Autograd.noGrad(() -> {
                for (Tensor w : weights) {
                    w.add_(torch.randn_like(w).mul(new Scalar(std)));
                }
                return null;
            });
        }
    }
}
