package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.attack.CwLinf;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Classifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.testing.RealData;
import dev.aerobust.train.ClassifierConfig;

class AttackRunTest {

    @TempDir
    Path tmp;

    @Test
    void modelIdsDependOnEverythingThatDeterminesTheModelAndNothingElse() {
        ClassifierConfig a = ClassifierConfig.defaults(DatasetId.MNIST);
        ClassifierConfig b = new ClassifierConfig(a.dataset(), a.batch(), a.lr(), a.weightDecay(), a.decayNorm(),
                a.clipNorm(), a.maxEpochs(), a.patience(), a.lrFactor(), a.lrPatience(), a.valSize(), 1);
        ClassifierConfig n = new ClassifierConfig(a.dataset(), a.batch(), a.lr(), a.weightDecay(), !a.decayNorm(),
                a.clipNorm(), a.maxEpochs(), a.patience(), a.lrFactor(), a.lrPatience(), a.valSize(), a.seed());
        assertEquals(ModelStore.id("classifier", "mnist", a, "c"), ModelStore.id("classifier", "mnist", a, "c"));
        assertNotEquals(ModelStore.id("classifier", "mnist", a, "c"), ModelStore.id("classifier", "mnist", b, "c"));
        assertNotEquals(ModelStore.id("classifier", "mnist", a, "c"), ModelStore.id("classifier", "mnist", n, "c"));
        assertNotEquals(ModelStore.id("classifier", "mnist", a, "c"), ModelStore.id("classifier", "mnist", a, "d"));
        assertTrue(ModelStore.id("classifier", "mnist", a, "c").startsWith("classifier-mnist-"));
    }

    /**
     * The default configurations keep the ids their stored models were keyed with in earlier versions (a change
     * of a default that a family does not even use once re-keyed every autoencoder): the ids below are those of
     * models trained with `./aerobust train autoencoder --dataset mnist --family F --stp 0.4 --epochs 10`.
     */
    @Test
    void defaultAutoencoderIdsStayTheOnesStoredModelsCarry() throws Exception {
        String checksum = dev.aerobust.data.Datasets.load(DatasetId.MNIST, dev.aerobust.data.Split.TEST,
                RealData.dataDir(DatasetId.MNIST), 0).checksum();
        Map<dev.aerobust.model.Family, String> stored = Map.of(
                dev.aerobust.model.Family.DAE, "dae-mnist-518a6143889d",
                dev.aerobust.model.Family.VAE, "vae-mnist-56778f7abcb4");
        stored.forEach((f, id) -> {
            dev.aerobust.train.AutoencoderConfig d = dev.aerobust.train.AutoencoderConfig.defaults(DatasetId.MNIST, f);
            dev.aerobust.train.AutoencoderConfig ten = new dev.aerobust.train.AutoencoderConfig(d.dataset(), f,
                    d.denoising(), d.stp(), d.clipNoise(), d.alpha(), d.beta(), d.samples(), d.warmupEpochs(),
                    d.decoderMean(), d.varianceFloor(), d.latent(), d.batch(), d.lr(), d.weightDecay(), 10,
                    d.patience(), d.valSize(), d.seed(), d.jacobianChunk());
            assertEquals(id, ModelStore.id(f.label(), "mnist", ten, checksum), f.label());
        });
    }

    /** Records are written per eps with provenance; a rerun with more eps computes only the new ones. */
    @Test
    void attackRecordsAreWrittenPerEpsAndARerunResumes() throws Exception {
        Path dataDir = RealData.dataDir(DatasetId.MNIST);
        ModelStore store = new ModelStore(tmp.resolve("models"));
        Engine.seed(1);
        Classifier c = new Classifier(DatasetId.MNIST);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("id", "classifier-mnist-test");
        meta.put("kind", "classifier");
        meta.put("dataset", "mnist");
        store.save("classifier-mnist-test", c, meta);
        assertEquals(1, store.list().size());
        AttackRun.Spec spec = new AttackRun.Spec("classifier-mnist-test", null, DefendedClassifier.Mode.NONE, 0, 1,
                6, 0);
        CwLinf cw = new CwLinf(new CwLinf.Config(3, 0.05, 1, 0, CwLinf.Variant.BEST_ITERATE, 100), false);
        List<Map<String, Object>> first = AttackRun.run(spec, cw, new double[] {0, 0.1}, dataDir, store,
                tmp.resolve("results"), tmp.resolve("adv"));
        assertEquals(2, first.size());
        assertTrue(first.get(0).containsKey("provenance"));
        assertEquals(0.0, ((Number) first.get(0).get("max_linf")).doubleValue());
        assertTrue(Files.isRegularFile(Path.of((String) first.get(1).get("adversarial_npy"))));
        Path runDir;
        try (var s = Files.list(tmp.resolve("results/classifier-mnist-test"))) {
            runDir = s.findFirst().orElseThrow();
        }
        var sanity = ModelStore.JSON.readTree(runDir.resolve("sanity.json").toFile());
        double unbounded = sanity.path("runs").path("unbounded_accuracy").asDouble(-1);
        assertTrue(unbounded >= 0 && unbounded <= 1, "the unbounded run was recorded");
        boolean warned = sanity.path("warnings").toString().contains("unbounded");
        assertEquals(unbounded > 0.02, warned, "a failed unbounded run is a recorded warning");
        assertTrue(sanity.path("runs").has("accuracy_at_max_eps_doubled_steps"));
        Path eps0 = runDir.resolve("eps-0.0000.json");
        FileTime before = FileTime.fromMillis(1000);
        Files.setLastModifiedTime(eps0, before);
        List<Map<String, Object>> second = AttackRun.run(spec, cw, new double[] {0, 0.1, 0.2}, dataDir, store,
                tmp.resolve("results"), null);
        assertEquals(3, second.size());
        assertEquals(before, Files.getLastModifiedTime(eps0), "a finished eps is not redone");
        assertTrue(Files.isRegularFile(runDir.resolve("eps-0.2000.json")));
    }
}
