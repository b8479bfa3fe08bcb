package dev.aerobust.model;

import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.nn.ScriptModule;

/**
 * A user's autoencoder exported as TorchScript: {@code forward} maps images in [0, 1] NCHW to their
 * reconstructions of the same shape. If the module also exports {@code encode} (image to latent code, or a tuple
 * whose first element is the code, such as {@code (mu, logvar)}), the attack records carry the latent
 * statistics. It is a deterministic defense: aerobust does not sample inside a user's module.
 */
public final class ScriptedAutoencoder implements Purifier {

    private final ScriptModule module;
    private final boolean latent;

    public ScriptedAutoencoder(Path script) {
        this.module = ScriptModule.load(script);
        this.latent = module.has("encode");
    }

    @Override
    public Tensor reconstruct(Tensor x) {
        return module.forward(x);
    }

    @Override
    public boolean hasLatent() {
        return latent;
    }

    @Override
    public Tensor latent(Tensor x) {
        if (!latent) {
            throw new IllegalStateException("the module exports no encode method");
        }
        return module.call("encode", x);
    }

    @Override
    public boolean variational() {
        return false;
    }

    @Override
    public void freeze() {
        module.eval();
        module.requiresGrad(false);
    }
}
