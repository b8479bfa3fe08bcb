package dev.aerobust.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetTest {

    @TempDir
    Path tmp;

    /** A tiny conv net: conv (stride 2) + batch norm + linear, enough to exercise every registration path. */
    static final class Tiny extends Net {
        final Layers.Conv2d conv = child("conv", new Layers.Conv2d(1, 4, 3, 2, 1));
        final Layers.BatchNorm2d bn = child("bn", new Layers.BatchNorm2d(4));
        final Layers.Linear fc = child("fc", new Layers.Linear(4 * 4 * 4, 3));

        @Override
        public Tensor forward(Tensor x) {
            return fc.forward(torch.relu(bn.forward(conv.forward(x))).flatten(1, -1));
        }
    }

    @Test
    void parametersAreNamedAsPythonNamesThem() {
        Tiny net = new Tiny();
        assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "fc.weight", "fc.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("bn.running_mean", "bn.running_var"), List.copyOf(net.namedBuffers().keySet()));
        assertEquals(4 * 9 + 4 + 4 + 4 + 64 * 3 + 3, net.parameterCount());
    }

    @Test
    void saveThenLoadGivesTheSameFunction() throws IOException {
        Engine.seed(1);
        Tiny a = new Tiny();
        a.train(true);
        try (Scope s = Scope.open()) {
            a.forward(torch.rand(8, 1, 8, 8)); // moves the batch-norm statistics away from their init
        }
        a.train(false);
        Path f = tmp.resolve("m/tiny.pt");
        a.save(f);
        assertTrue(Files.size(f) > 0);
        try (var files = Files.list(f.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        Engine.seed(2);
        Tiny b = new Tiny();
        b.load(f);
        b.train(false);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(2, 1, 8, 8);
            assertArrayEquals(Tensors.toFloats(a.forward(x)), Tensors.toFloats(b.forward(x)));
        }
    }

    @Test
    void loadingAMissingOrForeignFileIsAClearError() throws IOException {
        Tiny t = new Tiny();
        IOException e = assertThrows(IOException.class, () -> t.load(tmp.resolve("none.pt")));
        assertTrue(e.getMessage().contains("no weights file"));
        Path junk = tmp.resolve("junk.pt");
        Files.writeString(junk, "junk");
        IOException e2 = assertThrows(IOException.class, () -> t.load(junk));
        assertTrue(e2.getMessage().startsWith("cannot load weights from " + junk), e2.getMessage());
    }

    @Test
    void castToFloat64KeepsHandlesValid() {
        Tiny net = new Tiny();
        net.to(DType.FLOAT64);
        net.train(false);
        try (Scope s = Scope.open()) {
            Tensor y = net.forward(torch.rand(2, 1, 8, 8).to(torch.ScalarType.Double));
            assertEquals(DType.FLOAT64, Tensors.dtype(y));
            assertArrayEquals(new long[] {2, 3}, Tensors.shape(y));
        }
    }

    @Test
    void freezingStopsParameterGradients() {
        Tiny net = new Tiny();
        net.requiresGrad(false);
        net.parameters().forEach(p -> assertFalse(p.requires_grad()));
        net.requiresGrad(true);
        net.parameters().forEach(p -> assertTrue(p.requires_grad()));
    }

    @Test
    void batchNormUsesBatchStatisticsInTrainingAndRunningOnesInEval() {
        Layers.BatchNorm2d bn = new Layers.BatchNorm2d(1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(4, 1, 3, 3).mul(new org.bytedeco.pytorch.Scalar(10.0));
            bn.train(true);
            double mean = bn.forward(x).mean().item_double();
            assertEquals(0, mean, 1e-5); // normalised with the batch's own statistics
            bn.train(false);
            Tensor y = bn.forward(x);
            // running stats moved 10% toward the batch: far from normalising the batch
            assertTrue(Math.abs(y.mean().item_double()) > 0.5);
        }
    }

    @Test
    void scopedStepsHoldNativeMemoryFlat() {
        Tiny net = new Tiny();
        net.train(true);
        for (int i = 0; i < 50; i++) { // warm-up
            step(net);
        }
        long before = nativeResident();
        for (int i = 0; i < 500; i++) {
            step(net);
        }
        long after = nativeResident();
        assertTrue(after - before < 16L << 20, "native resident memory grew by " + ((after - before) >> 20) + " MiB");
    }

    /** Resident memory less the Java heap, after a collection. */
    private static long nativeResident() {
        System.gc();
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }

    private static void step(Tiny net) {
        try (Scope s = Scope.open()) {
            Tensor loss = net.forward(torch.rand(16, 1, 8, 8)).pow(new org.bytedeco.pytorch.Scalar(2.0)).mean();
            net.zeroGrad();
            loss.backward();
        }
    }
}
