package dev.aerobust.train;

import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * How an autoencoder defense is trained (system.md section 3). Noise, variance floor and contractive weights
 * are given in the study's [-1, 1] units, as the study labels them; {@link Units} converts them.
 *
 * @param dataset       the dataset
 * @param family        AE, DAE, VAE, DVAE, CAE or CVAE
 * @param denoising     target = clean image (denoising) or the noisy input (augmentation); fixed by the family
 *                      except for CAE and CVAE
 * @param stp           std of the Gaussian input noise in the study's units (0.1 to 0.4)
 * @param clipNoise     clip the noisy input to the data range
 * @param alpha         contractive weight on ||d mu / d x||^2 (d h / d x for the AE), study units
 * @param beta          contractive weight on ||d sigma^2 / d x||^2 (CVAE), study units
 * @param samples       latent samples per input in the ELBO, 10
 * @param warmupEpochs  linear KL warm-up, 5 epochs
 * @param decoderMean   sigmoid (default) or the authors' identity
 * @param varianceFloor floor of the decoder variance, study units (0.01)
 * @param latent        latent size, 128
 * @param batch         128
 * @param lr            Adam learning rate, 1e-4
 * @param weightDecay   L2 weight decay on weights and biases, 1e-2
 * @param maxEpochs     upper bound on epochs
 * @param patience      epochs without a better validation loss before stopping
 * @param valSize       images held out of the training set for validation
 * @param seed          the one seed of the run
 * @param jacobianChunk images per pass of the exact Jacobian penalty (speed/memory only)
 */
public record AutoencoderConfig(DatasetId dataset, Family family, boolean denoising, double stp, boolean clipNoise,
                                double alpha, double beta, int samples, int warmupEpochs,
                                Autoencoder.DecoderMean decoderMean, double varianceFloor, int latent, int batch,
                                double lr, double weightDecay, int maxEpochs, int patience, int valSize, long seed,
                                int jacobianChunk) {

    public AutoencoderConfig {
        if (!(stp >= 0) || !(alpha >= 0) || !(beta >= 0) || !(varianceFloor > 0)) {
            throw new AerobustException(ExitCode.USAGE,
                    "stp, alpha and beta must be >= 0 and the variance floor > 0 (got stp " + stp + ", alpha "
                            + alpha + ", beta " + beta + ", floor " + varianceFloor + ")");
        }
        if (family.contractive() && alpha == 0 && beta == 0) {
            throw new AerobustException(ExitCode.USAGE, family.label() + " needs --alpha > 0 (or --beta > 0)");
        }
        if (!family.contractive() && (alpha > 0 || beta > 0)) {
            throw new AerobustException(ExitCode.USAGE, family.label()
                    + " has no contractive penalty; use cae or cvae for --alpha/--beta");
        }
        if (beta > 0 && !family.variational()) {
            throw new AerobustException(ExitCode.USAGE, "--beta weighs d sigma^2/dx: cvae only");
        }
        if (family != Family.CAE && family != Family.CVAE && denoising != family.denoising()) {
            throw new AerobustException(ExitCode.USAGE, family.label() + " is " + (family.denoising() ? "" : "not ")
                    + "denoising by definition; --denoising applies to cae and cvae");
        }
        if (samples <= 0 || latent <= 0 || jacobianChunk <= 0) {
            throw new AerobustException(ExitCode.USAGE, "samples, latent and jacobian chunk must be positive");
        }
        // the training loop's own checks, at once: a bad value fails before any data is loaded
        Trainer.Settings.constantLr(batch, lr, weightDecay, 0, maxEpochs, patience, seed);
    }

    /**
     * The study's defaults for a family; contractive families get alpha 0.1 (study units) and compute the
     * penalty over the whole batch at once. The other families never use the chunk; theirs stays at 32, the
     * value their model ids were first keyed with.
     */
    public static AutoencoderConfig defaults(DatasetId d, Family f) {
        return new AutoencoderConfig(d, f, f.denoising(), 0.4, true, f.contractive() ? 0.1 : 0, 0, 10, 5,
                Autoencoder.DecoderMean.SIGMOID, 0.01, Autoencoder.LATENT, 128, 1e-4, 1e-2, 60, 5, 5000, 0,
                f.contractive() ? 128 : 32);
    }

    public Autoencoder.Spec spec() {
        return new Autoencoder.Spec(dataset.channels(), dataset.height(), dataset.width(), latent,
                family.variational(), decoderMean, Units.variance(varianceFloor));
    }

    public Trainer.Settings settings() {
        return Trainer.Settings.constantLr(batch, lr, weightDecay, 0, maxEpochs, patience, seed);
    }
}
