package dev.aerobust.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.aerobust.nn.Precision;

/**
 * The bf16 tests need a CPU with bfloat16 arithmetic: without one the engine emulates bf16 through fp32, 10 to 20
 * times slower, and what such a run measures is not what a user of {@code --precision bf16} gets. They are skipped
 * there, with a message; {@code AEROBUST_TEST_BF16=1} runs them on the emulation anyway.
 */
public final class Bf16 {

    private Bf16() {
    }

    /** Skips the calling test on a CPU without bfloat16 arithmetic. */
    public static void assumeNative() {
        assumeTrue(Precision.nativeBf16() || "1".equals(System.getenv("AEROBUST_TEST_BF16")),
                "this CPU has no bfloat16 arithmetic (none of " + String.join(", ", Precision.NATIVE_BF16_FLAGS)
                        + " in /proc/cpuinfo): bf16 test skipped (AEROBUST_TEST_BF16=1 runs it on the emulation)");
    }
}
