package dev.aerobust.model;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Layers;
import dev.aerobust.nn.Net;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Precision;

/**
 * The study's autoencoder. Encoder: conv 3x3/32/stride 2, ReLU, conv 3x3/32/stride 2, ReLU, flatten, FC to the
 * latent (128); a variational one has a second head for the log-variance. Decoder: FC to 32 x H/4 x W/4, ReLU,
 * transposed conv 3x3/32/stride 2, ReLU, transposed conv 3x3 to the image channels, stride 2, then the mean
 * (sigmoid by default; the authors' identity as an option). A variational model also learns the decoder's
 * per-pixel variance {@code softplus(p)^2 + floor}.
 */
public final class Autoencoder extends Net implements ImageModel, Purifier {

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

        /** The encoding of the batch repeated {@code k} times along its rows (k draws of each image's code). */
        public Encoding repeated(long k) {
            return new Encoding(Ops.repeatRows(mu, k), logvar == null ? null : Ops.repeatRows(logvar, k));
        }

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
                        Ops.scalar(Math.log(Math.expm1(0.1)))))
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
     * <p>The encoder is {@code W . relu . C2 . relu . C1}, so an image's Jacobian is {@code W D2 C2 D1 C1} with D
     * the ReLU masks at {@code x} (piecewise constant: their derivative is zero, as in autograd). Both convs are
     * 3x3 with stride 2 and padding 1, so a unit of the second conv at window s sees only the 7 x 7 input pixels
     * {@code 4s - 3 + w}, w in 0..6 per axis. The Jacobian is built in forward mode from that locality, as two
     * batched matrix products, without a dense Jacobian of either conv:
     * <ol>
     * <li>each window's local Jacobian {@code C2 D1 C1}: for each of the 9 taps q of the second conv, the
     * products {@code w2[o, c, q] w1[c, :, d]} (a 288 x 32 matrix) times D1 at {@code 2s + q - 1} for every window
     * and image, one batched product; masked by D2, tap q and first-conv tap d land at offset {@code w = 2q + d};
     * </li>
     * <li>pixel {@code p = 4t + r} (r in 0..3, per axis) lies in windows {@code s = t + a}, a in {0, 1}, at
     * offset {@code r + 3 - 4a}, so its Jacobian column is {@code sum_a W_{t+a} G_{t+a}[:, r + 3 - 4a]}. The
     * local Jacobians are scattered onto that (t, a, r) grid (strided adds), and one product per t of the
     * head's blocks {@code [k, (a, channel)]} with {@code [(a, channel), (r, image)]} gives the Jacobian. For
     * the mean head that product is not formed: {@code ||W_t G_t||^2} summed is {@code <W_t^T W_t, G_t G_t^T>},
     * so the value needs only {@code G_t G_t^T} summed over the images.</li>
     * </ol>
     * About 16 M multiply-adds an MNIST image, against 65 M for 128 reverse passes through transposed
     * convolutions. Offsets that fall on the first conv's padding (above and left of the image) are dropped.
     * {@code Objectives.jacobianFrobeniusSq} computes the same value by generic double back-propagation, and the
     * tests hold the two equal, value and weight gradient. For sigma^2 = exp(logvar), row k scales by sigma^2_k.
     *
     * @param chunk images per pass, bounding memory (about 1 MB an MNIST image)
     * @param sink  receives each chunk's term (e.g. to back-propagate it at once and free its graph)
     * @return the value
     */
    public double jacobianFrobeniusSq(Tensor x, Head head, int chunk, java.util.function.Consumer<Tensor> sink) {
        return jacobianFrobeniusSq(x, head, chunk, Precision.FP32, sink);
    }

    /**
     * {@link #jacobianFrobeniusSq(Tensor, Head, int, java.util.function.Consumer)} with the two batched products
     * and the tensors between them in {@code precision} (bf16: on AMX where the CPU has it); the squares are
     * summed in fp32 and the value returned is fp32.
     */
    public double jacobianFrobeniusSq(Tensor x, Head head, int chunk, Precision precision,
            java.util.function.Consumer<Tensor> sink) {
        if (head == Head.VARIANCE && !variational()) {
            throw new IllegalStateException("a deterministic autoencoder has no variance head");
        }
        long n = x.size(0);
        double total = 0;
        for (long i0 = 0; i0 < n; i0 += chunk) {
            Tensor term = Ops.div(jacobianFrobeniusSqSum(x.narrow(0, i0, Math.min(chunk, n - i0)), head,
                    precision), n);
            total += term.item_double();
            sink.accept(term);
        }
        return total;
    }

    /** The sum over the images of {@code x} of the squared Frobenius norm; see {@link #jacobianFrobeniusSq}. */
    private Tensor jacobianFrobeniusSqSum(Tensor x, Head head, Precision precision) {
        torch.ScalarType dt = precision == Precision.FP32 ? x.scalar_type() : precision.dtype();
        long b = x.size(0);
        long c = FILTERS;
        long cin = spec.channels();
        long sh = spec.height() / 4;
        long sw = spec.width() / 4;
        Tensor pre1 = Autograd.noGrad(() -> enc1.forward(x));
        Tensor pre2 = Autograd.noGrad(() -> enc2.forward(torch.relu(pre1)));
        Tensor d1 = Ops.positiveMask(pre1);
        Tensor d2 = Ops.positiveMask(pre2);
        // D1 at the 9 taps of each window (zero off the grid): [9, c, (s, b)]
        long[] one = {1, 1};
        Tensor taps = torch.im2col(d1, new long[] {3, 3}, one, one, new long[] {2, 2}).view(b, c, 9, sh * sw)
                .permute(2, 1, 3, 0).contiguous().view(9, c, sh * sw * b).to(dt);
        // per tap q: w2[o, c, q] w1[c, cin, d] as [9, (o, cin, d), c]
        Tensor pair = enc2.weight().permute(2, 3, 0, 1).reshape(9, c, 1, c)
                .mul(enc1.weight().permute(1, 2, 3, 0).reshape(1, 1, cin * 9, c)).reshape(9, c * cin * 9, c);
        // D2 as a contiguous [.., o, .., s_h, s_w, b] mask (a broadcast of the permuted mask is ~6x slower)
        Tensor d2m = d2.to(dt).permute(1, 2, 3, 0).contiguous().view(1, 1, c, 1, 1, 1, sh, sw, b);
        // the head's blocks W_{t+a} (zero past the grid): [t, k, (a_h, a_w, c)]
        Layers.Linear linear = head == Head.MEAN ? muHead : logvarHead;
        long k = linear.weight().size(0);
        Tensor padded = torch.constant_pad_nd(linear.weight().view(k, c, sh, sw), 0, 1, 0, 1);
        Tensor[] blocks = new Tensor[4];
        for (int ah = 0; ah < 2; ah++) {
            for (int aw = 0; aw < 2; aw++) {
                blocks[ah * 2 + aw] = padded.narrow(2, ah, sh).narrow(3, aw, sw).permute(2, 3, 0, 1);
            }
        }
        Tensor w = torch.stack(new TensorVector(blocks), 3).view(sh * sw, k, 4 * c);
        if (head == Head.MEAN) {
            return meanHeadSum(x, pair, taps, d2m, w, dt);
        }
        return varianceHeadSum(x, pair, taps, d2m, w, linear, dt);
    }

    /**
     * The variance head's sum over the images: sigma^2 = exp(logvar) scales row k of each image's Jacobian
     * {@code J_t = W_t G_t}, so the value is {@code sum (J * s)^2} with s the per-image scale, and the Jacobian is
     * written. Gradients by hand as for the mean head ({@link #meanHeadSum}): with {@code R = 2 J s^2}, {@code R
     * G^T} to the head's blocks, {@code W^T R} back through the scatter to the tap pairs, and
     * {@code sum 2 J^2 s} to the scale (whose own graph reaches every encoder weight).
     */
    private Tensor varianceHeadSum(Tensor x, Tensor pair, Tensor taps, Tensor d2m, Tensor w, Layers.Linear linear,
            torch.ScalarType dt) {
        long b = x.size(0);
        long cin = spec.channels();
        long sh = spec.height() / 4;
        long sw = spec.width() / 4;
        long k = w.size(1);
        torch.ScalarType xt = x.scalar_type();
        Tensor scale = torch.exp(linear.forward(features(x)));
        Tensor[] grads = Autograd.noGrad(() -> {
            Tensor wd = w.detach().to(dt);
            Tensor gt = blocks(pair, taps, d2m, dt, b);
            // [t, k, (cin, r_h, r_w), b] times the scale of (k, b)
            Tensor jac = Ops.bmmAcrossThreads(wd, gt).to(xt).view(sh * sw, k, cin * 16, b);
            Tensor sc = scale.detach().t().reshape(1, k, 1, b);
            Tensor scaled = jac.mul(sc);
            Tensor value = Ops.square(scaled).sum();
            Tensor dScale = Ops.mul(jac.mul(scaled).sum(new long[] {0, 2}, false, new ScalarTypeOptional()), 2)
                    .t();
            Tensor r = Ops.mul(scaled.mul_(sc), 2).to(dt).view(sh * sw, k, cin * 16 * b);
            Tensor dW = Ops.bmmAcrossThreads(r, gt.transpose(1, 2));
            Tensor p = pairGradient(Ops.bmmAcrossThreads(wd.transpose(1, 2), r), taps, d2m, b);
            return new Tensor[] {value, dW.to(xt), p.to(xt), dScale};
        });
        Tensor linked = w.mul(grads[1]).sum().add(pair.mul(grads[2]).sum()).add(scale.mul(grads[3]).sum());
        return linked.sub(linked.detach()).add(grads[0]);
    }

    /**
     * The blocks {@code G_t} of the {@code b} images, without gradient: each window's local Jacobian (the tap
     * pairs times D1 at the taps), masked by D2, scattered onto the grid.
     */
    private Tensor blocks(Tensor pair, Tensor taps, Tensor d2m, torch.ScalarType dt, long b) {
        return scatter(Ops.bmmAcrossThreads(pair.detach().to(dt), taps).view(localShape(b)).mul_(d2m), b);
    }

    /** The gradient to the tap pairs of a gradient {@code dG} to the blocks: the adjoint of {@link #blocks}. */
    private Tensor pairGradient(Tensor dG, Tensor taps, Tensor d2m, long b) {
        Tensor dLocal = gather(dG, b).mul_(d2m).view(9, FILTERS * spec.channels() * 9, taps.size(2));
        return Ops.bmmAcrossThreads(dLocal, taps.transpose(1, 2));
    }

    /**
     * The local Jacobians {@code [q_h, q_w, o, cin, d_h, d_w, s_h, s_w, b]} (contiguous) scattered onto the
     * (t, a, r) grid of both axes ({@link #PLACE}) and laid out as the blocks {@code G_t}: {@code [t, (a_h, a_w,
     * o), (cin, r_h, r_w, b)]}. One strided add per pair of tap pairs (81), each of whole
     * [o, cin, windows, windows, b] slabs. Without gradient.
     */
    private Tensor scatter(Tensor local, long b) {
        Tensor g = local.new_zeros(gridShape(b));
        forEachPlacement(b, local, g, (from, to) -> to.add_(from));
        return g.view(spec.height() / 4 * (spec.width() / 4), 4 * FILTERS, spec.channels() * 16 * b);
    }

    /** The adjoint of {@link #scatter}: the grid's entries (contiguous) gathered back onto the local layout. */
    private Tensor gather(Tensor grid, long b) {
        Tensor local = grid.new_zeros(localShape(b));
        forEachPlacement(b, local, grid, (from, to) -> from.copy_(to));
        return local;
    }

    private long[] localShape(long b) {
        return new long[] {3, 3, FILTERS, spec.channels(), 3, 3, spec.height() / 4, spec.width() / 4, b};
    }

    private long[] gridShape(long b) {
        return new long[] {spec.height() / 4, spec.width() / 4, 2, 2, FILTERS, spec.channels(), 4, 4, b};
    }

    /**
     * For each of the 81 (tap pair, tap pair) of the two axes ({@link #PLACE}), the slab of the local Jacobians
     * {@code [q_h, q_w, o, cin, d_h, d_w, s_h, s_w, b]} and the slab of the grid
     * {@code [t_h, t_w, a_h, a_w, o, cin, r_h, r_w, b]} it lands on ({@code s = t + a}, t in 0 .. windows - 1 - a),
     * both as {@code [o, cin, windows, windows, b]} views of the contiguous tensors, one native call each.
     */
    private void forEachPlacement(long b, Tensor local, Tensor grid, java.util.function.BiConsumer<Tensor, Tensor> body) {
        long[] ls = strides(localShape(b));
        long[] gs = strides(gridShape(b));
        if (!local.is_contiguous() || !grid.is_contiguous()) {
            throw new IllegalStateException("the penalty's scatter needs contiguous tensors");
        }
        long sh = spec.height() / 4;
        long sw = spec.width() / 4;
        long lo = local.storage_offset();
        long go = grid.storage_offset();
        for (int qh = 0; qh < 3; qh++) {
            for (int dh = 0; dh < 3; dh++) {
                int[] ph = PLACE[qh * 3 + dh];
                for (int qw = 0; qw < 3; qw++) {
                    for (int dw = 0; dw < 3; dw++) {
                        int[] pw = PLACE[qw * 3 + dw];
                        long[] size = {FILTERS, spec.channels(), sh - ph[0], sw - pw[0], b};
                        Tensor from = local.as_strided(size, new long[] {ls[2], ls[3], ls[6], ls[7], ls[8]},
                                new LongOptional(lo + qh * ls[0] + qw * ls[1] + dh * ls[4] + dw * ls[5]
                                        + ph[0] * ls[6] + pw[0] * ls[7]));
                        Tensor to = grid.as_strided(size, new long[] {gs[4], gs[5], gs[0], gs[1], gs[8]},
                                new LongOptional(go + ph[0] * gs[2] + pw[0] * gs[3] + ph[1] * gs[6] + pw[1] * gs[7]));
                        body.accept(from, to);
                    }
                }
            }
        }
    }

    /** The strides of a contiguous tensor of {@code shape}. */
    private static long[] strides(long[] shape) {
        long[] st = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= shape[i];
        }
        return st;
    }

    /**
     * The mean head's sum over the images, {@code sum_t ||W_t G_t||^2 = sum_t <M_t, S_t>} with
     * {@code M_t = W_t^T W_t} (no image in it) and {@code S_t = G_t G_t^T} summed over the images: the Jacobian
     * itself is never written. Its gradients are taken by hand, without a graph through the large products:
     * {@code S} to M, and to the tap pairs {@code 2 M_t G_t} taken back through the scatter (whose adjoint is a
     * gather), the D2 mask and the first product. The four large products are then plain batched products,
     * which {@link Ops#bmmAcrossThreads} spreads over the cores (the engine's fp32 bmm runs one BLAS thread). The
     * tensor returned has the value and those gradients: {@code <M, S> + <pair, P> - <pair, P>} (the last term
     * detached).
     */
    private Tensor meanHeadSum(Tensor x, Tensor pair, Tensor taps, Tensor d2m, Tensor w, torch.ScalarType dt) {
        long b = x.size(0);
        Tensor m = torch.bmm(w.transpose(1, 2), w);
        Tensor[] sp = Autograd.noGrad(() -> {
            Tensor gt = blocks(pair, taps, d2m, dt, b);
            Tensor s = Ops.bmmAcrossThreads(gt, gt.transpose(1, 2));
            // d/dG = 2 M G
            Tensor p = pairGradient(Ops.bmmAcrossThreads(Ops.mul(m.detach(), 2).to(dt), gt), taps, d2m, b);
            return new Tensor[] {s.to(x.scalar_type()), p.to(x.scalar_type())};
        });
        Tensor linked = pair.mul(sp[1]).sum();
        return m.mul(sp[0]).sum().add(linked).sub(linked.detach());
    }

    /**
     * Per axis, where tap pair {@code (q, d)} of window s lands on the grid: offset {@code w = 2q + d} of the
     * window's 7 pixels {@code 4s - 3 + w} is pixel {@code 4t + r} with {@code t = s - a}: {@code {a, r}} is
     * {@code {1, w + 1}} for w in 0..2 (s >= 1; at s = 0 those pixels are the padding) and {@code {0, w - 3}} for
     * w in 3..6. Two pairs share w = 2 and w = 4.
     */
    private static final int[][] PLACE = new int[9][];

    static {
        for (int q = 0; q < 3; q++) {
            for (int d = 0; d < 3; d++) {
                int w = 2 * q + d;
                PLACE[q * 3 + d] = w <= 2 ? new int[] {1, w + 1} : new int[] {0, w - 3};
            }
        }
    }

    /** The encoder's features before the heads. */
    private Tensor features(Tensor x) {
        return torch.relu(enc2.forward(torch.relu(enc1.forward(x)))).flatten(1, -1);
    }

    /** The latent mean alone (the deterministic paths need no variance head). */
    public Tensor mu(Tensor x) {
        return muHead.forward(features(x));
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
        return Ops.add(Ops.square(torch.softplus(varianceParam)), spec.varianceFloor());
    }

    /** {@code z = mu + s * sigma * e}, e ~ N(0, I) from the engine's generator. */
    public static Tensor sample(Encoding enc, double scale) {
        Tensor sigma = torch.exp(Ops.mul(enc.logvar(), 0.5));
        return enc.mu().add(Ops.mul(torch.randn_like(sigma).mul(sigma), scale));
    }

    /** The deterministic reconstruction, {@code decode(mu)}: the defense at inference, and what the attacker sees. */
    @Override
    public Tensor forward(Tensor x) {
        return decode(mu(x));
    }

    @Override
    public int[] inputShape() {
        return new int[] {spec.channels(), spec.height(), spec.width()};
    }

    @Override
    public Tensor reconstruct(Tensor x) {
        return decode(mu(x));
    }

    @Override
    public boolean hasLatent() {
        return true;
    }

    @Override
    public Tensor latent(Tensor x) {
        return mu(x);
    }

    @Override
    public void freeze() {
        train(false);
        requiresGrad(false);
    }
}
