package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DataException;
import dev.aerobust.data.DatasetId;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Results;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Python;
import dev.aerobust.testing.Synthetic;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * A user's TorchScript classifier and autoencoder, made by Python PyTorch, imported into the store and attacked
 * as a stack like aerobust's own models, with the latent statistics from the module's exported encode; a module
 * of the wrong output shape is refused with one line.
 */
@Tag("slow")
class ImportTest {

    @TempDir
    Path tmp;

    @Test
    void importedTorchScriptModelsAreAttackedLikeOwnOnes() throws Exception {
        Path data = btscWithModules();
        Path clf = tmp.resolve("clf.pt");
        Path ae = tmp.resolve("ae.pt");
        Path bad = tmp.resolve("bad.pt");
        assertEquals(0, Python.run(Python.script().toString(), "clf", bad.toString(), "3", "32", "32", "10")
                .exitCode());

        ModelStore store = new ModelStore(tmp.resolve("home/models"));
        ModelTraining.Outcome c = ModelImport.run("classifier", DatasetId.BTSC, clf, data, store);
        assertTrue(c.id().startsWith("ts-classifier-btsc-"), c.id());
        double acc = c.meta().metrics().cleanAccuracy();
        assertTrue(acc >= 0 && acc <= 1, "the clean accuracy is measured on import");
        assertTrue(ModelImport.run("classifier", DatasetId.BTSC, clf, data, store).reused(),
                "the same file is the same model");
        ModelTraining.Outcome a = ModelImport.run("autoencoder", DatasetId.BTSC, ae, data, store);
        assertTrue(a.meta().encode());
        assertEquals(16, a.meta().latent());

        DataException e = assertThrows(DataException.class,
                () -> ModelImport.run("classifier", DatasetId.BTSC, bad, data, store));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("must return logits [2, 62]"), e.getMessage());
        assertEquals(2, store.list().size(), "the refused module is not stored");

        Settings eval = EvalConfig.PARAMS.defaults(Common.DATASET, DatasetId.BTSC, EvalConfig.N, 6,
                EvalConfig.EPS, new double[] {0, 0.03});
        AttackRun.Outcome run = AttackRun.run(a.id(), c.id(), eval, AttackConfig.create(
                AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 3), false), data, store,
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")), null);
        AttackRecord r = run.records().get(1);
        assertEquals(c.id(), r.classifier());
        assertEquals(dev.aerobust.defense.DefendedClassifier.Mode.DETERMINISTIC, r.defense());
        assertTrue(r.latent() != null, "the exported encode gives the latent statistics");
        assertTrue(r.maxLinf() <= 0.03 + 1e-6);
        assertEquals(6, r.perImage().index().length);

        // the CLI: a module of the wrong shape is exit 3 with one line naming the file
        Process p = ChildCli.merged(tmp.resolve("home"), "import", "classifier", bad.toString(), "--dataset", "btsc",
                "--data-dir", data.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("aerobust:")).count(), out);
        assertTrue(out.contains(bad.toString()) && out.contains("must return logits"), out);
        assertFalse(out.contains("Exception"), out);
    }

    /**
     * A sweep file's {@code imported} list: an imported autoencoder on an imported classifier and the imported
     * classifier alone are attacked under the sweep's evaluations and attacks, their rows (family "imported") are
     * in the results with their worst case, and the report draws them; an id not in the store, or one of
     * aerobust's own models, is a usage error naming the file's line.
     */
    @Test
    void aSweepAttacksImportedModelsNamedById() throws Exception {
        Path data = btscWithModules();
        Path clf = tmp.resolve("clf.pt");
        Path ae = tmp.resolve("ae.pt");
        Path home = tmp.resolve("home");
        ModelStore store = new ModelStore(home.resolve("models"));
        String c = ModelImport.run("classifier", DatasetId.BTSC, clf, data, store).id();
        String a = ModelImport.run("autoencoder", DatasetId.BTSC, ae, data, store).id();
        String sweepText = """
                name: imp
                datasets: [btsc]
                classifier: {epochs: 1, batch: 8}
                evaluations:
                  - {n: 4, eps: [0, 0.02]}
                attacks:
                  - {attack: pgd, steps: 2}
                  - {attack: cw-linf, steps: 2}
                imported:
                  - {model: %s, classifier: %s}
                  - {model: %s}
                """.formatted(a, c, c);
        Path file = tmp.resolve("imp.yaml");
        java.nio.file.Files.writeString(file, sweepText);

        Sweep sweep = Sweep.load(file, store);
        assertEquals(6, sweep.attacks().size(), "pgd and cw-linf on the sweep's classifier, the imported stack"
                + " and the imported classifier: " + sweep.attacks().stream().map(Sweep.AttackUnit::label).toList());
        assertTrue(sweep.attacks().stream().anyMatch(u -> u.label().equals("attack pgd (steps 2) on " + a + " on " + c
                + " btsc")), sweep.attacks().stream().map(Sweep.AttackUnit::label).toList().toString());

        Process p = ChildCli.merged(home, "sweep", file.toString(), "--data-dir", data.toString(), "--threads", "1")
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);

        SweepRunner runner = new SweepRunner(sweep, data, store,
                new dev.aerobust.store.ResultsStore(home.resolve("results")));
        java.util.List<Results.Row> rows = Results.of(sweep, runner);
        java.util.List<Results.Row> imported = rows.stream().filter(Results.Row::imported).toList();
        // two models x (2 attacks + the worst case) x 2 eps
        assertEquals(12, imported.size(), imported.toString());
        assertTrue(imported.stream().anyMatch(r -> r.model().equals(a) && r.classifier().equals(c)
                && r.worstCase() && r.eps() == 0.02), imported.toString());
        assertTrue(imported.stream().anyMatch(r -> r.model().equals(c)
                && r.defense() == dev.aerobust.defense.DefendedClassifier.Mode.NONE),
                imported.toString());
        Path html = dev.aerobust.report.SweepReport.write(sweep, runner, store, tmp.resolve("report"),
                java.util.List.of(), 0.02);
        String page = java.nio.file.Files.readString(html);
        assertTrue(page.contains("Imported models"), "the report has the imported section");
        assertTrue(page.contains("6 of the sweep's 6 attack units done") && !page.contains("not finished"));
        assertTrue(page.contains("id=\"imported-btsc-" + a + "-on-" + c + "\""), "the stack's figure");
        assertTrue(page.contains("id=\"imported-btsc-" + c + "\""), "the classifier's figure");
        assertTrue(page.contains(a + "/meta.json"), "the imported model's provenance");

        for (String[] bad : new String[][] {{"ts-autoencoder-btsc-000000000000", "no model"},
            {ownClassifier(store), "a model aerobust trained"}}) {
            java.nio.file.Files.writeString(file, sweepText.replace("{model: " + c + "}", "{model: " + bad[0] + "}"));
            AerobustException e = assertThrows(AerobustException.class, () -> Sweep.load(file, store));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().startsWith(file + ":11:") && e.getMessage().contains(bad[1]),
                    e.getMessage());
        }
    }

    /**
     * A small synthetic BTSC tree under {@code tmp/data} (returned), and Python PyTorch's TorchScript classifier
     * ({@code tmp/clf.pt}) and autoencoder ({@code tmp/ae.pt}) for its 3 x 32 x 32 images.
     */
    private Path btscWithModules() throws Exception {
        Python.requireTorch();
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 3, 1);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        String py = Python.script().toString();
        assertEquals(0, Python.run(py, "clf", tmp.resolve("clf.pt").toString(), "3", "32", "32", "62").exitCode());
        assertEquals(0, Python.run(py, "ae", tmp.resolve("ae.pt").toString(), "3", "32", "32").exitCode());
        return data;
    }

    /** The id of the classifier the sweep trained (aerobust's own model). */
    private static String ownClassifier(ModelStore store) {
        return store.list().stream().map(dev.aerobust.store.ModelMeta::id).filter(id -> id.startsWith("classifier-"))
                .findFirst().orElseThrow();
    }

    /** An imported classifier's clean accuracy is the one Python computes on the same MNIST test images. */
    @Test
    void anImportedClassifierHasPythonsCleanAccuracy() throws Exception {
        Python.requireTorch();
        Path data = dev.aerobust.testing.RealData.dataDir(DatasetId.MNIST);
        Path clf = tmp.resolve("mnist-clf.pt");
        String py = Python.script().toString();
        assertEquals(0, Python.run(py, "clf", clf.toString(), "1", "28", "28", "10").exitCode());
        Python.Result r = Python.run(py, "acc", clf.toString(),
                data.resolve("mnist/t10k-images-idx3-ubyte").toString(),
                data.resolve("mnist/t10k-labels-idx1-ubyte").toString());
        assertEquals(0, r.exitCode(), r.out());
        int pythonCorrect = Integer.parseInt(r.out().strip());
        ModelTraining.Outcome o = ModelImport.run("classifier", DatasetId.MNIST, clf, data,
                new ModelStore(tmp.resolve("models")));
        double acc = o.meta().metrics().cleanAccuracy();
        assertEquals(10000, o.meta().metrics().testImages());
        // float32 on two libtorch builds: an image whose two top logits tie to the last bit may go either way
        assertEquals(pythonCorrect, Math.round(acc * 10000), 2.0, "aerobust " + acc + ", Python "
                + pythonCorrect + "/10000");
    }
}
