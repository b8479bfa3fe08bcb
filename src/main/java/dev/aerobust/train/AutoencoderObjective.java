package dev.aerobust.train;

import static dev.aerobust.train.AutoencoderConfig.ALPHA;
import static dev.aerobust.train.AutoencoderConfig.BETA;
import static dev.aerobust.train.AutoencoderConfig.CLIP_NOISE;
import static dev.aerobust.train.AutoencoderConfig.DENOISING;
import static dev.aerobust.train.AutoencoderConfig.FAMILY;
import static dev.aerobust.train.AutoencoderConfig.JACOBIAN_CHUNK;
import static dev.aerobust.train.AutoencoderConfig.JACOBIAN_PRECISION;
import static dev.aerobust.train.AutoencoderConfig.SAMPLES;
import static dev.aerobust.train.AutoencoderConfig.STP;
import static dev.aerobust.train.AutoencoderConfig.WARMUP_EPOCHS;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.config.Settings;
import dev.aerobust.data.ImageSet;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Precision;

/**
 * The loss of every autoencoder family on one batch:
 * <ul>
 * <li>the input is {@code x + n}, n Gaussian with std {@code stp / 2} drawn afresh, clipped to [0, 1];</li>
 * <li>the target is the clean {@code x} (denoising) or the noisy input itself (augmentation);</li>
 * <li>AE, DAE, CAE: 1/2 the per-image sum of squared errors, batch mean;</li>
 * <li>VAE, DVAE, CVAE: -ELBO with {@code samples} latent samples, Gaussian decoder with learned, floored
 * variance, analytic KL with linear warm-up;</li>
 * <li>CAE, CVAE: plus alpha ||d mu / d x||_F^2 (+ beta ||d sigma^2 / d x||_F^2), exact, at the noisy input
 * ({@link Autoencoder#jacobianFrobeniusSq}, held equal to generic double back-propagation by the tests).</li>
 * </ul>
 * The validation metric is the per-pixel MSE of the deterministic reconstruction of clean images.
 */
public final class AutoencoderObjective implements Trainer.Objective {

    private final Autoencoder model;
    private final Settings cfg;

    /** {@code cfg}: the autoencoder's settings ({@link AutoencoderConfig}). */
    public AutoencoderObjective(Autoencoder model, Settings cfg) {
        this.model = model;
        this.cfg = cfg;
    }

    private Family family() {
        return cfg.get(FAMILY);
    }

    @Override
    public Map<String, Double> step(Tensor x, Tensor y, double epochs) {
        Map<String, Double> terms = new LinkedHashMap<>();
        Tensor input = Objectives.noisy(x, Units.noiseStd(cfg.get(STP)), cfg.get(CLIP_NOISE));
        Tensor target = cfg.get(DENOISING) ? x : input;
        Tensor loss = loss(input, target, epochs, terms);
        loss.backward();
        double total = loss.item_double();
        if (family().contractive()) {
            total += contractive(input, terms);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", total);
        out.putAll(terms);
        return out;
    }

    /** The reconstruction loss (AE) or -ELBO (VAE) on one batch, without the contractive penalty. */
    Tensor loss(Tensor input, Tensor target, double epochs, Map<String, Double> terms) {
        Autoencoder.Encoding enc = model.encode(input);
        if (!model.variational()) {
            Tensor rec = Objectives.halfSquaredError(model.decode(enc.mu()), target);
            terms.put("rec", rec.item_double());
            return rec;
        }
        int n = cfg.get(SAMPLES);
        Tensor mean = model.decode(Autoencoder.sample(enc.repeated(n), 1.0));
        // per image: sum over pixels; then the mean over samples and batch
        Tensor nll = Objectives.gaussianNll(mean, Ops.repeatRows(target, n), model.decoderVariance()).mean();
        Tensor kl = Objectives.klToStandardNormal(enc.mu(), enc.logvar()).mean();
        double w = Objectives.warmup(epochs, cfg.get(WARMUP_EPOCHS));
        terms.put("nll", nll.item_double());
        terms.put("kl", kl.item_double());
        return nll.add(Ops.mul(kl, w));
    }

    /** Back-propagates the exact contractive terms chunk by chunk; returns their weighted value. */
    double contractive(Tensor input, Map<String, Double> terms) {
        double total = 0;
        Precision precision = cfg.get(JACOBIAN_PRECISION);
        double a = Units.contractiveWeight(cfg.get(ALPHA));
        if (a > 0) {
            double jac = model.jacobianFrobeniusSq(input, Autoencoder.Head.MEAN, cfg.get(JACOBIAN_CHUNK), precision,
                    t -> Ops.mul(t, a).backward());
            terms.put("jac_mu", jac);
            total += a * jac;
        }
        double b = Units.contractiveWeight(cfg.get(BETA));
        if (b > 0) {
            double jac = model.jacobianFrobeniusSq(input, Autoencoder.Head.VARIANCE, cfg.get(JACOBIAN_CHUNK), precision,
                    t -> Ops.mul(t, b).backward());
            terms.put("jac_var", jac);
            total += b * jac;
        }
        return total;
    }

    @Override
    public double validate(ImageSet val) {
        return ReconstructionMetrics.mse(model, val, 500, 0, false);
    }

    @Override
    public String metricName() {
        return "recon_mse";
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }
}
