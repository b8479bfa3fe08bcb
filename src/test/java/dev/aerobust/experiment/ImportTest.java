package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DataException;
import dev.aerobust.data.DatasetId;
import dev.aerobust.eval.AttackRecord;
import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Python;
import dev.aerobust.testing.Synthetic;
import dev.aerobust.util.ExitCode;

/**
 * A user's TorchScript classifier and autoencoder, made by Python PyTorch, imported into the store and attacked
 * as a stack like aerobust's own models, with the latent statistics from the module's exported encode; a module
 * of the wrong output shape is refused with one line.
 */
class ImportTest {

    @TempDir
    Path tmp;

    @Test
    void importedTorchScriptModelsAreAttackedLikeOwnOnes() throws Exception {
        Python.requireTorch();
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 3, 1);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        Path clf = tmp.resolve("clf.pt");
        Path ae = tmp.resolve("ae.pt");
        Path bad = tmp.resolve("bad.pt");
        String py = Python.script().toString();
        assertEquals(0, Python.run(py, "clf", clf.toString(), "3", "32", "32", "62").exitCode());
        assertEquals(0, Python.run(py, "ae", ae.toString(), "3", "32", "32").exitCode());
        assertEquals(0, Python.run(py, "clf", bad.toString(), "3", "32", "32", "10").exitCode());

        ModelStore store = new ModelStore(tmp.resolve("home/models"));
        ModelTraining.Outcome c = ModelImport.run("classifier", DatasetId.BTSC, clf, data, store);
        assertTrue(c.id().startsWith("ts-classifier-btsc-"), c.id());
        double acc = c.meta().path("metrics").path("clean_accuracy").asDouble(-1);
        assertTrue(acc >= 0 && acc <= 1, "the clean accuracy is measured on import");
        assertTrue(ModelImport.run("classifier", DatasetId.BTSC, clf, data, store).reused(),
                "the same file is the same model");
        ModelTraining.Outcome a = ModelImport.run("autoencoder", DatasetId.BTSC, ae, data, store);
        assertTrue(a.meta().path("encode").asBoolean());
        assertEquals(16, a.meta().path("latent").asInt());

        DataException e = assertThrows(DataException.class,
                () -> ModelImport.run("classifier", DatasetId.BTSC, bad, data, store));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains("must return logits [2, 62]"), e.getMessage());
        assertEquals(2, store.list().size(), "the refused module is not stored");

        Settings eval = EvalConfig.PARAMS.defaults(EvalConfig.DATASET, DatasetId.BTSC, EvalConfig.N, 6,
                EvalConfig.EPS, new double[] {0, 0.03});
        AttackRun.Outcome run = AttackRun.run(a.id(), c.id(), eval, AttackConfig.create(
                AttackConfig.of(AttackKind.PGD, AttackConfig.STEPS, 3), false), data, store, tmp.resolve("results"),
                null);
        AttackRecord r = run.records().get(1);
        assertEquals(c.id(), r.classifier());
        assertEquals("deterministic", r.defense());
        assertTrue(r.latent() != null, "the exported encode gives the latent statistics");
        assertTrue(r.maxLinf() <= 0.03 + 1e-6);
        assertEquals(6, r.perImage().index().length);

        // the CLI: a module of the wrong shape is exit 3 with one line naming the file
        Process p = ChildCli.of(tmp.resolve("home"), "import", "classifier", bad.toString(), "--dataset", "btsc",
                "--data-dir", data.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(3, p.exitValue(), out);
        assertEquals(1, out.lines().filter(l -> l.startsWith("aerobust:")).count(), out);
        assertTrue(out.contains(bad.toString()) && out.contains("must return logits"), out);
        assertFalse(out.contains("Exception"), out);
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
        double acc = o.meta().path("metrics").path("clean_accuracy").asDouble();
        assertEquals(10000, o.meta().path("metrics").path("test_images").asInt());
        // float32 on two libtorch builds: an image whose two top logits tie to the last bit may go either way
        assertEquals(pythonCorrect, Math.round(acc * 10000), 2.0, "aerobust " + acc + ", Python "
                + pythonCorrect + "/10000");
    }
}
