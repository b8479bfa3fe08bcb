package dev.aerobust.defense;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Engine;

/**
 * The stacked system {@code classifier(decoder(z))}, one differentiable model: gradients flow through the
 * classifier, the decoder and the encoder to the input. z is mu (deterministic) or {@code mu + s sigma e}
 * (sampled, latent scale s). Without an autoencoder it is the bare classifier.
 */
public final class DefendedClassifier implements LogitsModel {

    /** How the defense purifies its input. */
    public enum Mode { NONE, DETERMINISTIC, SAMPLED }

    private final LogitsModel classifier;
    private final Autoencoder autoencoder;
    private final Mode mode;
    private final double scale;

    private DefendedClassifier(LogitsModel classifier, Autoencoder autoencoder, Mode mode, double scale) {
        this.classifier = classifier;
        this.autoencoder = autoencoder;
        this.mode = mode;
        this.scale = scale;
    }

    public static DefendedClassifier undefended(LogitsModel classifier) {
        return new DefendedClassifier(classifier, null, Mode.NONE, 0);
    }

    public static DefendedClassifier deterministic(LogitsModel classifier, Autoencoder ae) {
        return new DefendedClassifier(classifier, ae, Mode.DETERMINISTIC, 0);
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
        return switch (mode) {
            case NONE -> classifier.logits(x);
            case DETERMINISTIC -> classifier.logits(autoencoder.decode(autoencoder.encode(x).mu()));
            case SAMPLED -> classifier.logits(autoencoder.decode(Autoencoder.sample(autoencoder.encode(x), scale)));
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
        if (autoencoder != null) {
            autoencoder.train(false);
            autoencoder.requiresGrad(false);
        }
    }

    /** Whether its output is random: a gradient-based attack on it needs EOT, or the deterministic surrogate. */
    public boolean randomized() {
        return mode == Mode.SAMPLED;
    }

    /** What a white-box attacker differentiates: the deterministic stack (sampling off, z = mu). */
    public DefendedClassifier attackSurrogate() {
        return mode == Mode.SAMPLED ? deterministic(classifier, autoencoder) : this;
    }

    public Mode mode() {
        return mode;
    }

    public double scale() {
        return scale;
    }

    /** The autoencoder, or null for the bare classifier. */
    public Autoencoder autoencoder() {
        return autoencoder;
    }
}
