package dev.aerobust.eval;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.Purifier;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.store.LatentSummary;

/**
 * The latent-space statistics of system.md section 5, from mu (clean) and mu* (adversarial): per image, the
 * cosine between them, |mu*| / |mu|, |mu*| - |mu| and |mu* - mu|, and each point's distance to its set's
 * centroid, each as mean and std over images (authors' code); and the diameter (largest pairwise distance) of
 * the set of mu and of mu*.
 */
public final class LatentStats {

    private LatentStats() {
    }

    /** The statistics of the purifier's latent codes of the clean and adversarial images; null if it has none. */
    public static LatentSummary of(Purifier ae, Tensor clean, Tensor adv) {
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
                return new LatentSummary(stats(dot.div(Ops.clampMin(n0.mul(n1), 1e-12))),
                        stats(n1.div(Ops.clampMin(n0, 1e-12))), stats(n1.sub(n0)), stats(Ops.normRows(muAdv.sub(mu))),
                        stats(Ops.normRows(mu.sub(Ops.mean(mu, 0, true)))),
                        stats(Ops.normRows(muAdv.sub(Ops.mean(muAdv, 0, true)))), diameter(mu), diameter(muAdv));
            });
        }
    }

    static LatentSummary.MeanStd stats(Tensor v) {
        double[] d = Tensors.toDoubles(v);
        double mean = 0;
        for (double x : d) {
            mean += x / d.length;
        }
        double var = 0;
        for (double x : d) {
            var += (x - mean) * (x - mean);
        }
        return new LatentSummary.MeanStd(mean, d.length > 1 ? Math.sqrt(var / (d.length - 1)) : 0);
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
