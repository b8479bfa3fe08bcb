package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Ops;

/** The CW margin. */
public final class Margins {

    private Margins() {
    }

    /**
     * {@code Z_y - max_{j != y} Z_j} per row. The true class is masked with minus infinity: multiplying by
     * {@code (1 - onehot)} would pick the true class's zero when every other logit is negative.
     */
    public static Tensor margin(Tensor logits, Tensor labels) {
        Tensor idx = labels.unsqueeze(1);
        Tensor real = torch.gather(logits, 1, idx).squeeze(1);
        Tensor mask = torch.one_hot(labels, logits.size(1)).to(torch.ScalarType.Bool);
        Tensor other = torch.amax(Ops.fill(logits, mask, Double.NEGATIVE_INFINITY), new long[] {1},
                false);
        return real.sub(other);
    }
}
