package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.Split;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.SanityReport;
import dev.aerobust.testing.RealData;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.train.TrainParams;
import dev.aerobust.train.TrainedModels;

@Tag("slow")
class AttackRunTest {

    @TempDir
    Path tmp;

    @Test
    void modelIdsDependOnTheIdentitySettingsAndNotOnSpeedSettings() {
        Settings a = ClassifierConfig.defaults(DatasetId.MNIST);
        assertEquals(TrainedModels.id(a, "c"), TrainedModels.id(ClassifierConfig.defaults(DatasetId.MNIST), "c"));
        assertNotEquals(TrainedModels.id(a, "c"), TrainedModels.id(a.with(Common.SEED, 1L), "c"));
        assertNotEquals(TrainedModels.id(a, "c"), TrainedModels.id(a.with(TrainParams.DECAY_NORM, true), "c"));
        assertNotEquals(TrainedModels.id(a, "c"), TrainedModels.id(a, "d"));
        assertTrue(TrainedModels.id(a, "c").startsWith("classifier-mnist-"));

        Settings cae = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CAE);
        assertEquals(TrainedModels.id(cae, "c"), TrainedModels.id(cae.with(AutoencoderConfig.JACOBIAN_CHUNK, 7), "c"),
                "the Jacobian chunk changes speed only");
        assertNotEquals(TrainedModels.id(cae, "c"), TrainedModels.id(cae.with("alpha", "0.01"), "c"));
        assertTrue(TrainedModels.id(cae, "c").startsWith("cae-mnist-"));
        assertEquals(dev.aerobust.config.SettingMap.of(Map.of("jacobian_chunk", 128)), cae.speed());
        assertFalse(cae.identity().has("jacobian_chunk"));
    }

    /** Stores an MNIST classifier of fresh weights (from the engine's current seed) under {@code id}. */
    private static void saveClassifier(ModelStore store, String id) throws Exception {
        store.save(id, new Classifier(DatasetId.MNIST), dev.aerobust.testing.Metas.classifier(id, DatasetId.MNIST));
    }

    /** Copies the {@code meta.json} files that an earlier version wrote into a store, with fresh weights. */
    private ModelStore legacyStore() throws Exception {
        ModelStore store = new ModelStore(tmp.resolve("models"));
        for (String id : List.of("classifier-mnist-d8b9f968b5fb", "dae-mnist-e6e8b9104f7c", "cvae-mnist-2685a22664b4")) {
            Path dir = store.dir(id);
            Files.createDirectories(dir);
            try (InputStream in = getClass().getResourceAsStream("/legacy/models/" + id + "/meta.json")) {
                Files.copy(in, dir.resolve(ModelStore.META));
            }
            dev.aerobust.store.ModelMeta meta = store.meta(id);
            Engine.seed(0);
            if (id.startsWith("classifier")) {
                new Classifier(DatasetId.MNIST).save(dir.resolve(ModelStore.WEIGHTS));
            } else {
                new Autoencoder(AutoencoderConfig.spec(TrainedModels.config(meta))).save(dir.resolve(ModelStore.WEIGHTS));
            }
        }
        return store;
    }

    /**
     * Models stored by an earlier version (whose ids hashed every record field, the Jacobian chunk included) are
     * found under the ids the same settings have now, and their configurations read back as settings.
     */
    @Test
    void modelsStoredByAnEarlierVersionAreFoundUnderTheirCurrentIds() throws Exception {
        ModelStore store = legacyStore();
        String checksum = Datasets.load(DatasetId.MNIST, Split.TEST, RealData.dataDir(DatasetId.MNIST), 0)
                .checksum();
        // the classifier was stored under the recipe of its day (patience 8, the rate cut after 4)
        Settings clf = ClassifierConfig.defaults(DatasetId.MNIST).with(TrainParams.EPOCHS, 1)
                .with(TrainParams.PATIENCE, 8).with(TrainParams.LR_PATIENCE, 4);
        Settings dae = AutoencoderConfig.defaults(DatasetId.MNIST, Family.DAE).with(TrainParams.EPOCHS, 1);
        Settings cvae = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CVAE).with(TrainParams.EPOCHS, 1)
                .with(TrainParams.VAL_SIZE, 59000).with(AutoencoderConfig.JACOBIAN_CHUNK, 5);
        assertEquals("classifier-mnist-d8b9f968b5fb", TrainedModels.find(store, TrainedModels.id(clf, checksum)).orElseThrow());
        assertEquals("dae-mnist-e6e8b9104f7c", TrainedModels.find(store, TrainedModels.id(dae, checksum)).orElseThrow());
        assertEquals("cvae-mnist-2685a22664b4", TrainedModels.find(store, TrainedModels.id(cvae, checksum)).orElseThrow());
        assertTrue(TrainedModels.find(store, TrainedModels.id(dae.with(AutoencoderConfig.STP, 0.1), checksum)).isEmpty());
        assertEquals(dae, TrainedModels.config(store.meta("dae-mnist-e6e8b9104f7c")));

        ModelTraining.Outcome o = ModelTraining.autoencoder(dae, RealData.dataDir(DatasetId.MNIST), store, null);
        assertTrue(o.reused(), "the earlier version's model is reused, not retrained");
        assertEquals("dae-mnist-e6e8b9104f7c", o.id());
    }

    /**
     * An attack record and sanity file written by an earlier version still read as the typed records, checked
     * (where it sits against its own key) though it carries no checksum; the same record in another model's
     * folder fails its check.
     */
    @Test
    void recordsWrittenByAnEarlierVersionStillRead() throws Exception {
        AttackRecord raw;
        try (InputStream in = getClass().getResourceAsStream("/legacy/results/eps-0.1000.json")) {
            raw = ModelStore.JSON.readValue(in, AttackRecord.class);
        }
        Path dir = tmp.resolve("results").resolve(raw.model()).resolve(dev.aerobust.store.ResultsStore.runId(
                raw.runKey(), raw.provenance().datasetChecksum()));
        Path wrong = tmp.resolve("results").resolve("classifier-mnist-x").resolve(dir.getFileName());
        for (Path d : List.of(dir, wrong)) {
            Files.createDirectories(d);
            for (String f : List.of("eps-0.1000.json", "sanity.json")) {
                try (InputStream in = getClass().getResourceAsStream("/legacy/results/" + f)) {
                    Files.copy(in, d.resolve(f));
                }
            }
        }
        dev.aerobust.store.ResultsStore.BadRecord bad = assertThrows(dev.aerobust.store.ResultsStore.BadRecord.class,
                () -> dev.aerobust.store.ResultsStore.read(wrong.resolve("eps-0.1000.json")));
        assertTrue(bad.getMessage().contains("in another model's results"), bad.getMessage());
        assertFalse(dev.aerobust.store.ResultsStore.checked(dir.resolve("eps-0.1000.json")), "read unchecked");
        AttackRecord r = dev.aerobust.store.ResultsStore.read(dir.resolve("eps-0.1000.json"));
        assertEquals(0.1, r.eps());
        assertEquals(dev.aerobust.attack.AttackKind.CW_LINF, r.attack());
        assertEquals(0.15, r.robustAccuracy(), 1e-12);
        assertEquals(0.999999111890793, r.latent().cosMuMuAdv().mean(), 1e-15);
        assertEquals("fc4ad2928469b062b04de83eeb03d9a9368e93e5c0fa488affd0729f7e16c3ec",
                r.provenance().datasetChecksum());
        assertNull(r.schema());
        assertFalse(r.hasPerImage());
        SanityReport s = ModelStore.JSON.readValue(dir.resolve("sanity.json").toFile(), SanityReport.class);
        assertFalse(s.runs().doneFor(0.2), "an earlier sanity file lacks the eps its runs were made for");
    }

    /**
     * Records are written per eps with provenance and per-image outcomes; a rerun with more eps computes only
     * the new ones and keeps the sanity runs it already made.
     */
    @Test
    void attackRecordsAreWrittenPerEpsWithPerImageOutcomesAndARerunResumes() throws Exception {
        Path dataDir = RealData.dataDir(DatasetId.MNIST);
        ModelStore store = new ModelStore(tmp.resolve("models"));
        Engine.seed(1);
        saveClassifier(store, "classifier-mnist-test");
        assertEquals(1, store.list().size());
        Settings eval = EvalConfig.PARAMS.defaults(EvalConfig.N, 6, EvalConfig.EPS, new double[] {0, 0.1});
        var cw = AttackConfig.create(AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, 3,
                AttackConfig.BATCH_ROWS, 100), false);
        AttackRun.Outcome first = AttackRun.run("classifier-mnist-test", null, eval, cw, dataDir, store,
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")), tmp.resolve("adv"));
        assertEquals(2, first.records().size());
        AttackRecord r0 = first.records().get(0);
        assertTrue(r0.provenance() != null);
        assertEquals(0.0, r0.maxLinf());
        assertEquals(AttackRecord.SCHEMA, r0.schema());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, r0.perImage().index());
        int robust = 0;
        for (boolean b : first.records().get(1).perImage().robust()) {
            robust += b ? 1 : 0;
        }
        assertEquals(first.records().get(1).robustAccuracy(), robust / 6.0, 1e-12,
                "the aggregate is the mean of the per-image flags");
        for (int i = 0; i < 6; i++) {
            assertEquals(first.records().get(1).perImage().margin()[i] < 0 ? 1 : 0,
                    first.records().get(1).perImage().robust()[i] ? 0 : 1,
                    "undefended: an image is robust exactly when its final margin is not negative");
        }
        assertEquals(dev.aerobust.config.SettingMap.of(Map.of("batch_rows", 100)), r0.speed());
        assertTrue(Files.isRegularFile(Path.of(first.records().get(1).adversarialNpy())));
        Path runDir = first.dir();
        try (var files = Files.list(runDir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("partial-")),
                    "the finished chunks are removed once the records hold them");
        }
        SanityReport sanity = first.sanity();
        double unbounded = sanity.runs().unboundedAccuracy();
        assertTrue(unbounded >= 0 && unbounded <= 1, "the unbounded run was recorded");
        boolean warned = sanity.warnings().toString().contains("unbounded");
        assertEquals(unbounded > 0.02, warned, "a failed unbounded run is a recorded warning");
        assertTrue(sanity.runs().accuracyAtMaxEpsDoubledSteps() != null);
        Path eps0 = runDir.resolve("eps-0.0000.json");
        FileTime before = FileTime.fromMillis(1000);
        Files.setLastModifiedTime(eps0, before);
        Files.setLastModifiedTime(runDir.resolve("eps-0.1000.json"), before);
        AttackRun.Outcome again = AttackRun.run("classifier-mnist-test", null, eval, cw, dataDir, store,
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")), null);
        assertEquals(sanity, again.sanity(), "a rerun keeps the sanity runs it made");
        AttackRun.Outcome second = AttackRun.run("classifier-mnist-test", null,
                eval.with(EvalConfig.EPS, new double[] {0, 0.1, 0.2}), cw, dataDir, store,
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")), null);
        assertEquals(3, second.records().size());
        assertEquals(before, Files.getLastModifiedTime(eps0), "a finished eps is not redone");
        assertTrue(Files.isRegularFile(runDir.resolve("eps-0.2000.json")));
        assertEquals(0.2, second.sanity().runs().maxEps(), "a larger eps grid runs its own check");
    }

    /**
     * The outcome of a run names the per-image worst case over every attack run on the model under the same
     * evaluation: never above any attack's own accuracy, robust exactly where every attack left the image
     * correct; and Square's accuracy below the gradient attacks' raises the masking warning.
     */
    @Test
    void theOutcomeHoldsThePerImageWorstCaseOverEveryAttackRun() throws Exception {
        Path dataDir = RealData.dataDir(DatasetId.MNIST);
        ModelStore store = new ModelStore(tmp.resolve("models"));
        Engine.seed(4);
        saveClassifier(store, "classifier-mnist-wc");
        Settings eval = EvalConfig.PARAMS.defaults(EvalConfig.N, 8, EvalConfig.EPS, new double[] {0.005, 0.02});
        Path results = tmp.resolve("results");
        AttackRun.Outcome pgd = AttackRun.run("classifier-mnist-wc", null, eval, AttackConfig.create(
                AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 3), false), dataDir, store, new dev.aerobust.store.ResultsStore(results), null);
        assertEquals(List.of("pgd (steps 3)"), pgd.worstCase().get(0).attacks(), "named with its settings");
        AttackRun.Outcome sq = AttackRun.run("classifier-mnist-wc", null, eval, AttackConfig.create(
                AttackConfig.of(AttackKind.SQUARE, AttackConfig.STEPS, 40), false), dataDir, store, new dev.aerobust.store.ResultsStore(results), null);
        for (int e = 0; e < 2; e++) {
            AttackRun.WorstCaseAt w = sq.worstCase().get(e);
            assertEquals(List.of("pgd (steps 3)", "square (steps 40)"), w.attacks().stream().sorted().toList());
            boolean[] a = pgd.records().get(e).perImage().robust();
            boolean[] b = sq.records().get(e).perImage().robust();
            int both = 0;
            for (int i = 0; i < 8; i++) {
                both += a[i] && b[i] ? 1 : 0;
            }
            assertEquals(both / 8.0, w.robustAccuracy(), 1e-12);
            assertTrue(w.robustAccuracy() <= Math.min(pgd.records().get(e).robustAccuracy(),
                    sq.records().get(e).robustAccuracy()));
            boolean masked = sq.records().get(e).robustAccuracy() < pgd.records().get(e).robustAccuracy() - 1.0 / 8;
            assertEquals(masked, !w.warnings().isEmpty(), w.warnings().toString());
        }
        JsonNode json = ModelStore.JSON.readTree(new com.fasterxml.jackson.databind.ObjectMapper().disable(
                com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(sq));
        assertEquals(2, json.path("worst_case").get(1).path("attacks").size());
        assertTrue(json.path("worst_case").get(1).has("robust_accuracy"));
    }

    /**
     * An attack without EOT on a sampled defense runs on the deterministic surrogate ({@code z = mu}), whatever
     * the latent scale: the runs at each scale take the rows the deterministic run kept instead of attacking again,
     * and their records equal those of a run that did attack (same margins, robust flags, perturbations).
     */
    @Test
    void anAttackOnTheSurrogateRunsOnceForEveryLatentScale() throws Exception {
        Path dataDir = RealData.dataDir(DatasetId.MNIST);
        ModelStore store = new ModelStore(tmp.resolve("models"));
        Engine.seed(5);
        saveClassifier(store, "classifier-mnist-sg");
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, Family.VAE);
        store.save("vae-mnist-sg", new Autoencoder(AutoencoderConfig.spec(cfg)),
                dev.aerobust.testing.Metas.autoencoder("vae-mnist-sg", cfg));

        double[] eps = {0, 0.1, 0.2};
        Settings det = EvalConfig.PARAMS.defaults(EvalConfig.N, 6, EvalConfig.EPS, eps);
        java.util.function.DoubleFunction<Settings> sampled = sc -> EvalConfig.PARAMS.defaults(EvalConfig.N, 6,
                EvalConfig.EPS, eps, EvalConfig.DEFENSE, dev.aerobust.defense.DefendedClassifier.Mode.SAMPLED,
                EvalConfig.SCALE, sc, EvalConfig.DRAWS, 2);
        // PGD starts at random: the rows are the same only if each run draws the same start
        var pgd = AttackConfig.create(AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 3, AttackConfig.BATCH_ROWS,
                5), false);
        Path results = tmp.resolve("results");
        AttackRun.Outcome d = AttackRun.run("vae-mnist-sg", "classifier-mnist-sg", det, pgd, dataDir, store,
                new dev.aerobust.store.ResultsStore(results), null);
        assertNull(d.records().get(1).reusedRows(), "the first run attacks every row");
        try (var dirs = Files.list(results.resolve("vae-mnist-sg"))) {
            assertEquals(1, dirs.filter(p -> p.getFileName().toString().startsWith("surrogate-pgd-")).count(),
                    "its rows are kept for the sampled runs");
        }
        for (double scale : new double[] {1, 4}) {
            AttackRun.Outcome reused = AttackRun.run("vae-mnist-sg", "classifier-mnist-sg", sampled.apply(scale), pgd,
                    dataDir, store, new dev.aerobust.store.ResultsStore(results), null);
            AttackRun.Outcome fresh = AttackRun.run("vae-mnist-sg", "classifier-mnist-sg", sampled.apply(scale), pgd,
                    dataDir, store, new dev.aerobust.store.ResultsStore(tmp.resolve("fresh-" + scale)), null);
            assertNull(fresh.records().get(1).reusedRows());
            for (int e = 0; e < eps.length; e++) {
                AttackRecord r = reused.records().get(e);
                AttackRecord f = fresh.records().get(e);
                assertEquals(dev.aerobust.defense.DefendedClassifier.Mode.SAMPLED, r.defense());
                assertEquals(12, r.reusedRows(), "the run's 6 images x 2 eps above 0 were taken from the"
                        + " deterministic run (scale " + scale + ")");
                assertArrayEquals(d.records().get(e).perImage().margin(), r.perImage().margin(), 0.0,
                        "the surrogate's margins are the deterministic run's");
                assertArrayEquals(f.perImage().margin(), r.perImage().margin(), 0.0);
                assertArrayEquals(f.perImage().robust(), r.perImage().robust());
                assertArrayEquals(f.perImage().correctDraws(), r.perImage().correctDraws());
                assertEquals(f.robustAccuracy(), r.robustAccuracy(), 0.0);
                assertEquals(f.maxLinf(), r.maxLinf(), 0.0);
                assertEquals(f.maxL2(), r.maxL2(), 0.0);
                assertEquals(f.latent(), r.latent());
            }
        }

        // a run killed under the earlier layout kept its chunks in its own partial- folder: still taken, then removed
        Path moved = tmp.resolve("moved");
        Path runDir = AttackRun.run("vae-mnist-sg", "classifier-mnist-sg", true, det, pgd, dataDir,
                new dev.aerobust.store.ResultsStore(moved)).dir();
        Path own = runDir.resolve("partial-" + dev.aerobust.util.Hashing.sha256((java.util.Arrays.toString(eps) + "|"
                + pgd.settings().speed()).getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12));
        Files.createDirectories(own);
        try (var dirs = Files.list(results.resolve("vae-mnist-sg"))) {
            Path kept = dirs.filter(p -> p.getFileName().toString().startsWith("surrogate-pgd-")).findFirst()
                    .orElseThrow();
            try (var chunks = Files.list(kept)) {
                for (Path c : chunks.toList()) {
                    Files.copy(c, own.resolve(c.getFileName()));
                }
            }
        }
        AttackRun.Outcome resumed = AttackRun.run("vae-mnist-sg", "classifier-mnist-sg", det, pgd, dataDir, store,
                new dev.aerobust.store.ResultsStore(moved), null);
        assertEquals(12, resumed.records().get(1).reusedRows());
        assertArrayEquals(d.records().get(2).perImage().margin(), resumed.records().get(2).perImage().margin(), 0.0);
        assertFalse(Files.exists(own), "the run's own folder goes once its records are written");
    }
}
