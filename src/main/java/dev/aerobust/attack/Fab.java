package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.STEPS;
import static dev.aerobust.attack.AttackConfig.TARGETS;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * FAB-T in L-infinity (Croce and Hein, ICML 2020, "Minimally distorted adversarial examples with a fast adaptive
 * boundary attack", Algorithm 1, targeted as in AutoAttack): a minimum-norm attack. At each iterate x it
 * linearises the boundary between the true class y and a target t ({@code z_y - z_t = 0}), projects both x and
 * the original point onto that hyperplane inside [0, 1] (the smallest L-infinity step, solved exactly), and moves
 * to {@code (1 - a)(x + eta d_x) + a (x_orig + eta d_orig)} with {@code a = min(|d_x| / (|d_x| + |d_orig|),
 * alpha_max)}, eta = 1.05, alpha_max = 0.1; whenever the new point is misclassified it is kept if it is the
 * closest so far and the iterate steps back towards the original, {@code x_orig + beta (x - x_orig)} with
 * beta = 0.9. It runs from the original point once per target (the classes of the 2nd to (targets + 1)-th highest
 * clean logits), only on the rows not yet fooled inside their eps. A row is fooled if the closest misclassified
 * point lies inside its eps box; otherwise the closest point found, clipped into the box, is returned.
 */
public final class Fab implements RowAttack {

    static final double ETA = 1.05;
    static final double ALPHA_MAX = 0.1;
    static final double BETA = 0.9;

    private final Settings cfg;
    private final boolean progress;

    public Fab(Settings cfg, boolean progress) {
        if (cfg.get(AttackConfig.ATTACK) != AttackKind.FAB_T) {
            throw new IllegalArgumentException("not a fab-t configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    /** Two forward passes and one backward an iteration. */
    @Override
    public double cost() {
        return workPerRow() * 1.3;
    }

    /** A minimum-norm attack stops on its own; doubling its steps is not a convergence check of a budget. */
    @Override
    public Attack doubled() {
        return null;
    }

    @Override
    public long workPerRow() {
        return (long) cfg.get(STEPS) * cfg.get(TARGETS);
    }

    @Override
    public boolean progress() {
        return progress;
    }

    /**
     * The smallest L-infinity {@code d} with {@code w . d = b} and {@code x + d} in [0, 1]: every coordinate
     * moves by the same t in the direction that raises {@code sign(b) w . d}, up to its box bound, and t is the
     * root of a piecewise-linear increasing function of t, found over the sorted bounds. If no point of the box
     * reaches the hyperplane, the box's closest corner in that direction is returned.
     */
    static double[] project(float[] x, int off, float[] w, int per, double b) {
        double[] d = new double[per];
        if (b == 0) {
            return d;
        }
        double sb = Math.signum(b);
        double target = Math.abs(b);
        double[] cap = new double[per];
        double[] a = new double[per];
        int[] order = new int[per];
        for (int i = 0; i < per; i++) {
            double wi = w[off + i] * sb;
            a[i] = Math.abs(wi);
            // how far coordinate i can move in the direction sign(wi) before leaving [0, 1]
            cap[i] = wi > 0 ? 1 - x[off + i] : wi < 0 ? x[off + i] : 0;
            order[i] = i;
        }
        sortByKey(order, cap);
        double below = 0;
        double slope = 0;
        for (double ai : a) {
            slope += ai;
        }
        double t = Double.NaN;
        for (int k = 0; k < per; k++) {
            int i = order[k];
            // on [previous cap, cap[i]], S(t) = below + t * slope
            if (slope > 0 && below + cap[i] * slope >= target) {
                t = (target - below) / slope;
                break;
            }
            below += a[i] * cap[i];
            slope -= a[i];
        }
        if (Double.isNaN(t)) {
            t = Double.POSITIVE_INFINITY;
        }
        for (int i = 0; i < per; i++) {
            double wi = w[off + i] * sb;
            double step = Math.min(t, cap[i]);
            d[i] = wi > 0 ? step : wi < 0 ? -step : 0;
        }
        return d;
    }

    /**
     * Sorts the indices {@code order} by {@code key[order[i]]} ({@code Double.compare}), stably: ties keep their
     * order. A bottom-up merge sort on primitives: the same permutation as a stable sort of boxed indices, without
     * the boxing (the projection sorts 2 x rows x steps x targets times a run).
     */
    static void sortByKey(int[] order, double[] key) {
        int n = order.length;
        int[] src = order;
        int[] dst = new int[n];
        // runs of 16 by insertion sort (stable), then merges of doubling width
        for (int lo = 0; lo < n; lo += 16) {
            int hi = Math.min(lo + 16, n);
            for (int i = lo + 1; i < hi; i++) {
                int v = src[i];
                int j = i - 1;
                while (j >= lo && Double.compare(key[src[j]], key[v]) > 0) {
                    src[j + 1] = src[j];
                    j--;
                }
                src[j + 1] = v;
            }
        }
        for (int width = 16; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    dst[k++] = Double.compare(key[src[j]], key[src[i]]) < 0 ? src[j++] : src[i++];
                }
                while (i < mid) {
                    dst[k++] = src[i++];
                }
                while (j < hi) {
                    dst[k++] = src[j++];
                }
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != order) {
            System.arraycopy(src, 0, order, 0, n);
        }
    }

    /**
     * Algorithm 1, once per target: the rows not yet fooled inside their box start from the original point, and
     * each iteration linearises the boundary at the iterate, takes the biased projection step, and keeps the new
     * point where it is misclassified (then steps back towards the original).
     */
    @Override
    public Tensor rows(LogitsModel model, Tensor x0t, Tensor yt, double[] eps, double[] marginsOut, Progress bar,
                long done) {
        long[] shape = Tensors.shape(x0t);
        int m = (int) shape[0];
        int per = (int) (x0t.numel() / m);
        float[] x0 = Tensors.toFloats(x0t);
        long[] y = Tensors.toLongs(yt);
        Closest closest = new Closest(x0, m, per);
        int steps = cfg.get(STEPS);
        Targets targets = targets(model, x0t, y, closest);
        long k = done;
        for (int t = 0; t < targets.count(); t++) {
            int[] active = java.util.stream.IntStream.range(0, m)
                    .filter(r -> eps[r] > 0 && !(closest.norm[r] <= eps[r])).toArray();
            if (active.length == 0) {
                break;
            }
            Batch batch = new Batch(x0, y, targets, t, active, per, shape);
            for (int it = 0; it < steps; it++) {
                Linearisation lin = linearise(model, batch);
                float[] next = step(batch, lin);
                keepMisclassified(model, batch, next, closest);
                System.arraycopy(next, 0, batch.x, 0, batch.x.length);
                if (bar != null) {
                    bar.update(k + (long) (it + 1) * m, "");
                }
            }
            k += (long) steps * m;
        }
        Tensor adv = Tensors.fromFloats(closest.insideBoxes(eps), shape);
        try (Scope s = Scope.open()) {
            double[] mg = Tensors.toDoubles(Margins.margin(Autograd.noGrad(() -> model.logits(adv)), yt));
            System.arraycopy(mg, 0, marginsOut, 0, m);
        }
        return adv;
    }

    /** The closest misclassified point found for each row, and its L-infinity distance from the original. */
    private static final class Closest {
        final float[] x0;
        final float[] point;
        final double[] norm;
        final int per;

        Closest(float[] x0, int m, int per) {
            this.x0 = x0;
            this.point = x0.clone();
            this.norm = new double[m];
            this.per = per;
            Arrays.fill(norm, Double.POSITIVE_INFINITY);
        }

        /**
         * Inside each row's box: the closest misclassified point if it is within eps, else that point clipped into
         * the box.
         */
        float[] insideBoxes(double[] eps) {
            float[] out = new float[norm.length * per];
            for (int r = 0; r < norm.length; r++) {
                for (int i = 0; i < per; i++) {
                    float o = x0[r * per + i];
                    float d = (float) Math.max(-eps[r], Math.min(eps[r], point[r * per + i] - o));
                    out[r * per + i] = Math.max(0f, Math.min(1f, o + d));
                }
            }
            return out;
        }
    }

    /** Each row's target classes (row-major, {@code count} a row). */
    private record Targets(long[] classes, int count) {
    }

    /**
     * The targets: the classes of the 2nd to (targets + 1)-th highest clean logits. A row misclassified already
     * needs no perturbation: its closest point is the original, at distance 0.
     */
    private Targets targets(LogitsModel model, Tensor x0t, long[] y, Closest closest) {
        try (Scope s = Scope.open()) {
            Tensor logits = Autograd.noGrad(() -> model.logits(x0t));
            Tensor top = Rows.targets(logits, cfg.get(TARGETS));
            long[] pred = Tensors.toLongs(Ops.argmaxRows(logits));
            for (int r = 0; r < y.length; r++) {
                if (pred[r] != y[r]) {
                    closest.norm[r] = 0;
                }
            }
            return new Targets(Tensors.toLongs(top), (int) top.size(1));
        }
    }

    /** The rows one target's run works on: their originals, labels, targets, and the iterates (from the originals). */
    private static final class Batch {
        final int[] rows;
        final int n;
        final int per;
        final float[] xs0;
        final float[] x;
        final long[] ys;
        final long[] ts;
        final long[] shape;

        Batch(float[] x0, long[] y, Targets targets, int t, int[] rows, int per, long[] shape) {
            this.rows = rows;
            this.n = rows.length;
            this.per = per;
            this.xs0 = new float[n * per];
            this.ys = new long[n];
            this.ts = new long[n];
            for (int a = 0; a < n; a++) {
                System.arraycopy(x0, rows[a] * per, xs0, a * per, per);
                ys[a] = y[rows[a]];
                ts[a] = targets.classes()[rows[a] * targets.count() + t];
            }
            this.x = xs0.clone();
            this.shape = shape.clone();
            this.shape[0] = n;
        }
    }

    /** The boundary {@code f = z_y - z_t = 0} linearised at the iterates: its gradient w and value f per row. */
    private record Linearisation(float[] w, double[] f) {
    }

    private static Linearisation linearise(LogitsModel model, Batch b) {
        try (Scope s = Scope.open()) {
            Tensor xv = Tensors.fromFloats(b.x, b.shape).set_requires_grad(true);
            Tensor logits = model.logits(xv);
            Tensor diff = torch.gather(logits, 1, Tensors.fromLongs(b.ys, b.n).unsqueeze(1)).squeeze(1)
                    .sub(torch.gather(logits, 1, Tensors.fromLongs(b.ts, b.n).unsqueeze(1)).squeeze(1));
            Tensor g = Autograd.grad(diff.sum(), xv, false);
            return new Linearisation(Tensors.toFloats(g), Tensors.toDoubles(diff.detach()));
        }
    }

    /**
     * The biased projection step: project the iterate and the original onto the linearised boundary inside
     * [0, 1], and move to {@code (1 - a)(x + eta d_x) + a (x_orig + eta d_orig)}, clipped to [0, 1]. Rows are
     * independent: the projections run on every core while the engine waits (the same numbers).
     */
    private static float[] step(Batch b, Linearisation lin) {
        int per = b.per;
        float[] next = new float[b.n * per];
        float[] x = b.x;
        float[] xs0 = b.xs0;
        float[] w = lin.w();
        double[] f = lin.f();
        java.util.stream.IntStream.range(0, b.n).parallel().forEach(a -> {
            int off = a * per;
            double[] dx = project(x, off, w, per, -f[a]);
            // the boundary's value at the original, from the linearisation at x
            double fo = f[a];
            for (int i = 0; i < per; i++) {
                fo += w[off + i] * (double) (xs0[off + i] - x[off + i]);
            }
            double[] dorig = project(xs0, off, w, per, -fo);
            double nx = maxAbs(dx);
            double no = maxAbs(dorig);
            double alpha = nx + no > 0 ? Math.min(nx / (nx + no), ALPHA_MAX) : 0;
            for (int i = 0; i < per; i++) {
                double v = (1 - alpha) * (x[off + i] + ETA * dx[i]) + alpha * (xs0[off + i] + ETA * dorig[i]);
                next[off + i] = (float) Math.max(0, Math.min(1, v));
            }
        });
        return next;
    }

    /**
     * Where the new point is misclassified: keep it if it is the row's closest so far, and step back towards the
     * original, {@code x_orig + beta (x - x_orig)} (in place in {@code next}).
     */
    private static void keepMisclassified(LogitsModel model, Batch b, float[] next, Closest closest) {
        long[] pred;
        try (Scope s = Scope.open()) {
            pred = Tensors.toLongs(Ops.argmaxRows(Autograd.noGrad(() -> model.logits(
                    Tensors.fromFloats(next, b.shape)))));
        }
        int per = b.per;
        for (int a = 0; a < b.n; a++) {
            if (pred[a] == b.ys[a]) {
                continue;
            }
            int off = a * per;
            int r = b.rows[a];
            double norm = 0;
            for (int i = 0; i < per; i++) {
                norm = Math.max(norm, Math.abs(next[off + i] - b.xs0[off + i]));
            }
            if (norm < closest.norm[r]) {
                closest.norm[r] = norm;
                System.arraycopy(next, off, closest.point, r * per, per);
            }
            for (int i = 0; i < per; i++) {
                next[off + i] = (float) (b.xs0[off + i] + BETA * (next[off + i] - b.xs0[off + i]));
            }
        }
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }
}
