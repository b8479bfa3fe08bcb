package dev.aerobust.train;

import java.util.function.Function;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;

/** The loss terms of the study, each as the batch mean of a per-image quantity. */
public final class Objectives {

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private Objectives() {
    }

    /** {@code x + n}, n ~ N(0, std^2) drawn afresh, optionally clipped to [0, 1]. */
    public static Tensor noisy(Tensor x, double std, boolean clip) {
        if (std == 0) {
            return x;
        }
        Tensor n = x.add(Ops.mul(torch.randn_like(x), std));
        return clip ? Ops.clamp01(n) : n;
    }

    /** AE loss: 1/2 x the batch mean of the per-image sum of squared errors. */
    public static Tensor halfSquaredError(Tensor recon, Tensor target) {
        return Ops.mul(Ops.sumRows(Ops.square(recon.sub(target))).mean(), 0.5);
    }

    /** Mean squared error per pixel, for reporting. */
    public static Tensor mse(Tensor recon, Tensor target) {
        return Ops.square(recon.sub(target)).mean();
    }

    /**
     * Negative log-likelihood of {@code target} under a diagonal Gaussian with mean {@code mean} and variance
     * {@code variance} (broadcast over the batch), summed over pixels: one value per image.
     */
    public static Tensor gaussianNll(Tensor mean, Tensor target, Tensor variance) {
        Tensor t = Ops.mul(Ops.add(Ops.square(target.sub(mean)).div(variance).add(torch.log(variance)), LOG_2PI),
                0.5);
        return Ops.sumRows(t);
    }

    /** Analytic KL(N(mu, exp(logvar)) || N(0, I)), summed over the latent: one value per image. */
    public static Tensor klToStandardNormal(Tensor mu, Tensor logvar) {
        Tensor t = Ops.add(logvar, 1.0).sub(Ops.square(mu)).sub(torch.exp(logvar));
        return Ops.mul(Ops.sum(t, 1, false), -0.5);
    }

    /** KL warm-up: linear from 0 to 1 over {@code warmupEpochs} (fractional epochs), 1 after. */
    public static double warmup(double epochs, int warmupEpochs) {
        return warmupEpochs <= 0 ? 1.0 : Math.min(1.0, epochs / warmupEpochs);
    }

    /**
     * The exact squared Frobenius norm of the Jacobian of {@code head} at {@code x}, as the batch mean of the
     * per-image value, by double back-propagation. The result is differentiable with respect to the weights.
     *
     * <p>Row k of an image's Jacobian is the gradient of output k. Rows {@code k0..k0+K-1} come out of one
     * backward pass over K stacked copies of the batch, copy j selecting output {@code k0 + j}; images do not
     * interact in the encoder, so each copy's gradient is exactly its row. {@code chunk} bounds the copies alive
     * at once; {@code sink} receives each chunk's term (e.g. to back-propagate it at once and free its graph).
     *
     * @return the penalty's value
     */
    public static double jacobianFrobeniusSq(Tensor x, Function<Tensor, Tensor> head, int outputs, int chunk,
                                             java.util.function.Consumer<Tensor> sink) {
        long b = x.size(0);
        Tensor base = x.detach();
        double total = 0;
        for (int k0 = 0; k0 < outputs; k0 += chunk) {
            int k = Math.min(chunk, outputs - k0);
            Tensor xr = Ops.repeatRows(base, k).set_requires_grad(true);
            Tensor out = head.apply(xr);
            // [k, b, outputs] -> outputs k0..k0+k-1 -> entries (j, i, j): copy j's output k0 + j
            Tensor sel = out.view(k, b, outputs).narrow(2, k0, k).diagonal(0, 0, 2);
            Tensor g = Autograd.grad(sel.sum(), xr, true);
            Tensor term = Ops.div(Ops.square(g).sum(), b);
            total += term.item_double();
            sink.accept(term);
        }
        return total;
    }
}
