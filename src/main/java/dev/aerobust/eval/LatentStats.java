package dev.aerobust.eval;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.Autoencoder;
import dev.aerobust.nn.Autograd;
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

    private LatentStats() {
    }

    public static Map<String, Object> of(Autoencoder ae, Tensor clean, Tensor adv) {
        try (Scope s = Scope.open()) {
            return Autograd.noGrad(() -> {
                Tensor mu = ae.encode(clean).mu();
                Tensor muAdv = ae.encode(adv).mu();
                Tensor n0 = norm(mu);
                Tensor n1 = norm(muAdv);
                Map<String, Object> m = new LinkedHashMap<>();
                Tensor dot = mu.mul(muAdv).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
                m.put("cos_mu_mu_adv", stats(dot.div(n0.mul(n1).clamp_min(new Scalar(1e-12)))));
                m.put("norm_ratio", stats(n1.div(n0.clamp_min(new Scalar(1e-12)))));
                m.put("norm_diff", stats(n1.sub(n0)));
                m.put("dist_mu_mu_adv", stats(norm(muAdv.sub(mu))));
                m.put("centroid_dist_mu", stats(norm(mu.sub(mu.mean(new long[] {0}, true,
                        new org.bytedeco.pytorch.ScalarTypeOptional())))));
                m.put("centroid_dist_mu_adv", stats(norm(muAdv.sub(muAdv.mean(new long[] {0}, true,
                        new org.bytedeco.pytorch.ScalarTypeOptional())))));
                m.put("diameter_mu", diameter(mu));
                m.put("diameter_mu_adv", diameter(muAdv));
                return m;
            });
        }
    }

    static Tensor norm(Tensor t) {
        return t.pow(new Scalar(2.0)).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).sqrt();
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
        Tensor sq = z.pow(new Scalar(2.0)).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        for (long i = 0; i < n; i += 256) {
            long len = Math.min(256, n - i);
            Tensor a = z.narrow(0, i, len);
            // |a|^2 + |b|^2 - 2 a.b
            Tensor d2 = sq.narrow(0, i, len).unsqueeze(1).add(sq.unsqueeze(0))
                    .sub(a.matmul(z.t()).mul(new Scalar(2.0)));
            best = Math.max(best, d2.max().item_double());
        }
        return Math.sqrt(Math.max(0, best));
    }
}
