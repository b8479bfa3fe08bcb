package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Ops;

/**
 * The per-row losses the gradient attacks maximise, from logits {@code [n, classes]} and labels {@code [n]}:
 * cross-entropy, and the difference of logits ratio of Croce and Hein (ICML 2020, section 4), untargeted and
 * targeted. DLR is invariant to shifting and rescaling the logits, so a defense that inflates them does not
 * flatten its gradient.
 */
public final class Losses {

    /** Keeps the DLR denominator away from zero (the paper's 1e-12). */
    static final double DLR_FLOOR = 1e-12;

    private Losses() {
    }

    /** {@code -log softmax(z)_y}. */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return torch.gather(torch.log_softmax(logits, 1), 1, labels.unsqueeze(1)).squeeze(1).neg();
    }

    /** {@code -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3)}, {@code pi} sorting the logits in decreasing order. */
    public static Tensor dlr(Tensor logits, Tensor labels) {
        Tensor sorted = torch.sort(logits, 1, true).get0();
        Tensor scale = Ops.add(sorted.select(1, 0).sub(sorted.select(1, 2)), DLR_FLOOR);
        return Margins.margin(logits, labels).neg().div(scale);
    }

    /** {@code -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)}: targeted DLR towards {@code targets}. */
    public static Tensor dlrTargeted(Tensor logits, Tensor labels, Tensor targets) {
        Tensor sorted = torch.sort(logits, 1, true).get0();
        Tensor scale = Ops.add(sorted.select(1, 0).sub(Ops.mul(sorted.select(1, 2).add(sorted.select(1, 3)), 0.5)),
                DLR_FLOOR);
        Tensor zy = torch.gather(logits, 1, labels.unsqueeze(1)).squeeze(1);
        Tensor zt = torch.gather(logits, 1, targets.unsqueeze(1)).squeeze(1);
        return zy.sub(zt).neg().div(scale);
    }
}
