package dev.aerobust.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Layers;
import dev.aerobust.nn.Net;

/**
 * The study's autoencoder. Encoder: conv 3x3/32/stride 2, ReLU, conv 3x3/32/stride 2, ReLU, flatten, FC to the
 * latent (128); a variational one has a second head for the log-variance. Decoder: FC to 32 x H/4 x W/4, ReLU,
 * transposed conv 3x3/32/stride 2, ReLU, transposed conv 3x3 to the image channels, stride 2, then the mean
 * (sigmoid by default; the authors' identity as an option). A variational model also learns the decoder's
 * per-pixel variance {@code softplus(p)^2 + floor}.
 */
public final class Autoencoder extends Net implements ImageModel {

    /** The decoder mean's squashing. */
    public enum DecoderMean { SIGMOID, IDENTITY }

    /**
     * The architecture.
     *
     * @param varianceFloor floor on the decoder variance, in [0, 1] pixel units (the study's 0.01 in [-1, 1]
     *                      units is 0.0025 here)
     */
    public record Spec(int channels, int height, int width, int latent, boolean variational, DecoderMean mean,
                       double varianceFloor) {
        public Spec {
            if (height % 4 != 0 || width % 4 != 0) {
                throw new IllegalArgumentException("autoencoder input must be a multiple of 4, got " + height + "x"
                        + width);
            }
            if (latent <= 0) {
                throw new IllegalArgumentException("latent size must be positive, got " + latent);
            }
        }
    }

    /** The encoder's output: the mean, and for a variational model the log-variance (else null). */
    public record Encoding(Tensor mu, Tensor logvar) {

        /** sigma^2, the posterior variance. */
        public Tensor variance() {
            return torch.exp(logvar);
        }
    }

    public static final int FILTERS = 32;
    public static final int LATENT = 128;

    private final Spec spec;
    private final Layers.Conv2d enc1;
    private final Layers.Conv2d enc2;
    private final Layers.Linear muHead;
    private final Layers.Linear logvarHead;
    private final Layers.Linear decFc;
    private final Layers.ConvTranspose2d dec1;
    private final Layers.ConvTranspose2d dec2;
    private final Tensor varianceParam;

    public Autoencoder(Spec spec) {
        this.spec = spec;
        long flat = (long) FILTERS * (spec.height() / 4) * (spec.width() / 4);
        enc1 = child("enc1", new Layers.Conv2d(spec.channels(), FILTERS, 3, 2, 1));
        enc2 = child("enc2", new Layers.Conv2d(FILTERS, FILTERS, 3, 2, 1));
        muHead = child("mu", new Layers.Linear(flat, spec.latent()));
        logvarHead = spec.variational() ? child("logvar", new Layers.Linear(flat, spec.latent())) : null;
        decFc = child("dec_fc", new Layers.Linear(spec.latent(), flat));
        dec1 = child("dec1", new Layers.ConvTranspose2d(FILTERS, FILTERS, 3, 2, 1, 1));
        dec2 = child("dec2", new Layers.ConvTranspose2d(FILTERS, spec.channels(), 3, 2, 1, 1));
        // softplus(p)^2 = 0.01 at the start: a variance just above the floor scale, learned from there
        varianceParam = spec.variational()
                ? parameter("dec_var", torch.full(new long[] {spec.channels(), spec.height(), spec.width()},
                        new Scalar(Math.log(Math.expm1(0.1)))))
                : null;
    }

    public Spec spec() {
        return spec;
    }

    public boolean variational() {
        return spec.variational();
    }

    /** The encoder's features before the heads. */
    private Tensor features(Tensor x) {
        return torch.relu(enc2.forward(torch.relu(enc1.forward(x)))).flatten(1, -1);
    }

    public Encoding encode(Tensor x) {
        Tensor h = features(x);
        return new Encoding(muHead.forward(h), logvarHead == null ? null : logvarHead.forward(h));
    }

    /** The decoder's mean: the reconstruction. */
    public Tensor decode(Tensor z) {
        Tensor h = torch.relu(decFc.forward(z)).view(-1, FILTERS, spec.height() / 4, spec.width() / 4);
        Tensor out = dec2.forward(torch.relu(dec1.forward(h)));
        return spec.mean() == DecoderMean.SIGMOID ? torch.sigmoid(out) : out;
    }

    /** The decoder's variance {@code softplus(p)^2 + floor}, shape {@code [C, H, W]}; variational models only. */
    public Tensor decoderVariance() {
        if (varianceParam == null) {
            throw new IllegalStateException("a deterministic autoencoder has no decoder variance");
        }
        return torch.softplus(varianceParam).pow(new Scalar(2.0)).add(new Scalar(spec.varianceFloor()));
    }

    /** {@code z = mu + s * sigma * e}, e ~ N(0, I) from the engine's generator. */
    public static Tensor sample(Encoding enc, double scale) {
        Tensor sigma = torch.exp(enc.logvar().mul(new Scalar(0.5)));
        return enc.mu().add(torch.randn_like(sigma).mul(sigma).mul(new Scalar(scale)));
    }

    /** The deterministic reconstruction, {@code decode(mu)}: the defense at inference, and what the attacker sees. */
    @Override
    public Tensor forward(Tensor x) {
        return decode(encode(x).mu());
    }

    @Override
    public int[] inputShape() {
        return new int[] {spec.channels(), spec.height(), spec.width()};
    }
}
