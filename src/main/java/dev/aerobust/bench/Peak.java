package dev.aerobust.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;

/**
 * The work of an attack iteration and the fp32 peak of this CPU, for the benchmark's achieved GFLOP/s and its
 * fraction of the peak (benchmark.md).
 */
public final class Peak {

    private Peak() {
    }

    /**
     * FLOPs of one attack image-iteration on the MNIST stack deterministic VAE + classifier: the forward pass's
     * multiply-adds (convolutions, transposed convolutions, linear layers; the mean head only, as the
     * deterministic reconstruction computes it alone) times 2, and the backward pass to the input counted as the forward's cost, as benchmark.md
     * does (no weight gradients). About 16 MFLOP.
     */
    public static double stackIterationFlops() {
        return iterationFlops(classifierMacs(28, 28, 1, 10) + autoencoderMacs(28, 28, 1, Autoencoder.LATENT));
    }

    /** The same for the MNIST classifier alone (an undefended attack). */
    public static double classifierIterationFlops() {
        return iterationFlops(classifierMacs(28, 28, 1, 10));
    }

    /** An iteration's FLOPs from the forward pass's multiply-adds: 2 FLOPs each, and the backward as much again. */
    private static double iterationFlops(double forwardMacs) {
        return 2 * 2 * forwardMacs;
    }

    /** Multiply-adds of the classifier's forward pass on one image. */
    static double classifierMacs(int h, int w, int channels, int classes) {
        int f = Classifier.FILTERS;
        double macs = 0;
        int cin = channels;
        for (int i = 0; i < 4; i++) {
            macs += (double) h * w * f * cin * 9; // same padding: one output per input pixel
            cin = f;
            h /= 2;
            w /= 2;
        }
        return macs + (double) f * h * w * Classifier.HIDDEN + (double) Classifier.HIDDEN * classes;
    }

    /** Multiply-adds of the autoencoder's deterministic reconstruction of one image. */
    static double autoencoderMacs(int h, int w, int channels, int latent) {
        int f = Autoencoder.FILTERS;
        double h2 = h / 2.0 * (w / 2.0);
        double h4 = h / 4.0 * (w / 4.0);
        double flat = f * h4;
        double enc = h2 * f * channels * 9 + h4 * f * f * 9 + flat * latent;
        // transposed convolutions: one 3x3 scatter per input pixel
        double dec = latent * flat + h4 * f * f * 9 + h2 * f * channels * 9;
        return enc + dec;
    }

    /**
     * The fp32 peak of {@code threads} cores in GFLOP/s: 2 FMA units x 16 lanes (AVX-512; 8 with AVX2 only) x 2
     * FLOPs x the clock /proc/cpuinfo reports. 0 where it cannot be read.
     */
    public static double fp32GflopS(int threads) {
        List<String> info = cpuinfo();
        double mhz = 0;
        boolean avx512 = false;
        for (String line : info) {
            if (mhz == 0 && line.startsWith("cpu MHz")) {
                mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("flags")) {
                avx512 |= line.contains(" avx512f");
            }
        }
        return threads * 2 * (avx512 ? 16 : 8) * 2 * mhz / 1e3;
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown". */
    public static String cpuName() {
        for (String line : cpuinfo()) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
