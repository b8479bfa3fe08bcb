package dev.aerobust.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Tensors;
import dev.aerobust.testing.Configs;
import dev.aerobust.testing.Synthetic;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

@Tag("slow")
class TrainerTest {

    @TempDir
    Path tmp;

    static ImageSet synthetic(int n, long seed) {
        int[] labels = new int[n];
        Arrays.setAll(labels, i -> i % 10);
        byte[] px = Synthetic.images(n, 28, 28, seed);
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0x3f; // faint noise
        }
        // make the class visible: a bright bar at a class-dependent row
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 28; c++) {
                px[i * 784 + (2 + 2 * labels[i]) * 28 + c] = (byte) 255;
            }
        }
        return new ImageSet(DatasetId.MNIST, Split.TRAIN, 1, 28, 28, px, labels, "synthetic");
    }

    static Settings settings(int epochs) {
        return Configs.constantLr(32, 3e-3, 0, 0, epochs, 10, 7);
    }

    @Test
    void aClassifierLearnsAndTheSameSeedGivesTheSameWeights() throws Exception {
        ImageSet train = synthetic(256, 1);
        ImageSet val = synthetic(64, 2);
        float[][] weights = new float[2][];
        for (int run = 0; run < 2; run++) {
            Engine.seed(7);
            Classifier c = new Classifier(DatasetId.MNIST);
            Trainer.Result r = Trainer.fit(c, new ClassifierObjective(c), train, val, settings(3),
                    tmp.resolve("run" + run));
            assertEquals(3, r.curve().size());
            assertTrue(r.bestVal() > 0.5, "val accuracy " + r.bestVal());
            weights[run] = Tensors.toFloats(c.namedParameters().get("fc2.weight"));
        }
        assertArrayEquals(weights[0], weights[1]);
    }

    @Test
    void aKilledRunResumesWhereItStoppedAndMatchesAnUninterruptedOne() throws Exception {
        ImageSet train = synthetic(128, 1);
        ImageSet val = synthetic(32, 2);
        Engine.seed(7);
        Classifier whole = new Classifier(DatasetId.MNIST);
        Trainer.fit(whole, new ClassifierObjective(whole), train, val, settings(2), tmp.resolve("whole"));

        Engine.seed(7);
        Classifier first = new Classifier(DatasetId.MNIST);
        Trainer.fit(first, new ClassifierObjective(first), train, val, settings(1), tmp.resolve("split"));
        Engine.seed(123); // a new process: other init, which the checkpoint overrides
        Classifier resumed = new Classifier(DatasetId.MNIST);
        Trainer.Result r = Trainer.fit(resumed, new ClassifierObjective(resumed), train, val, settings(2),
                tmp.resolve("split"));
        assertEquals(2, r.curve().size(), "epoch 1 came from the checkpoint, epoch 2 was trained");
        // the best weights of each are the same function
        assertArrayEquals(Tensors.toFloats(whole.namedParameters().get("fc2.weight")),
                Tensors.toFloats(resumed.namedParameters().get("fc2.weight")), 1e-6f);
    }

    /**
     * A checkpoint that does not check out (a truncated state.json, changed weights, a missing optimiser file) is
     * discarded, never resumed from a mix of epochs: training starts over and ends where an uninterrupted run
     * ends. A whole checkpoint names its files with their checksums, and earlier epochs' files are gone.
     */
    @Test
    void aDamagedCheckpointIsDiscardedAndTrainingStartsOver() throws Exception {
        ImageSet train = synthetic(64, 1);
        Engine.seed(7);
        Classifier whole = new Classifier(DatasetId.MNIST);
        Trainer.fit(whole, new ClassifierObjective(whole), train, train, settings(2), tmp.resolve("whole"));
        JsonNode st = new ObjectMapper().readTree(tmp.resolve("whole/state.json").toFile());
        assertEquals("last-2.pt", st.path("files").path("last").asText());
        assertEquals(64, st.path("sha256").path("optim-2.pt").asText().length());
        assertTrue(Files.notExists(tmp.resolve("whole/last-1.pt")), "the previous epoch's files are removed");
        for (String damage : new String[] {"state", "weights", "optimiser"}) {
            Path dir = tmp.resolve("damaged-" + damage);
            Engine.seed(7);
            Classifier first = new Classifier(DatasetId.MNIST);
            Trainer.fit(first, new ClassifierObjective(first), train, train, settings(1), dir);
            switch (damage) {
                case "state" -> Files.writeString(dir.resolve("state.json"), "{\"epochsDone\": 1, \"curve\": [");
                case "weights" -> Files.write(dir.resolve("last-1.pt"), new byte[] {1, 2, 3});
                default -> Files.delete(dir.resolve("optim-1.pt"));
            }
            Engine.seed(7);
            Classifier again = new Classifier(DatasetId.MNIST);
            Trainer.Result r = Trainer.fit(again, new ClassifierObjective(again), train, train, settings(2), dir);
            assertEquals(2, r.curve().size(), damage);
            assertArrayEquals(Tensors.toFloats(whole.namedParameters().get("fc2.weight")),
                    Tensors.toFloats(again.namedParameters().get("fc2.weight")), 1e-6f, damage);
        }
    }

    /** A checkpoint written before the learning-rate schedule existed carries no rate; it resumes at the set one. */
    @Test
    void aCheckpointWithoutALearningRateResumesAtTheConfiguredOne() throws Exception {
        ImageSet train = synthetic(64, 1);
        Engine.seed(7);
        Classifier c = new Classifier(DatasetId.MNIST);
        Trainer.fit(c, new ClassifierObjective(c), train, train, settings(1), tmp.resolve("old"));
        Path state = tmp.resolve("old/state.json");
        ObjectNode st = (ObjectNode) new ObjectMapper().readTree(state.toFile());
        st.remove("lr");
        st.remove("sinceReduce");
        for (JsonNode e : st.withArray("curve")) {
            ((ObjectNode) e).remove("lr");
        }
        Files.writeString(state, st.toString());
        Trainer.Result r = Trainer.fit(c, new ClassifierObjective(c), train, train, settings(2), tmp.resolve("old"));
        assertEquals(2, r.curve().size());
        assertEquals(3e-3, r.curve().get(1).lr(), 0);
    }

    @Test
    void aNanLossStopsWithAClearMessageAndKeepsTheLastCheckpoint() throws Exception {
        ImageSet train = synthetic(64, 1);
        Classifier c = new Classifier(DatasetId.MNIST);
        ClassifierObjective real = new ClassifierObjective(c);
        Trainer.Objective diverging = new Trainer.Objective() {
            @Override
            public Map<String, Double> step(Tensor x, Tensor y, double epochs) {
                Map<String, Double> t = real.step(x, y, epochs);
                return epochs >= 1 ? Map.of("ce", Double.NaN) : t;
            }

            @Override
            public double validate(ImageSet v) {
                return real.validate(v);
            }

            @Override
            public String metricName() {
                return "accuracy";
            }

            @Override
            public boolean higherIsBetter() {
                return true;
            }
        };
        AerobustException e = assertThrows(AerobustException.class,
                () -> Trainer.fit(c, diverging, train, train, settings(3), tmp.resolve("w")));
        assertEquals(ExitCode.NUMERIC, e.exitCode());
        assertTrue(e.getMessage().startsWith("training diverged at epoch 2, step 1: ce = NaN"), e.getMessage());
        assertTrue(Files.isRegularFile(tmp.resolve("w/last-1.pt")), "epoch 1's checkpoint is kept");
    }

    @Test
    void earlyStoppingEndsAfterPatienceEpochsWithoutImprovement() throws Exception {
        ImageSet train = synthetic(32, 1);
        Classifier c = new Classifier(DatasetId.MNIST);
        ClassifierObjective real = new ClassifierObjective(c);
        Trainer.Objective flat = new Trainer.Objective() {
            @Override
            public Map<String, Double> step(Tensor x, Tensor y, double epochs) {
                return real.step(x, y, epochs);
            }

            @Override
            public double validate(ImageSet v) {
                return 0.5; // never improves after the first epoch
            }

            @Override
            public String metricName() {
                return "accuracy";
            }

            @Override
            public boolean higherIsBetter() {
                return true;
            }
        };
        Trainer.Result r = Trainer.fit(c, flat, train, train, Configs.constantLr(32, 1e-3, 0, 0, 20, 2, 1),
                tmp.resolve("es"));
        assertTrue(r.earlyStopped());
        assertEquals(3, r.curve().size());
        assertEquals(1, r.bestEpoch());

        // on the same plateau, a schedule halves the rate every 2 bad epochs until the patience of 5 runs out
        Trainer.Result sched = Trainer.fit(c, flat, train, train, Configs.schedule(32, 1e-3, 20, 5, 0.5, 2, 1), tmp.resolve("lr"));
        assertTrue(sched.earlyStopped());
        assertArrayEquals(new double[] {1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4},
                sched.curve().stream().mapToDouble(dev.aerobust.store.ModelMeta.Epoch::lr).toArray(), 1e-15);
    }

    /** The rate an optimizer is given is the rate it steps with: Adam's first step on a constant gradient is lr. */
    @Test
    void settingTheLearningRateChangesTheStep() {
        try (dev.aerobust.nn.Scope s = dev.aerobust.nn.Scope.open()) {
            org.bytedeco.pytorch.Tensor p = org.bytedeco.pytorch.global.torch.zeros(3).requires_grad_(true);
            dev.aerobust.nn.Optim opt = dev.aerobust.nn.Optim.adam(java.util.List.of(p), 1e-2, 0);
            double[] after = new double[2];
            for (int k = 0; k < 2; k++) {
                opt.zeroGrad();
                p.sum().backward();
                opt.step();
                after[k] = Tensors.toFloats(p)[0];
                opt.setLr(0.25);
            }
            assertEquals(-1e-2, after[0], 1e-6);
            assertEquals(-1e-2 - 0.25, after[1], 1e-5);
            assertEquals(0.25, opt.lr(), 0);
        }
    }

    /**
     * Weight decay is coupled (added to the gradient, as torch.optim.Adam does) and reaches only the decayed
     * parameters: on a zero loss gradient, Adam's first step moves a decayed parameter by lr against its sign
     * and leaves the others. The classifier's undecayed parameters are exactly its batch-norm scales and shifts.
     */
    @Test
    void weightDecayReachesOnlyTheDecayedParameters() {
        try (dev.aerobust.nn.Scope s = dev.aerobust.nn.Scope.open()) {
            org.bytedeco.pytorch.Tensor a = Tensors.fromFloats(new float[] {2f, -3f}, 2).requires_grad_(true);
            org.bytedeco.pytorch.Tensor b = Tensors.fromFloats(new float[] {2f, -3f}, 2).requires_grad_(true);
            dev.aerobust.nn.Optim opt = dev.aerobust.nn.Optim.adam(java.util.List.of(a), java.util.List.of(b),
                    1e-2, 1e-3);
            opt.zeroGrad();
            a.mul(new org.bytedeco.pytorch.Scalar(0.0)).add(b.mul(new org.bytedeco.pytorch.Scalar(0.0))).sum()
                    .backward();
            opt.step();
            assertArrayEquals(new float[] {2f - 1e-2f, -3f + 1e-2f}, Tensors.toFloats(a), 1e-6f);
            assertArrayEquals(new float[] {2f, -3f}, Tensors.toFloats(b), 0f);
        }
        dev.aerobust.model.Classifier c = new dev.aerobust.model.Classifier(DatasetId.MNIST);
        java.util.Set<String> expected = new java.util.TreeSet<>();
        for (int i = 1; i <= 4; i++) {
            expected.add("bn" + i + ".weight");
            expected.add("bn" + i + ".bias");
        }
        assertEquals(expected, new java.util.TreeSet<>(c.undecayedNames()));
        assertEquals(c.parameters().size(), c.parameters(true).size() + c.parameters(false).size());
        assertEquals(8, c.parameters(false).size());
    }

    /** A long contractive training run must hold native memory flat (a leak was seen in another engine). */
    @Test
    void contractiveTrainingHoldsResidentMemoryFlat() throws Exception {
        Engine.seed(1);
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CVAE).with(AutoencoderConfig.BETA, 0.1)
                .with(AutoencoderConfig.SAMPLES, 2).with(AutoencoderConfig.LATENT, 8).with(TrainParams.BATCH, 4)
                .with(AutoencoderConfig.JACOBIAN_CHUNK, 8);
        Autoencoder m = new Autoencoder(AutoencoderConfig.spec(cfg));
        AutoencoderObjective obj = new AutoencoderObjective(m, cfg);
        ImageSet train = synthetic(4, 3);
        dev.aerobust.nn.Optim opt = dev.aerobust.nn.Optim.adam(m.parameters(), 1e-4, 1e-2);
        int[] idx = new int[4];
        Arrays.setAll(idx, i -> i);
        Runnable step = () -> {
            try (dev.aerobust.nn.Scope s = dev.aerobust.nn.Scope.open()) {
                opt.zeroGrad();
                obj.step(train.images(idx), train.labels(idx), 1);
                opt.step();
            }
        };
        // resident memory includes the Java heap, which fills with the steps' small handles until the young
        // generation cycles (about 120 MiB over the first 1000 steps here, then flat); measure after that
        for (int i = 0; i < 1500; i++) {
            step.run();
        }
        long before = Pointer.physicalBytes();
        for (int i = 0; i < 400; i++) {
            step.run();
        }
        long grown = Pointer.physicalBytes() - before;
        assertTrue(grown < 48L << 20, "resident memory grew by " + (grown >> 20) + " MiB over 400 steps");
    }
}
