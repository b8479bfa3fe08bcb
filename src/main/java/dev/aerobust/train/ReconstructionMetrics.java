package dev.aerobust.train;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.data.ImageSet;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;

/** Reconstruction error and -ELBO of an autoencoder on an image set, without gradients. */
public final class ReconstructionMetrics {

    private ReconstructionMetrics() {
    }

    /**
     * Per-pixel MSE between the clean images and the deterministic reconstruction of the images with noise of
     * std {@code noiseStd} added ({@code 0}: clean input).
     */
    public static double mse(Autoencoder model, ImageSet set, int batch, double noiseStd, boolean clip) {
        double sum = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int[] idx = range(from, Math.min(set.size(), from + batch));
            try (Scope s = Scope.open()) {
                double m = Autograd.noGrad(() -> {
                    Tensor x = set.images(idx);
                    return Objectives.mse(model.forward(Objectives.noisy(x, noiseStd, clip)), x).item_double();
                });
                sum += m * idx.length;
            }
        }
        return sum / set.size();
    }

    /** -ELBO per image on clean inputs (KL fully weighted), with {@code samples} latent samples. */
    public static double negativeElbo(Autoencoder model, ImageSet set, int batch, int samples) {
        double sum = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int[] idx = range(from, Math.min(set.size(), from + batch));
            try (Scope s = Scope.open()) {
                double v = Autograd.noGrad(() -> {
                    Tensor x = set.images(idx);
                    Autoencoder.Encoding enc = model.encode(x);
                    Tensor mean = model.decode(Autoencoder.sample(enc.repeated(samples), 1.0));
                    Tensor nll = Objectives.gaussianNll(mean, Ops.repeatRows(x, samples),
                            model.decoderVariance()).mean();
                    return nll.item_double() + Objectives.klToStandardNormal(enc.mu(), enc.logvar()).mean()
                            .item_double();
                });
                sum += v * idx.length;
            }
        }
        return sum / set.size();
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
