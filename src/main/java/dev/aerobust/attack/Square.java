package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.P_INIT;
import static dev.aerobust.attack.AttackConfig.RESTARTS;
import static dev.aerobust.attack.AttackConfig.STEPS;

import java.util.SplittableRandom;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * The Square attack in the L-infinity ball (Andriushchenko, Croce, Flammarion and Hein, ECCV 2020, Algorithm 1
 * with the L-infinity proposal of section 3.1): a random search that reads only the model's logits, never a
 * gradient, which is why a white-box result far worse than Square's points to gradient masking. It starts from
 * vertical stripes of +-eps (one sign per column and channel), then, per query, moves one random square window of
 * the perturbation to a new random vertex (+-eps per channel, constant over the window) and keeps the move only
 * if it lowers the margin {@code Z_y - max_{j != y} Z_j}. The window's side is {@code sqrt(p h w)}, with p
 * starting at {@code p_init} and halved after 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 of 10,000 queries
 * (the schedule rescaled to {@code steps} queries). Rows stop querying once fooled; {@code steps} counts the
 * initialisation as the first query. The random draws come from a stream seeded by libtorch's generator, so one
 * seed gives one result. Rows at eps 0 keep the clean input.
 */
public final class Square implements RowAttack {

    private static final int[] SCHEDULE = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};

    private final Settings cfg;
    private final boolean progress;

    public Square(Settings cfg, boolean progress) {
        if (cfg.get(AttackConfig.ATTACK) != AttackKind.SQUARE) {
            throw new IllegalArgumentException("not a square configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    /** A query is one forward pass: a third of a gradient step. */
    @Override
    public double cost() {
        return workPerRow() / 3.0;
    }

    @Override
    public long workPerRow() {
        return (long) cfg.get(STEPS) * cfg.get(RESTARTS);
    }

    @Override
    public boolean progress() {
        return progress;
    }

    /** The fraction of the image a window covers at query {@code i} of {@code n}. */
    static double p(double pInit, int i, int n) {
        int it = (int) ((long) i * 10_000 / n);
        double p = pInit;
        for (int s : SCHEDULE) {
            if (it > s) {
                p /= 2;
            }
        }
        return p;
    }

    /**
     * Algorithm 1 per restart: the stripes start, then one window proposal per query on the rows still correct,
     * each kept only where it lowers the margin.
     */
    @Override
    public Tensor rows(LogitsModel model, Tensor x0t, Tensor yt, double[] eps, double[] marginsOut, Progress bar,
                long done) {
        long[] shape = Tensors.shape(x0t);
        int m = (int) shape[0];
        Image img = new Image((int) shape[1], (int) shape[2], (int) shape[3]);
        int per = img.size();
        float[] x0 = Tensors.toFloats(x0t);
        long[] y = Tensors.toLongs(yt);
        float[] best = x0.clone();
        double[] margin = new double[m];
        java.util.Arrays.fill(margin, Double.POSITIVE_INFINITY);
        int queries = cfg.get(STEPS);
        float[] seedBits = Tensors.toFloats(torch.rand(2));
        SplittableRandom rng = new SplittableRandom(
                ((long) (seedBits[0] * (1 << 24)) << 24) ^ (long) (seedBits[1] * (1 << 24)));
        long k = done;
        for (int restart = 0; restart < cfg.get(RESTARTS); restart++) {
            int[] active = stillRobust(margin);
            if (active.length == 0) {
                break;
            }
            float[] cand = stripes(img, x0, eps, active, rng);
            double[] mc = margins(model, cand, active, y, shape);
            float[] cur = new float[m * per];
            double[] curMargin = new double[m];
            for (int a = 0; a < active.length; a++) {
                int r = active[a];
                System.arraycopy(cand, a * per, cur, r * per, per);
                curMargin[r] = mc[a];
                keepIfBetter(best, margin, r, cand, a, per, mc[a]);
            }
            for (int q = 1; q < queries; q++) {
                // rows at eps 0 have nowhere to move
                active = java.util.Arrays.stream(active).filter(i -> !(curMargin[i] < 0) && eps[i] > 0).toArray();
                if (active.length == 0) {
                    break;
                }
                int side = img.side(p(cfg.get(P_INIT), q, queries));
                cand = windows(img, x0, cur, eps, active, side, rng);
                mc = margins(model, cand, active, y, shape);
                for (int a = 0; a < active.length; a++) {
                    int r = active[a];
                    if (mc[a] < curMargin[r]) {
                        curMargin[r] = mc[a];
                        System.arraycopy(cand, a * per, cur, r * per, per);
                        keepIfBetter(best, margin, r, cand, a, per, mc[a]);
                    }
                }
                if (bar != null && q % 10 == 0) {
                    bar.update(k + (long) q * m, "");
                }
            }
            k += (long) queries * m;
        }
        System.arraycopy(margin, 0, marginsOut, 0, m);
        return Tensors.fromFloats(best, shape);
    }

    /** An image's shape (channels, height, width). */
    private record Image(int c, int h, int w) {
        int size() {
            return c * h * w;
        }

        /** A window's side for the fraction p of the image: {@code sqrt(p h w)}, at least 1, less than the image. */
        int side(double p) {
            return (int) Math.min(Math.max(Math.round(Math.sqrt(p * h * w)), 1), Math.min(h, w) - 1);
        }
    }

    /** The start: vertical stripes of +-eps, one sign per (row, channel, column), clipped to [0, 1]. */
    private static float[] stripes(Image img, float[] x0, double[] eps, int[] active, SplittableRandom rng) {
        int per = img.size();
        float[] cand = new float[active.length * per];
        for (int a = 0; a < active.length; a++) {
            int r = active[a];
            for (int ch = 0; ch < img.c(); ch++) {
                for (int col = 0; col < img.w(); col++) {
                    float d = (float) (rng.nextBoolean() ? eps[r] : -eps[r]);
                    for (int row = 0; row < img.h(); row++) {
                        int o = ch * img.h() * img.w() + row * img.w() + col;
                        cand[a * per + o] = clamp01(x0[r * per + o] + d);
                    }
                }
            }
        }
        return cand;
    }

    /**
     * The L-infinity proposal (section 3.1): each active row's current point with one random square window of the
     * given side moved to a new random vertex (+-eps per channel, constant over the window), drawn again, up to 10
     * times, while it would leave the window as it is.
     */
    private static float[] windows(Image img, float[] x0, float[] cur, double[] eps, int[] active, int side,
                                   SplittableRandom rng) {
        int per = img.size();
        int h = img.h();
        int w = img.w();
        float[] cand = new float[active.length * per];
        for (int a = 0; a < active.length; a++) {
            int r = active[a];
            System.arraycopy(cur, r * per, cand, a * per, per);
            int top = rng.nextInt(h - side + 1);
            int left = rng.nextInt(w - side + 1);
            for (int tries = 0; tries < 10; tries++) {
                boolean changed = false;
                for (int ch = 0; ch < img.c(); ch++) {
                    float d = (float) (rng.nextBoolean() ? eps[r] : -eps[r]);
                    for (int row = top; row < top + side; row++) {
                        for (int col = left; col < left + side; col++) {
                            int o = ch * h * w + row * w + col;
                            float v = clamp01(x0[r * per + o] + d);
                            changed |= v != cur[r * per + o];
                            cand[a * per + o] = v;
                        }
                    }
                }
                if (changed) {
                    break;
                }
            }
        }
        return cand;
    }

    private static void keepIfBetter(float[] best, double[] margin, int r, float[] cand, int a, int per, double mc) {
        if (mc < margin[r]) {
            margin[r] = mc;
            System.arraycopy(cand, a * per, best, r * per, per);
        }
    }

    private static int[] stillRobust(double[] margin) {
        return java.util.stream.IntStream.range(0, margin.length).filter(i -> !(margin[i] < 0)).toArray();
    }

    private static float clamp01(float v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    /** The margins of the candidate rows {@code cand} (one per active row), one forward pass. */
    private static double[] margins(LogitsModel model, float[] cand, int[] active, long[] y, long[] shape) {
        long[] s = shape.clone();
        s[0] = active.length;
        long[] ys = new long[active.length];
        for (int a = 0; a < active.length; a++) {
            ys[a] = y[active[a]];
        }
        double[] out;
        try (Scope scope = Scope.open()) {
            Tensor x = Tensors.fromFloats(cand, s);
            Tensor logits = Autograd.noGrad(() -> model.logits(x));
            out = Tensors.toDoubles(Margins.margin(logits, Tensors.fromLongs(ys, ys.length)));
        }
        for (double v : out) {
            if (Double.isNaN(v)) {
                throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.NUMERIC,
                        "square: NaN margin");
            }
        }
        return out;
    }
}
