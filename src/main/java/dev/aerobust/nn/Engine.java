package dev.aerobust.nn;

import org.bytedeco.pytorch.global.torch;

/**
 * The one entry point to the tensor engine: loads the natives safely, sets threads, seeds, and reports versions.
 *
 * <p>Every other class in this package calls {@link #init()} before its first engine call.
 */
public final class Engine {

    /** Environment variable that overrides the intra-op thread count. */
    public static final String THREADS_ENV = "AEROBUST_THREADS";

    private static volatile boolean ready;

    private Engine() {
    }

    /** Loads the engine once: unpacks natives first (see {@link NativeCache}), then sets the thread count. */
    public static void init() {
        if (ready) {
            return;
        }
        synchronized (Engine.class) {
            if (ready) {
                return;
            }
            NativeCache.prepare();
            // OpenBLAS threads fight libtorch's OpenMP pool (the contractive penalty's forward pass took twice as
            // long with both); the launcher and the build set the variable, this covers embedders that did not.
            if (System.getenv("OPENBLAS_NUM_THREADS") == null) {
                org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
            }
            torch.set_num_threads(defaultThreads());
            // NNPACK refuses this CPU and warns on every conv; the default kernels are used anyway.
            torch.globalContext().setUserEnabledNNPACK(false);
            flushSubnormals();
            ready = true;
        }
    }

    /**
     * Flushes subnormal floats (below 1.2e-38) to zero on the calling thread and on the engine threads it starts
     * later (x86 FTZ and DAZ). Subnormals take microcode assists: a trained DAE's saturated decoder fills the
     * attack's backward pass with them, which made its CW-Linf and PGD iterations about 2x slower than the same
     * stack's with a DVAE; flushed, the results were the same to the bit in every case measured
     * (docs/performance.md, change 24). The flags are per thread, and the JVM restores its own on every entry
     * into Java from native code (a new Java thread, a reflective call), so {@link Scope#open()} sets them again
     * for the thread that computes; the engine's OpenMP threads take them when they start, from the thread that
     * starts them (in a command, after {@link #init()}). Java's own float arithmetic on that thread flushes
     * subnormals too.
     */
    public static void flushSubnormals() {
        org.bytedeco.pytorch.Context.setFlushDenormal(true);
    }

    /** Threads used by default: {@value #THREADS_ENV} if set, else every available core. */
    public static int defaultThreads() {
        String env = System.getenv(THREADS_ENV);
        if (env != null && !env.isBlank()) {
            try {
                int n = Integer.parseInt(env.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the core count
            }
            throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE, THREADS_ENV
                    + " must be a positive integer, got '" + env + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static void setThreads(int n) {
        if (n <= 0) {
            throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE,
                    "--threads must be a positive integer, got " + n);
        }
        init();
        torch.set_num_threads(n);
    }

    public static int threads() {
        init();
        return torch.get_num_threads();
    }

    /** Seeds the engine's global generator (weight init, noise, sampling). */
    public static void seed(long seed) {
        init();
        torch.manual_seed(seed);
    }

    /** The libtorch version, read from the preset's Maven metadata (e.g. {@code 2.10.0}). */
    public static String torchVersion() {
        String v = presetVersion();
        int dash = v.indexOf('-');
        return dash > 0 ? v.substring(0, dash) : v;
    }

    /** The JavaCPP preset version, e.g. {@code 2.10.0-1.5.13}. */
    public static String presetVersion() {
        return dev.aerobust.util.Versions.resourceVersion("META-INF/maven/org.bytedeco/pytorch/pom.properties");
    }
}
