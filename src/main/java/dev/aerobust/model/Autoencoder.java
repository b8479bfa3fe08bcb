package dev.aerobust.model;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Autograd;
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

    /** Which encoder output a Jacobian is taken of. */
    public enum Head { MEAN, VARIANCE }

    /**
     * The exact squared Frobenius norm of the Jacobian of the encoder's mean (or of sigma^2) with respect to
     * {@code x}, as the batch mean of the per-image value; differentiable with respect to the weights.
     *
     * <p>The encoder is {@code W . relu . C2 . relu . C1}, so the Jacobian's transpose is
     * {@code C1^T D1 C2^T D2 W^T}, with D the ReLU masks at {@code x} and {@code C^T} the adjoint of a strided conv
     * (a transposed conv with the same weight). This is exactly what the first backward pass of a double
     * back-propagation computes; written out, the second derivative becomes an ordinary backward pass through
     * transposed convolutions. The masks are piecewise constant, so their derivative is zero, as in autograd.
     * {@code Objectives.jacobianFrobeniusSq} computes the same value by generic double back-propagation, and the
     * tests hold the two equal. For sigma^2 = exp(logvar), row k scales by sigma^2_k.
     *
     * @param chunk latent rows per pass, bounding memory
     * @param sink  receives each chunk's term (e.g. to back-propagate it at once and free its graph)
     * @return the value
     */
    public double jacobianFrobeniusSq(Tensor x, Head head, int chunk, java.util.function.Consumer<Tensor> sink) {
        if (head == Head.VARIANCE && !variational()) {
            throw new IllegalStateException("a deterministic autoencoder has no variance head");
        }
        long b = x.size(0);
        int hh = spec.height() / 4;
        int ww = spec.width() / 4;
        Tensor pre1 = Autograd.noGrad(() -> enc1.forward(x));
        Tensor pre2 = Autograd.noGrad(() -> enc2.forward(torch.relu(pre1)));
        Tensor d1 = pre1.gt(new Scalar(0.0)).to(pre1.scalar_type()).detach().unsqueeze(1);
        Tensor d2 = pre2.gt(new Scalar(0.0)).to(pre2.scalar_type()).detach().unsqueeze(1);
        Layers.Linear linear = head == Head.MEAN ? muHead : logvarHead;
        double total = 0;
        for (int k0 = 0; k0 < spec.latent(); k0 += chunk) {
            int k = Math.min(chunk, spec.latent() - k0);
            Tensor rows = linear.weight().narrow(0, k0, k).view(1, k, FILTERS, hh, ww).mul(d2);
            if (head == Head.VARIANCE) {
                // sigma^2 depends on the weights too; each chunk's graph is freed by its sink, so rebuild it
                Tensor scale = torch.exp(linear.forward(features(x)));
                rows = rows.mul(scale.narrow(1, k0, k).view(b, k, 1, 1, 1));
            }
            Tensor u = enc2.adjoint(rows.view(b * k, FILTERS, hh, ww));
            u = u.view(b, k, FILTERS, 2 * hh, 2 * ww).mul(d1).view(b * k, FILTERS, 2 * hh, 2 * ww);
            Tensor term = enc1.adjoint(u).pow(new Scalar(2.0)).sum().div(new Scalar((double) b));
            total += term.item_double();
            sink.accept(term);
        }
        return total;
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
