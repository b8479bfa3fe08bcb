package dev.aerobust.defense;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.model.Purifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Ops;

/**
 * The stacked system {@code classifier(decoder(z))}, one differentiable model: gradients flow through the
 * classifier, the decoder and the encoder to the input. z is mu (deterministic) or {@code mu + s sigma e}
 * (sampled, latent scale s). Without an autoencoder it is the bare classifier.
 */
public final class DefendedClassifier implements LogitsModel {

    /** How the defense purifies its input. */
    /** How the stack is deployed: no autoencoder, the autoencoder's mean (z = mu), or a sampled latent code. */
    public enum Mode {
        NONE, DETERMINISTIC, SAMPLED;

        /** As records and results name it: none, deterministic, sampled. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode of this name ({@link #label}). */
        public static Mode parse(String name) {
            for (Mode m : values()) {
                if (m.label().equals(name)) {
                    return m;
                }
            }
            throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE, "unknown defense '" + name
                    + "' (known: none, deterministic, sampled)");
        }
    }

    private final LogitsModel classifier;
    private final Purifier purifier;
    private final Mode mode;
    private final double scale;

    private DefendedClassifier(LogitsModel classifier, Purifier purifier, Mode mode, double scale) {
        this.classifier = classifier;
        this.purifier = purifier;
        this.mode = mode;
        this.scale = scale;
    }

    public static DefendedClassifier undefended(LogitsModel classifier) {
        return new DefendedClassifier(classifier, null, Mode.NONE, 0);
    }

    public static DefendedClassifier deterministic(LogitsModel classifier, Purifier purifier) {
        return new DefendedClassifier(classifier, purifier, Mode.DETERMINISTIC, 0);
    }

    /** The sampled defense, z = mu + s sigma e; needs a variational autoencoder. */
    public static DefendedClassifier sampled(LogitsModel classifier, Autoencoder ae, double scale) {
        if (!ae.variational()) {
            throw new IllegalArgumentException("a sampled defense needs a variational autoencoder");
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("latent scale must be > 0, got " + scale);
        }
        return new DefendedClassifier(classifier, ae, Mode.SAMPLED, scale);
    }

    @Override
    public Tensor logits(Tensor x) {
        return classifier.logits(mode == Mode.NONE ? x : purify(x));
    }

    /**
     * The sampled defense encodes {@code x} once and draws the latent codes of every pass from it (the encoder is
     * deterministic; the noise is drawn as for the repeated batch); the deterministic ones compute one pass.
     */
    @Override
    public Tensor logitsRepeated(Tensor x, int draws) {
        if (mode == Mode.SAMPLED) {
            return classifier.logits(sampled(x, draws));
        }
        return Ops.repeatRows(logits(x), draws);
    }

    /** What the purifier makes of {@code x}: its reconstruction, or the decoding of a sampled latent code. */
    private Tensor purify(Tensor x) {
        return mode == Mode.SAMPLED ? sampled(x, 1) : purifier.reconstruct(x);
    }

    /**
     * The sampled defense's purification of {@code x} repeated {@code draws} times along its rows: one encoding,
     * each repetition's latent code drawn on its own.
     */
    private Tensor sampled(Tensor x, int draws) {
        Autoencoder ae = (Autoencoder) purifier;
        return ae.decode(Autoencoder.sample(ae.encode(x).repeated(draws), scale));
    }

    /**
     * BPDA (Athalye, Carlini and Wagner, ICML 2018): the same logits, but the backward pass treats the purifier as
     * the identity, {@code classifier(x + stopgrad(purify(x) - x))}, so the input gradient is the classifier's
     * gradient at the reconstruction. The attack that a defense with a shattered or vanishing gradient through
     * its purifier cannot mask. The bare classifier has nothing to approximate: it is returned as it is.
     */
    public LogitsModel bpda() {
        if (purifier == null) {
            return this;
        }
        DefendedClassifier self = this;
        return new LogitsModel() {
            @Override
            public Tensor logits(Tensor x) {
                return classifier.logits(x.add(purify(x).sub(x).detach()));
            }

            @Override
            public void freeze() {
                self.freeze();
            }
        };
    }

    /** The sampled defense's logits with its noise drawn from {@code seed}: a fixed draw, for repeatable evaluation. */
    public Tensor logits(Tensor x, long seed) {
        Engine.seed(seed);
        return logits(x);
    }

    @Override
    public void freeze() {
        classifier.freeze();
        if (purifier != null) {
            purifier.freeze();
        }
    }

    /** Whether its output is random: a gradient-based attack on it needs EOT, or the deterministic surrogate. */
    public boolean randomized() {
        return mode == Mode.SAMPLED;
    }

    /** What a white-box attacker differentiates: the deterministic stack (sampling off, z = mu). */
    public DefendedClassifier attackSurrogate() {
        return mode == Mode.SAMPLED ? deterministic(classifier, purifier) : this;
    }

    public Mode mode() {
        return mode;
    }

    public double scale() {
        return scale;
    }

    /** The autoencoder, or null for the bare classifier. */
    public Purifier purifier() {
        return purifier;
    }
}
