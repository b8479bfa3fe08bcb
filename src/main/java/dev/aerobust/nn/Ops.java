package dev.aerobust.nn;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The tensor operations the algorithms use, named as the papers name them, so an attack reads like its paper
 * (Foolbox's {@code clip}, {@code project}, row norms) and not like the engine's bindings: the optional-argument
 * wrappers and {@code Scalar} boxes stay here.
 */
public final class Ops {

    private static final ScalarTypeOptional SAME_TYPE = new ScalarTypeOptional();

    private Ops() {
    }

    /** A number as the engine's scalar. */
    public static Scalar scalar(double v) {
        return new Scalar(v);
    }

    /** Clamps into the image range [0, 1]. */
    public static Tensor clamp01(Tensor t) {
        return clamp(t, 0, 1);
    }

    /** Clamps into [lo, hi]. */
    public static Tensor clamp(Tensor t, double lo, double hi) {
        return torch.clamp(t, new ScalarOptional(scalar(lo)), new ScalarOptional(scalar(hi)));
    }

    /** Clamps element-wise into [lo, hi], bounds broadcast (per-row eps boxes). */
    public static Tensor clamp(Tensor t, Tensor lo, Tensor hi) {
        return torch.clamp(t, new TensorOptional(lo), new TensorOptional(hi));
    }

    /** {@code max(t, lo)}. */
    public static Tensor clampMin(Tensor t, double lo) {
        return torch.clamp(t, new ScalarOptional(scalar(lo)), new ScalarOptional());
    }

    /** {@code min(t, hi)}. */
    public static Tensor clampMax(Tensor t, double hi) {
        return torch.clamp(t, new ScalarOptional(), new ScalarOptional(scalar(hi)));
    }

    /** The sum over every dimension but the first: one number per row. */
    public static Tensor sumRows(Tensor t) {
        return t.flatten(1, -1).sum(new long[] {1}, false, SAME_TYPE);
    }

    /** The squared L2 norm of each row. */
    public static Tensor sqNormRows(Tensor t) {
        return sumRows(square(t));
    }

    /** The L2 norm of each row. */
    public static Tensor normRows(Tensor t) {
        return sqNormRows(t).sqrt();
    }

    /** The L1 norm of each row. */
    public static Tensor l1NormRows(Tensor t) {
        return sumRows(t.abs());
    }

    /** The mean over dimension {@code dim}. */
    public static Tensor mean(Tensor t, long dim, boolean keepDim) {
        return t.mean(new long[] {dim}, keepDim, SAME_TYPE);
    }

    /** The index of the largest entry of each row of a [n, k] tensor. */
    public static Tensor argmaxRows(Tensor t) {
        return t.argmax(new LongOptional(1), false);
    }

    /** {@code a + s}. */
    public static Tensor add(Tensor a, double s) {
        return a.add(scalar(s));
    }

    /** {@code a * s}. */
    public static Tensor mul(Tensor a, double s) {
        return a.mul(scalar(s));
    }

    /** {@code a / s}. */
    public static Tensor div(Tensor a, double s) {
        return a.div(scalar(s));
    }

    /** {@code t * t}, element-wise. */
    public static Tensor square(Tensor t) {
        return t.pow(scalar(2.0));
    }

    /** 1 where {@code t > 0}, else 0, in {@code t}'s type and detached: ReLU's derivative. */
    public static Tensor positiveMask(Tensor t) {
        return t.gt(scalar(0.0)).to(t.scalar_type()).detach();
    }

    /** {@code t} with {@code v} where {@code mask} is true. */
    public static Tensor fill(Tensor t, Tensor mask, double v) {
        return t.masked_fill(mask, scalar(v));
    }

    /** A vector of {@code n} copies of {@code v}. */
    public static Tensor full(long n, double v) {
        return torch.full(new long[] {n}, scalar(v));
    }

    /** The sum over dimension {@code dim}. */
    public static Tensor sum(Tensor t, long dim, boolean keepDim) {
        return t.sum(new long[] {dim}, keepDim, SAME_TYPE);
    }

    /** Picks {@code a} where {@code mask}, else {@code b}. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) {
        return torch.where(mask, a, b);
    }

    /** Worker threads for {@link #bmmAcrossThreads}: daemons, made on first use. */
    private static final class BmmPool {
        static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(
                r -> {
                    Thread t = new Thread(r, "aerobust-bmm");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * The batched product {@code a[i] b[i]}, without gradient, its batch split over the engine's threads. The
     * engine's fp32 and fp64 {@code bmm} loops over the batch calling one single-threaded BLAS product after the
     * other (OpenBLAS stays at one thread: engine.md), so a large batched product uses one core; here each
     * thread takes a contiguous share of the batch, one BLAS call per matrix as before, so the result is the same
     * to the bit. Other types (bf16, on oneDNN's threaded kernels) and small products go to {@code bmm} as they are.
     */
    public static Tensor bmmAcrossThreads(Tensor a, Tensor b) {
        long batch = a.size(0);
        int parts = (int) Math.min(batch, torch.get_num_threads());
        // the binding returns its own enum instance: compare the codes
        byte type = a.scalar_type().value;
        // below about a million multiply-adds the hand-off costs more than the second core gives
        boolean small = batch * a.size(1) * a.size(2) * b.size(2) < (1L << 20);
        if (parts < 2 || small || (type != torch.ScalarType.Float.value && type != torch.ScalarType.Double.value)) {
            return Autograd.noGrad(() -> torch.bmm(a, b));
        }
        Tensor ad = a.detach();
        Tensor bd = b.detach();
        Tensor out = ad.new_empty(batch, a.size(1), b.size(2));
        java.util.List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
        for (int p = 1; p < parts; p++) {
            long lo = batch * p / parts;
            long len = batch * (p + 1) / parts - lo;
            running.add(BmmPool.POOL.submit(() -> {
                try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                    torch.bmm_out(out.narrow(0, lo, len), ad.narrow(0, lo, len), bd.narrow(0, lo, len));
                }
            }));
        }
        long len0 = batch / parts;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            torch.bmm_out(out.narrow(0, 0, len0), ad.narrow(0, 0, len0), bd.narrow(0, 0, len0));
        }
        for (java.util.concurrent.Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a batched product", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a batched product failed", e.getCause());
            }
        }
        return out;
    }

    /** {@code t} repeated {@code k} times along its first dimension (k blocks of its rows, block-major). */
    public static Tensor repeatRows(Tensor t, long k) {
        if (k == 1) {
            return t;
        }
        long[] reps = new long[(int) t.dim()];
        java.util.Arrays.fill(reps, 1);
        reps[0] = k;
        return t.repeat(reps);
    }

    /** Uniform noise in [-1, 1] of {@code t}'s shape. */
    public static Tensor uniformSigned(Tensor t) {
        return torch.rand_like(t).mul(scalar(2.0)).sub(scalar(1.0));
    }
}
