package dev.aerobust.nn;

import java.util.function.Supplier;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The arithmetic of a model's passes: fp32, or bf16 autocast (convolutions and matrix products in bfloat16, on
 * AMX where the CPU has it; element-wise ops follow their inputs). Autocast is the engine's per-thread state, so
 * the backward pass of a graph built under it runs on the same thread in the same precision.
 */
public enum Precision {
    FP32, BF16;

    /**
     * The CPU flags of bfloat16 arithmetic the engine's kernels use: AMX tiles, AVX-512 BF16, or AVX-NE-CONVERT
     * (AVX2 with bf16 conversion). Without one of them the engine emulates bf16 through fp32, which measured 10 to 20
     * times slower than fp32 here (an AMD EPYC with AVX2 alone: CW-Linf 254 against 2,961 image-iterations/s).
     */
    public static final java.util.List<String> NATIVE_BF16_FLAGS = java.util.List.of("amx_bf16", "avx512_bf16",
            "avx_ne_convert");

    /** Whether this machine's CPU has bfloat16 arithmetic ({@link #NATIVE_BF16_FLAGS} in /proc/cpuinfo). */
    public static boolean nativeBf16() {
        return NativeBf16.PRESENT;
    }

    /** The CPU's flags, read once. */
    private static final class NativeBf16 {
        static final boolean PRESENT = read();

        private static boolean read() {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("flags")) {
                        java.util.Set<String> flags = java.util.Set.of(line.substring(line.indexOf(':') + 1).trim()
                                .split("\\s+"));
                        return NATIVE_BF16_FLAGS.stream().anyMatch(flags::contains);
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                return false;
            }
            return false;
        }
    }

    /** The element type of this precision's tensors (fp32: float). */
    public torch.ScalarType dtype() {
        return this == FP32 ? torch.ScalarType.Float : torch.ScalarType.BFloat16;
    }

    /** {@code body} under this precision; the previous autocast state is restored after. */
    public <T> T run(Supplier<T> body) {
        if (this == FP32) {
            return body.get();
        }
        Engine.init();
        boolean was = torch.is_autocast_enabled(torch.DeviceType.CPU);
        torch.ScalarType dtype = torch.get_autocast_dtype(torch.DeviceType.CPU);
        torch.set_autocast_dtype(torch.DeviceType.CPU, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.DeviceType.CPU, true);
        torch.increment_nesting();
        try {
            return body.get();
        } finally {
            // as PyTorch's autocast context does on leaving its outermost level: autocast keeps the bf16 copy of
            // each trainable weight it casts, and an optimizer step updates the fp32 weight, not that copy (a
            // classifier trained through a kept copy never learned: chance accuracy after three epochs)
            if (torch.decrement_nesting() == 0) {
                torch.clear_cache();
            }
            torch.set_autocast_enabled(torch.DeviceType.CPU, was);
            torch.set_autocast_dtype(torch.DeviceType.CPU, dtype);
        }
    }

    /** {@code f(x)} under this precision, returned in fp32 (the caller's losses and comparisons stay fp32). */
    public Tensor apply(java.util.function.Function<Tensor, Tensor> f, Tensor x) {
        return this == FP32 ? f.apply(x) : run(() -> f.apply(x)).to(torch.ScalarType.Float);
    }
}
