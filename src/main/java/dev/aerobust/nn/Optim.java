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
 * Adam with coupled L2 weight decay (the decay is added to the gradient, as {@code torch.optim.Adam} does),
 * on weights and biases alike. Create it outside any {@link Scope}: its moments must outlive the steps.
 */
public final class Optim {

    private final Adam adam;
    private final TensorVector params;

    private Optim(List<Tensor> parameters, double lr, double weightDecay) {
        this.params = new TensorVector(parameters.toArray(new Tensor[0]));
        AdamOptions opts = new AdamOptions(lr);
        opts.weight_decay().put(weightDecay);
        this.adam = new Adam(params, opts);
    }

    public static Optim adam(List<Tensor> parameters, double lr, double weightDecay) {
        Engine.init();
        if (!(lr > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0 and weight decay >= 0, got " + lr + ", "
                    + weightDecay);
        }
        return new Optim(parameters, lr, weightDecay);
    }

    public void zeroGrad() {
        adam.zero_grad(true);
    }

    public void step() {
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
        } catch (RuntimeException e) {
            throw new IOException("cannot load optimizer state from " + path + ": " + Net.firstLine(e.getMessage()), e);
        }
    }
}
