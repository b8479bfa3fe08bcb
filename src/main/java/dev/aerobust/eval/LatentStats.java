package dev.aerobust.eval;

import org.bytedeco.pytorch.Tensor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.model.Purifier;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * The latent-space statistics of system.md section 5, from mu (clean) and mu* (adversarial): per image, the
 * cosine between them, |mu*| / |mu|, |mu*| - |mu| and |mu* - mu|, and each point's distance to its set's
 * centroid, each as mean and std over images (authors' code); and the diameter (largest pairwise distance) of
 * the set of mu and of mu*.
 */
public final class LatentStats {

    /** Mean and std over images. */
    public record MeanStd(double mean, double std) {
    }

    /**
     * The statistics of one set of clean and adversarial inputs.
     *
     * @param cosMuMuAdv        cos(mu, mu*)
     * @param normRatio         |mu*| / |mu|
     * @param normDiff          |mu*| - |mu|
     * @param distMuMuAdv       |mu* - mu|
     * @param centroidDistMu    distance of mu to the centroid of the set of mu
     * @param centroidDistMuAdv distance of mu* to the centroid of the set of mu*
     * @param diameterMu        largest pairwise distance in the set of mu
     * @param diameterMuAdv     largest pairwise distance in the set of mu*
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Summary(MeanStd cosMuMuAdv, MeanStd normRatio, MeanStd normDiff, MeanStd distMuMuAdv,
                          MeanStd centroidDistMu, MeanStd centroidDistMuAdv, double diameterMu, double diameterMuAdv) {
    }

    private LatentStats() {
    }

    /** The statistics of the purifier's latent codes of the clean and adversarial images; null if it has none. */
    public static Summary of(Purifier ae, Tensor clean, Tensor adv) {
        if (!ae.hasLatent()) {
            return null;
        }
        try (Scope s = Scope.open()) {
            return Autograd.noGrad(() -> {
                Tensor mu = ae.latent(clean);
                Tensor muAdv = ae.latent(adv);
                Tensor n0 = Ops.normRows(mu);
                Tensor n1 = Ops.normRows(muAdv);
                Tensor dot = Ops.sumRows(mu.mul(muAdv));
                return new Summary(stats(dot.div(Ops.clampMin(n0.mul(n1), 1e-12))),
                        stats(n1.div(Ops.clampMin(n0, 1e-12))), stats(n1.sub(n0)), stats(Ops.normRows(muAdv.sub(mu))),
                        stats(Ops.normRows(mu.sub(Ops.mean(mu, 0, true)))),
                        stats(Ops.normRows(muAdv.sub(Ops.mean(muAdv, 0, true)))), diameter(mu), diameter(muAdv));
            });
        }
    }

    static MeanStd stats(Tensor v) {
        double[] d = Tensors.toDoubles(v);
        double mean = 0;
        for (double x : d) {
            mean += x / d.length;
        }
        double var = 0;
        for (double x : d) {
            var += (x - mean) * (x - mean);
        }
        return new MeanStd(mean, d.length > 1 ? Math.sqrt(var / (d.length - 1)) : 0);
    }

    /** Largest pairwise Euclidean distance, in row blocks to bound memory. */
    static double diameter(Tensor z) {
        long n = z.size(0);
        double best = 0;
        Tensor sq = Ops.sqNormRows(z);
        for (long i = 0; i < n; i += 256) {
            long len = Math.min(256, n - i);
            Tensor a = z.narrow(0, i, len);
            // |a|^2 + |b|^2 - 2 a.b
            Tensor d2 = sq.narrow(0, i, len).unsqueeze(1).add(sq.unsqueeze(0))
                    .sub(Ops.mul(a.matmul(z.t()), 2.0));
            best = Math.max(best, d2.max().item_double());
        }
        return Math.sqrt(Math.max(0, best));
    }
}
