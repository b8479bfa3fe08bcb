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

    /**
     * The margins of {@code draws} draws of a randomized model ({@code [draws * n]}, draw-major, as
     * {@link LogitsModel#logitsRepeated} orders them) as their mean per row, differentiable, and whether every draw
     * is fooled (each draw's margin below zero: a row whose mean alone is below zero may still be classified
     * correctly under some draws). One draw: the margin, and whether it is below zero.
     */
    static Drawn drawn(Tensor perDraw, int draws, long n) {
        if (draws == 1) {
            return new Drawn(perDraw, Tensors.toDoubles(perDraw.detach().lt(Ops.scalar(0)).to(torch.ScalarType.Double)));
        }
        Tensor byDraw = perDraw.view(draws, n);
        Tensor worst = torch.amax(byDraw.detach(), new long[] {0}, false);
        return new Drawn(Ops.mean(byDraw, 0, false), Tensors.toDoubles(worst.lt(Ops.scalar(0)).to(
                torch.ScalarType.Double)));
    }

    /** A batch's margins averaged over draws, and per row whether every draw was fooled (1) or not (0). */
    record Drawn(Tensor mean, double[] fooledFlags) {

        /** Per row, whether every draw was fooled. */
        boolean[] fooled() {
            boolean[] f = new boolean[fooledFlags.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = fooledFlags[i] > 0.5;
            }
            return f;
        }
    }

    /**
     * The margin of the least fooled of {@code draws} draws of a randomized model per row, without a graph: below
     * zero where every draw is fooled. One draw: the margin.
     */
    static double[] worstDraw(LogitsModel model, Tensor x, Tensor labels, int draws) {
        return Tensors.toDoubles(Autograd.noGrad(() -> draws == 1 ? margin(model.logits(x), labels)
                : torch.amax(margin(model.logitsRepeated(x, draws), labels.repeat(new long[] {draws}))
                        .view(draws, x.size(0)), new long[] {0}, false)));
    }

    /** {@link #mean} without a graph, as numbers: the margins of rows an attack does not move (eps 0). */
    static double[] at(LogitsModel model, Tensor x, Tensor labels, int draws) {
        return Tensors.toDoubles(Autograd.noGrad(() -> mean(model, x, labels, draws)));
    }
}
