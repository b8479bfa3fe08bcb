package dev.aerobust.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {

    @TempDir
    Path tmp;

    /** The first load from an empty native cache crashed in a trial; a fresh JVM on an empty cache must pass. */
    @Test
    void firstLoadFromAnEmptyNativeCacheSucceeds() throws Exception {
        Path cache = tmp.resolve("empty-cache");
        assertFalse(Files.exists(cache));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + NativeCache.CACHE_DIR_PROPERTY + "=" + cache, "-cp", System.getProperty("java.class.path"),
                "dev.aerobust.cli.Main", "version", "--json"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "engine load timed out");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("\"engine_check\":\"ok\""), out);
        assertTrue(Files.isRegularFile(cache.resolve("pytorch-2.10.0-1.5.13-linux-x86_64.jar/org/bytedeco/pytorch/"
                + "linux-x86_64/libtorch_cpu.so")), "natives unpacked before loading");
    }

    /**
     * Inside a scope, subnormal results are flushed to zero on the computing thread: a trained DAE's attack ran
     * about 2x slower on subnormals. (The engine's own threads take the flags when they start, from the thread
     * that starts them: in a command, after the engine's start; in this JVM, whichever test came first.)
     */
    @Test
    void subnormalsAreFlushedToZero() {
        try (Scope s = Scope.open()) {
            float[] one = Tensors.toFloats(Tensors.fromFloats(new float[] {1e-30f}, 1).mul(Ops.scalar(1e-10)));
            assertEquals(0f, one[0], "1e-30 x 1e-10 is subnormal in float32");
            // normal numbers are untouched
            assertEquals(1e-30f * 1e-5f, Tensors.toFloats(Tensors.fromFloats(new float[] {1e-30f}, 1)
                    .mul(Ops.scalar(1e-5)))[0], 1e-37f);
        }
    }

    @Test
    void versionsAreKnown() {
        assertEquals("2.10.0", Engine.torchVersion());
        assertTrue(Engine.threads() >= 1);
    }

    @Test
    void sameSeedSameNumbers() {
        Engine.seed(123);
        float[] a = Tensors.toFloats(torch.randn(16));
        Engine.seed(123);
        float[] b = Tensors.toFloats(torch.randn(16));
        assertArrayEquals(a, b);
        Engine.seed(124);
        assertFalse(java.util.Arrays.equals(a, Tensors.toFloats(torch.randn(16))));
    }

    @Test
    void tensorRoundTripAndShapeChecks() {
        try (Scope s = Scope.open()) {
            float[] d = {1, 2, 3, 4, 5, 6};
            var t = Tensors.fromFloats(d, 2, 3);
            assertArrayEquals(new long[] {2, 3}, Tensors.shape(t));
            assertArrayEquals(d, Tensors.toFloats(t));
            assertEquals(DType.FLOAT64, Tensors.dtype(Tensors.to(t, DType.FLOAT64)));
            assertArrayEquals(new double[] {1.5, -2}, Tensors.toDoubles(Tensors.fromDoubles(new double[] {1.5, -2}, 2)));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tensors.fromFloats(new float[5], 2, 3));
    }

    @Test
    void unknownDeviceIsRejected() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.parse("CPU"));
        assertTrue(ComputeDevice.CPU.isAvailable());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ComputeDevice.parse("tpu"));
    }
}
