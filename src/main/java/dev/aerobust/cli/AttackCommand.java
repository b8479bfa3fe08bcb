package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.experiment.AttackRun;
import dev.aerobust.nn.Engine;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.ModelStore;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** {@code aerobust attack}: robust accuracy of a stored model (with its defense) against eps. */
@Command(name = "attack", modelTransformer = ParamOptions.Attack.class,
        description = {"Attack a stored model white-box and report, per eps, the robust accuracy, the attack's"
                + " success rate, the largest Linf and L2 perturbations and the NaN count.",
            "An autoencoder id attacks the stack autoencoder + classifier; a classifier id attacks it undefended.",
            "One JSON record per (model, attack, eps) is written under $AEROBUST_HOME/results, with every image's"
                    + " outcome (robust flag and final margin by test-set index); finished eps values are reused,"
                    + " and so are the finished chunks of rows (--batch-rows) of an unfinished batch: a killed run"
                    + " redoes at most the chunk it was in (AutoAttack: of the member it was in, each member running"
                    + " over the rows still correct with chunks of its own). An attack without EOT on a variational"
                    + " autoencoder runs on z = mu whatever the defense, so its rows are kept and the same attack under"
                    + " the sampled defense, at any --scale, only evaluates them.",
            "Every output is checked: inside the eps box, inside [0, 1], no NaN, clean input untouched.",
            "A setting that does not apply to the attack or defense is an error. Every setting: aerobust settings"
                    + " attack."})
final class AttackCommand implements Callable<Integer> {

    // --version is autoattack's ensemble here (aerobust's own version: aerobust --version)
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;


    @Option(names = "--model", required = true, paramLabel = "ID", description = "Stored model id (see: aerobust models list).")
    String model;

    @Option(names = "--classifier", paramLabel = "ID", description = "Classifier under the autoencoder (default: the newest stored one of the dataset).")
    String classifier;

    @Option(names = "--save-adv", paramLabel = "DIR", description = "Save the adversarial inputs as .npy (numpy.load reads them).")
    Path saveAdv;

    @Option(names = "--json", description = "Print the run as JSON: its records (per-image outcomes included) and sanity checks.")
    boolean json;

    @Mixin
    DataDirOption data;

    @Mixin
    ThreadsOption threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // both sets resolve before anything is loaded: a misplaced setting fails at once
        Settings attackCfg = AttackConfig.PARAMS.resolve(ParamOptions.given(spec, AttackConfig.PARAMS));
        Settings eval = EvalConfig.PARAMS.resolve(ParamOptions.given(spec, EvalConfig.PARAMS));
        EvalConfig.checkBudgets(eval, attackCfg.get(AttackConfig.ATTACK), "--");
        if (AttackConfig.create(attackCfg, false).attacksRandomizedModel()
                && eval.get(EvalConfig.DEFENSE) != dev.aerobust.defense.DefendedClassifier.Mode.SAMPLED) {
            throw new AerobustException(ExitCode.USAGE, AttackConfig.describe(attackCfg)
                    + " attacks the sampled defense as deployed; add --defense sampled");
        }
        threads.apply();
        Engine.init();
        ModelStore store = ModelStore.atHome();
        DatasetId d = AttackRun.dataset(store, model);
        eval = eval.with(Common.DATASET, d);
        Attack attack = AttackConfig.create(attackCfg, true);
        String clf = TrainCommand.resolveClassifier(store, d, classifier);
        AttackRun.Outcome run = AttackRun.run(model, clf, eval, attack, data.resolve(), store,
                dev.aerobust.store.ResultsStore.atHome(), saveAdv);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(run));
        } else {
            out.printf("%-7s %-16s %-9s %-9s %-9s %s%n", "eps", "robust_acc", "success", "max_linf", "max_l2", "nan");
            for (AttackRecord r : run.records()) {
                out.printf("%-7.3f %.4f +- %.4f %-9.4f %-9.4f %-9.4f %s%n", r.eps(), r.robustAccuracy(),
                        r.robustAccuracyStd(), r.attackSuccessRate(), r.maxLinf(), r.maxL2(), r.nanCount());
            }
            for (AttackRun.WorstCaseAt w : run.worstCase()) {
                if (w.attacks().size() > 1) {
                    out.printf(java.util.Locale.ROOT, "worst case at eps %.3f: %.4f over %d images and %d attacks (%s)%n",
                            w.eps(), w.robustAccuracy(), w.images(), w.attacks().size(), String.join(", ", w.attacks()));
                }
                w.warnings().forEach(x -> out.println("sanity: " + x));
            }
            for (String w : run.sanity().warnings()) {
                out.println("sanity: " + w);
            }
            out.println("records: " + run.dir());
        }
        return 0;
    }
}
