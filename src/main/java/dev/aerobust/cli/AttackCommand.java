package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.CwL2;
import dev.aerobust.attack.CwLinf;
import dev.aerobust.attack.DeepFool;
import dev.aerobust.attack.Pgd;
import dev.aerobust.data.DataHome;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.experiment.AttackRun;
import dev.aerobust.experiment.ModelStore;
import dev.aerobust.nn.Engine;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code aerobust attack}: robust accuracy of a stored model (with its defense) against eps. */
@Command(name = "attack", mixinStandardHelpOptions = true,
        description = {"Attack a stored model white-box and report, per eps, the robust accuracy, the attack's"
                + " success rate, the largest Linf and L2 perturbations and the NaN count.",
            "An autoencoder id attacks the stack autoencoder + classifier; a classifier id attacks it undefended.",
            "One JSON record per (model, attack, eps) is written under $AEROBUST_HOME/results; records already"
                    + " there are reused, so a killed run resumes.",
            "Every output is checked: inside the eps box, inside [0, 1], no NaN, clean input untouched."})
final class AttackCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "ID", description = "Stored model id (see: aerobust models list).")
    String model;

    @Option(names = "--classifier", paramLabel = "ID", description = "Classifier under the autoencoder (default: the newest stored one of the dataset).")
    String classifier;

    @Option(names = "--attack", paramLabel = "NAME", description = "cw-linf (default, best iterate), cw-linf-authors (the authors' code), pgd, eot-pgd (EOT against the sampled defense), deepfool, or cw-l2 (textbook CW; its eps are L2 budgets).")
    String attack = "cw-linf";

    @Option(names = "--restarts", paramLabel = "N", description = "PGD random restarts (default 1).")
    Integer restarts;

    @Option(names = "--eot-draws", paramLabel = "N", description = "eot-pgd: latent draws averaged per gradient (default 10).")
    Integer eotDraws;

    @Option(names = "--eps", split = ",", paramLabel = "EPS", description = "Budgets in [0, 1] pixel units (default: the dataset's grid).")
    double[] eps;

    @Option(names = "--n", paramLabel = "N", description = "Attack-set size (default 1000).")
    int n = 1000;

    @Option(names = "--steps", paramLabel = "N", description = "Adam steps (default 100).")
    Integer steps;

    @Option(names = "--lr", paramLabel = "X", description = "Adam lr in [0, 1] units (default 0.05 = the study's 0.1 in [-1, 1]).")
    Double lr;

    @Option(names = "--batch", paramLabel = "N", description = "Rows (image x eps) per batch (default 2000).")
    Integer batch;

    @Option(names = "--defense", paramLabel = "MODE", description = "deterministic (default) or sampled (variational autoencoders).")
    String defense = "deterministic";

    @Option(names = "--scale", paramLabel = "S", description = "Latent scale s of the sampled defense (default 1).")
    double scale = 1;

    @Option(names = "--samples", paramLabel = "N", description = "Sampling seeds for a sampled defense's accuracy (default 5).")
    int samples = 5;

    @Option(names = "--seed", paramLabel = "N", description = "The run's seed (default 0).")
    long seed;

    @Option(names = "--save-adv", paramLabel = "DIR", description = "Save the adversarial inputs as .npy (numpy.load reads them).")
    Path saveAdv;

    @Option(names = "--json", description = "Print the records as a JSON array.")
    boolean json;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (n <= 0) {
            throw new AerobustException(ExitCode.USAGE, "--n must be positive, got " + n);
        }
        if (eps != null) {
            double max = "cw-l2".equals(attack) ? Double.MAX_VALUE : 1;
            for (double e : eps) {
                if (!(e >= 0) || e > max) {
                    throw new AerobustException(ExitCode.USAGE, "eps must be in [0, "
                            + (max == 1 ? "1]" : "inf)") + ", got " + e);
                }
            }
        }
        Engine.init();
        ModelStore store = ModelStore.atHome();
        JsonNode meta = store.meta(model);
        DatasetId d = DatasetId.parse(meta.path("dataset").asText());
        double[] grid = eps != null ? eps : defaultGrid(d);
        Attack impl;
        switch (attack) {
            case "cw-linf", "cw-linf-authors" -> {
                CwLinf.Config def = CwLinf.Config.defaults();
                CwLinf.Config cfg = new CwLinf.Config(steps == null ? def.steps() : steps, lr == null ? def.lr() : lr,
                        def.gamma(), def.kappa(), attack.equals("cw-linf") ? CwLinf.Variant.BEST_ITERATE
                                : CwLinf.Variant.AUTHORS, batch == null ? def.batchRows() : batch);
                impl = new CwLinf(cfg, true);
            }
            case "pgd", "eot-pgd" -> {
                Pgd.Config def = Pgd.Config.defaults();
                int draws = attack.equals("pgd") ? 1 : eotDraws == null ? 10 : eotDraws;
                if (draws > 1 && !"sampled".equals(defense)) {
                    throw new AerobustException(ExitCode.USAGE, "eot-pgd attacks the sampled defense as deployed;"
                            + " add --defense sampled");
                }
                Pgd.Config cfg = new Pgd.Config(steps == null ? def.steps() : steps, def.stepFactor(),
                        restarts == null ? def.restarts() : restarts, draws, batch == null ? def.batchRows() : batch);
                impl = new Pgd(cfg, true);
            }
            case "deepfool" -> {
                DeepFool.Config def = DeepFool.Config.defaults();
                DeepFool.Config cfg = new DeepFool.Config(steps == null ? def.steps() : steps, def.overshoot());
                impl = new DeepFool(cfg);
            }
            case "cw-l2" -> {
                CwL2.Config def = CwL2.Config.defaults();
                CwL2.Config cfg = new CwL2.Config(def.searchSteps(), steps == null ? def.steps() : steps,
                        lr == null ? def.lr() : lr, def.initialConst(), def.kappa());
                impl = new CwL2(cfg);
            }
            default -> throw new AerobustException(ExitCode.USAGE, "unknown attack '" + attack
                    + "' (known: cw-linf, cw-linf-authors, pgd, eot-pgd, deepfool, cw-l2)");
        }
        DefendedClassifier.Mode mode = switch (defense) {
            case "deterministic" -> "autoencoder".equals(meta.path("kind").asText())
                    ? DefendedClassifier.Mode.DETERMINISTIC : DefendedClassifier.Mode.NONE;
            case "sampled" -> DefendedClassifier.Mode.SAMPLED;
            default -> throw new AerobustException(ExitCode.USAGE, "unknown defense '" + defense
                    + "' (known: deterministic, sampled)");
        };
        String clf = TrainCommand.resolveClassifier(store, d, classifier);
        List<Map<String, Object>> records = AttackRun.run(
                new AttackRun.Spec(model, clf, mode, scale, samples, n, seed), impl, grid,
                data.resolve(), store, DataHome.home().resolve("results"), saveAdv);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(records));
        } else {
            out.printf("%-7s %-16s %-9s %-9s %-9s %s%n", "eps", "robust_acc", "success", "max_linf", "max_l2", "nan");
            for (Map<String, Object> r : records) {
                out.printf("%-7.3f %.4f +- %.4f %-9.4f %-9.4f %-9.4f %s%n", num(r, "eps"), num(r, "robust_accuracy"),
                        num(r, "robust_accuracy_std"), num(r, "attack_success_rate"), num(r, "max_linf"),
                        num(r, "max_l2"), r.get("nan_count"));
            }
        }
        return 0;
    }

    static double[] defaultGrid(DatasetId d) {
        double unit = d == DatasetId.BTSC ? 0.005 : 0.05;
        double[] g = new double[6];
        for (int i = 0; i < 6; i++) {
            g[i] = Math.round(unit * (i + 1) * 1e6) / 1e6;
        }
        return g;
    }

    private static double num(Map<String, Object> r, String k) {
        return ((Number) r.get(k)).doubleValue();
    }
}
