package dev.aerobust.model;

import org.bytedeco.pytorch.Tensor;

/**
 * What a defense puts in front of the classifier: an image in, its reconstruction out, differentiable. aerobust's
 * own {@link Autoencoder}s are purifiers, and so is a user's TorchScript autoencoder ({@link ScriptedAutoencoder}).
 * Where the purifier exposes its latent code, the attack records carry the latent statistics.
 */
public interface Purifier {

    /** The deterministic reconstruction (for a variational autoencoder, the decoding of mu). */
    Tensor reconstruct(Tensor x);

    /** Whether {@link #latent} gives a code: the latent statistics need one. */
    boolean hasLatent();

    /** The latent code (mu for a variational autoencoder) of each image, {@code [n, latent]}. */
    Tensor latent(Tensor x);

    /** Whether it samples its latent code (the sampled defense needs that). */
    boolean variational();

    /** Evaluation mode, no parameter gradients: an attack needs only input gradients. */
    void freeze();
}
