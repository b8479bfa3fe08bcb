package dev.aerobust.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.experiment.ModelTraining;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** {@code aerobust train classifier|autoencoder}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the classifier or an autoencoder defense; the model is stored with its provenance.",
        subcommands = {TrainCommand.TrainClassifier.class, TrainCommand.TrainAutoencoder.class})
final class TrainCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (classifier or autoencoder)");
    }

    /** Options every training command shares besides its settings. */
    static final class Shared {
        @Option(names = "--json", description = "Print the stored model's metadata as JSON.")
        boolean json;

        @Mixin
        DataDirOption data;

        @Mixin
        ThreadsOption threads;

        void applyThreads() {
            threads.apply();
        }
    }

    @Command(name = "classifier", mixinStandardHelpOptions = true, modelTransformer = ParamOptions.Classifier.class,
            description = {"Train the study's CNN classifier (system.md section 2) with early stopping on validation"
                    + " accuracy and a learning-rate drop on plateaus.",
                "Asking for the same settings twice reuses the stored model; a speed setting is not part of the id.",
                "Every setting: aerobust settings classifier."})
    static final class TrainClassifier implements Callable<Integer> {
        @Mixin
        Shared c;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Settings cfg = ClassifierConfig.PARAMS.resolve(ParamOptions.given(spec, ClassifierConfig.PARAMS));
            c.applyThreads();
            ModelTraining.Outcome o = ModelTraining.classifier(cfg, c.data.resolve(), ModelStore.atHome());
            return report(spec, o, c.json, "clean_accuracy", o.meta().metrics().cleanAccuracy());
        }
    }

    @Command(name = "autoencoder", mixinStandardHelpOptions = true,
            modelTransformer = ParamOptions.Autoencoder.class,
            description = {"Train an autoencoder defense (system.md section 3): ae, dae, vae, dvae, cae or cvae.",
                "Noise (--stp), variance floor and contractive weights are in the study's [-1, 1] units and converted"
                        + " to [0, 1] pixels: stp 0.4 is a noise std of 0.2; alpha is divided by 4.",
                "A setting that does not apply to the family is an error. Every setting: aerobust settings"
                        + " autoencoder.",
                "If a classifier of the same dataset is stored, the stacked clean accuracy is measured too."})
    static final class TrainAutoencoder implements Callable<Integer> {
        @Mixin
        Shared c;

        @Option(names = "--classifier", paramLabel = "ID", description = "Classifier for the stacked clean accuracy (default: the newest stored one of the dataset; 'none' to skip).")
        String classifier;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Settings cfg = AutoencoderConfig.PARAMS.resolve(ParamOptions.given(spec, AutoencoderConfig.PARAMS));
            c.applyThreads();
            ModelStore store = ModelStore.atHome();
            String clf = resolveClassifier(store, cfg.get(Common.DATASET), classifier);
            ModelTraining.Outcome o = ModelTraining.autoencoder(cfg, c.data.resolve(), store, clf);
            return report(spec, o, c.json, "recon_mse_test", o.meta().metrics().reconMseTest());
        }
    }

    /**
     * The classifier to stack: an explicit id, none, or the newest classifier of the dataset aerobust trained (an
     * imported one only when named).
     */
    static String resolveClassifier(ModelStore store, DatasetId d, String requested) {
        if ("none".equalsIgnoreCase(requested)) {
            return null;
        }
        if (requested != null) {
            ModelMeta m = store.meta(requested);
            if (m.kind() != ModelMeta.Kind.CLASSIFIER || m.dataset() != d) {
                throw new AerobustException(ExitCode.USAGE, requested + " is not a " + d + " classifier");
            }
            return requested;
        }
        return store.list().stream()
                .filter(m -> m.kind() == ModelMeta.Kind.CLASSIFIER && m.dataset() == d && !m.scripted()
                        && !store.weightless(m.id()))
                .max(Comparator.comparing(m -> m.provenance() == null ? "" : m.provenance().created()))
                .map(ModelMeta::id).orElse(null);
    }

    /** The stored model's metadata as JSON, or its id with one headline metric, named as the store names it. */
    static int report(CommandSpec spec, ModelTraining.Outcome o, boolean json, String label, Double value)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(o.meta()));
        } else {
            out.println(o.id() + (o.reused() ? " (already trained)" : "") + "  " + label + " " + value);
        }
        return 0;
    }

}
