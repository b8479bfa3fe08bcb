package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Tensors;

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

    /**
     * The margin of {@code model} at {@code x}, per row, averaged over {@code draws} draws of a randomized model
     * in one batch (the EOT attacks' margin; one draw is the plain margin); differentiable in {@code x}.
     */
    public static Tensor mean(LogitsModel model, Tensor x, Tensor labels, int draws) {
        if (draws == 1) {
            return margin(model.logits(x), labels);
        }
        Tensor mg = margin(model.logitsRepeated(x, draws), labels.repeat(new long[] {draws}));
        return Ops.mean(mg.view(draws, x.size(0)), 0, false);
    }

    /** {@link #mean} without a graph, as numbers: the margins of rows an attack does not move (eps 0). */
    static double[] at(LogitsModel model, Tensor x, Tensor labels, int draws) {
        return Tensors.toDoubles(Autograd.noGrad(() -> mean(model, x, labels, draws)));
    }
}
