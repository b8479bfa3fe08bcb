package dev.aerobust.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Adam with coupled L2 weight decay: the decay is added to the gradient, as {@code torch.optim.Adam} and a Keras
 * L2 regulariser's gradient do, on the parameters given as decayed; the others (batch-norm scale and shift, by
 * default) get none. Create it outside any {@link Scope}: its moments must outlive the steps.
 */
public final class Optim {

    private final Adam adam;
    private final TensorVector params;
    private final TensorVector decayed;
    private final double weightDecay;

    private Optim(List<Tensor> decayed, List<Tensor> undecayed, double lr, double weightDecay) {
        List<Tensor> all = new java.util.ArrayList<>(decayed);
        all.addAll(undecayed);
        this.params = new TensorVector(all.toArray(new Tensor[0]));
        // the vectors hold the native tensors: the Java handles passed in may belong to a scope that closes
        this.decayed = new TensorVector(decayed.toArray(new Tensor[0]));
        this.weightDecay = weightDecay;
        this.adam = new Adam(params, new AdamOptions(lr));
    }

    /** Adam with the decay on every parameter. */
    public static Optim adam(List<Tensor> parameters, double lr, double weightDecay) {
        return adam(parameters, List.of(), lr, weightDecay);
    }

    /** Adam with the decay on {@code decayed} only. */
    public static Optim adam(List<Tensor> decayed, List<Tensor> undecayed, double lr, double weightDecay) {
        Engine.init();
        if (!(lr > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0 and weight decay >= 0, got " + lr + ", "
                    + weightDecay);
        }
        return new Optim(decayed, undecayed, lr, weightDecay);
    }

    public void zeroGrad() {
        adam.zero_grad(true);
    }

    /** Adds the decay to the gradients of the decayed parameters (after any clipping), then takes the step. */
    public void step() {
        if (weightDecay > 0) {
            Autograd.noGrad(() -> {
                for (long i = 0; i < decayed.size(); i++) {
                    Tensor p = decayed.get(i);
                    Tensor g = p.grad();
                    if (g.defined()) {
                        g.add_(p.detach(), new org.bytedeco.pytorch.Scalar(weightDecay));
                    }
                }
                return null;
            });
        }
        adam.step();
    }

    /** Sets the learning rate of every parameter group. */
    public void setLr(double lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        }
        var groups = adam.param_groups();
        for (long i = 0; i < groups.size(); i++) {
            groups.get(i).options().set_lr(lr);
        }
    }

    /** The learning rate of the first parameter group. */
    public double lr() {
        return adam.param_groups().get(0).options().get_lr();
    }

    /** Clips the global gradient norm to {@code maxNorm}; returns the norm before clipping. */
    public double clipGradNorm(double maxNorm) {
        return torch.clip_grad_norm_(params, maxNorm);
    }

    /** Saves the moments atomically, for resuming a training run. */
    public void save(Path path) throws IOException {
        Net.saveArchive(path, adam::save);
    }

    public void load(Path path) throws IOException {
        try {
            InputArchive a = new InputArchive();
            a.load_from(path.toString());
            adam.load(a);
            // a state saved when the optimizer applied the decay itself carries it in its options
            var groups = adam.param_groups();
            for (long i = 0; i < groups.size(); i++) {
                new AdamOptions(groups.get(i).options()).weight_decay().put(0.0);
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot load optimizer state from " + path + ": " + Net.firstLine(e.getMessage()), e);
        }
    }
}
