package dev.aerobust.nn;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** Gradients of a scalar with respect to a tensor, optionally differentiable themselves (double backprop). */
public final class Autograd {

    private Autograd() {
    }

    /**
     * {@code d out / d input} for a scalar {@code out}. With {@code createGraph}, the result is itself part of
     * the graph, so a loss built from it can be back-propagated to the weights (the exact contractive penalty).
     */
    public static Tensor grad(Tensor out, Tensor input, boolean createGraph) {
        return grad(out, input, createGraph, createGraph);
    }

    /** As {@link #grad(Tensor, Tensor, boolean)}, keeping the graph for further gradients of the same forward. */
    public static Tensor grad(Tensor out, Tensor input, boolean createGraph, boolean retainGraph) {
        TensorVector g = torch.grad(new TensorVector(out), new TensorVector(input), new TensorVector(),
                new BoolOptional(retainGraph), createGraph, false);
        return g.get(0);
    }

    /** Runs {@code body} with gradient recording off (projections, in-place updates, evaluation). */
    public static <T> T noGrad(java.util.function.Supplier<T> body) {
        try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            return body.get();
        }
    }
}
