package dev.aerobust.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.data.DatasetId;
import dev.aerobust.experiment.ModelStore;
import dev.aerobust.experiment.ModelTraining;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

    /** Options every training command shares. */
    static final class Common {
        @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "mnist, fashion-mnist or btsc.")
        String dataset;

        @Option(names = "--epochs", paramLabel = "N", description = "Most epochs (early stopping ends sooner).")
        Integer epochs;

        @Option(names = "--patience", paramLabel = "N", description = "Epochs without validation improvement before stopping.")
        Integer patience;

        @Option(names = "--batch", paramLabel = "N", description = "Batch size (study: 100 classifier, 128 autoencoders, 32 BTSC classifier).")
        Integer batch;

        @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (study: 1e-4).")
        Double lr;

        @Option(names = "--weight-decay", paramLabel = "X", description = "L2 weight decay on weights and biases (study: 1e-3 classifier, 1e-2 autoencoders).")
        Double weightDecay;

        @Option(names = "--val-size", paramLabel = "N", description = "Training images held out for validation (default 5000; BTSC uses its track split).")
        Integer valSize;

        @Option(names = "--seed", paramLabel = "N", description = "The one seed of the run (default 0).")
        Long seed;

        @Option(names = "--threads", paramLabel = "N", description = "Engine threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print the stored model's metadata as JSON.")
        boolean json;

        @Mixin
        DataDirOption data;

        void applyThreads() {
            if (threads != null) {
                Engine.setThreads(threads);
            }
        }
    }

    @Command(name = "classifier", mixinStandardHelpOptions = true,
            description = {"Train the study's CNN classifier (system.md section 2) with early stopping on validation accuracy.",
                "Asking for the same configuration twice reuses the stored model."})
    static final class TrainClassifier implements Callable<Integer> {
        @Mixin
        Common c;

        @Option(names = "--clip-norm", paramLabel = "X", description = "Global gradient-norm clip (0: none; study: 100 for BTSC).")
        Double clipNorm;

        @Option(names = "--lr-factor", paramLabel = "X",
                description = "Multiply the learning rate by X on a validation plateau (default 0.3; 1: constant).")
        Double lrFactor;

        @Option(names = "--decay-norm",
                description = "Apply the weight decay to the batch-norm scale and shift too (default: conv and dense weights and biases only, as the authors' Keras regularisers).")
        boolean decayNorm;

        @Option(names = "--lr-patience", paramLabel = "N",
                description = "Epochs without validation improvement before the learning rate drops (default 4, Fashion-MNIST 6; 0: never).")
        Integer lrPatience;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DatasetId d = DatasetId.parse(c.dataset);
            ClassifierConfig def = ClassifierConfig.defaults(d);
            ClassifierConfig cfg = new ClassifierConfig(d, or(c.batch, def.batch()), or(c.lr, def.lr()),
                    or(c.weightDecay, def.weightDecay()), decayNorm, or(clipNorm, def.clipNorm()),
                    or(c.epochs, def.maxEpochs()),
                    or(c.patience, def.patience()), or(lrFactor, def.lrFactor()), or(lrPatience, def.lrPatience()),
                    or(c.valSize, def.valSize()), or(c.seed, def.seed()));
            c.applyThreads();
            ModelTraining.Outcome o = ModelTraining.classifier(cfg, c.data.resolve(), ModelStore.atHome());
            return report(spec, o, c.json, "clean_accuracy");
        }
    }

    @Command(name = "autoencoder", mixinStandardHelpOptions = true,
            description = {"Train an autoencoder defense (system.md section 3): ae, dae, vae, dvae, cae or cvae.",
                "Noise (--stp), variance floor and contractive weights are in the study's [-1, 1] units and converted"
                        + " to [0, 1] pixels: stp 0.4 is a noise std of 0.2; alpha is divided by 4.",
                "If a classifier of the same dataset is stored, the stacked clean accuracy is measured too."})
    static final class TrainAutoencoder implements Callable<Integer> {
        @Mixin
        Common c;

        @Option(names = "--family", required = true, paramLabel = "F", description = "ae, dae, vae, dvae, cae or cvae.")
        String family;

        @Option(names = "--stp", paramLabel = "X", description = "Input noise std, study units (default 0.4).")
        Double stp;

        @Option(names = "--denoising", negatable = true, description = "cae/cvae: train to denoise (target = clean image).")
        Boolean denoising;

        @Option(names = "--no-clip-noise", description = "Do not clip the noisy input to [0, 1].")
        boolean noClipNoise;

        @Option(names = "--alpha", paramLabel = "X", description = "Contractive weight on ||d mu/dx||^2, study units (cae/cvae; default 0.1).")
        Double alpha;

        @Option(names = "--beta", paramLabel = "X", description = "Contractive weight on ||d sigma^2/dx||^2, study units (cvae; default 0).")
        Double beta;

        @Option(names = "--samples", paramLabel = "N", description = "Latent samples per input in the ELBO (default 10).")
        Integer samples;

        @Option(names = "--warmup-epochs", paramLabel = "N", description = "Linear KL warm-up (default 5).")
        Integer warmup;

        @Option(names = "--decoder-mean", paramLabel = "M", description = "sigmoid (default) or identity (the authors').")
        Autoencoder.DecoderMean mean;

        @Option(names = "--variance-floor", paramLabel = "X", description = "Decoder variance floor, study units (default 0.01).")
        Double floor;

        @Option(names = "--latent", paramLabel = "N", description = "Latent size (default 128).")
        Integer latent;

        @Option(names = "--jacobian-chunk", paramLabel = "N", description = "Images per pass of the exact Jacobian penalty (speed/memory only; default: the whole batch).")
        Integer chunk;

        @Option(names = "--classifier", paramLabel = "ID", description = "Classifier for the stacked clean accuracy (default: the newest stored one of the dataset; 'none' to skip).")
        String classifier;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DatasetId d = DatasetId.parse(c.dataset);
            Family f = Family.parse(family);
            AutoencoderConfig def = AutoencoderConfig.defaults(d, f);
            AutoencoderConfig cfg = new AutoencoderConfig(d, f, or(denoising, def.denoising()), or(stp, def.stp()),
                    !noClipNoise, or(alpha, def.alpha()), or(beta, def.beta()), or(samples, def.samples()),
                    or(warmup, def.warmupEpochs()), mean == null ? def.decoderMean() : mean,
                    or(floor, def.varianceFloor()), or(latent, def.latent()), or(c.batch, def.batch()),
                    or(c.lr, def.lr()), or(c.weightDecay, def.weightDecay()), or(c.epochs, def.maxEpochs()),
                    or(c.patience, def.patience()), or(c.valSize, def.valSize()), or(c.seed, def.seed()),
                    or(chunk, def.jacobianChunk()));
            c.applyThreads();
            ModelStore store = ModelStore.atHome();
            String clf = resolveClassifier(store, d, classifier);
            ModelTraining.Outcome o = ModelTraining.autoencoder(cfg, c.data.resolve(), store, clf);
            return report(spec, o, c.json, "recon_mse_test");
        }
    }

    /** The classifier to stack: an explicit id, none, or the newest stored classifier of the dataset. */
    static String resolveClassifier(ModelStore store, DatasetId d, String requested) {
        if ("none".equalsIgnoreCase(requested)) {
            return null;
        }
        if (requested != null) {
            JsonNode m = store.meta(requested);
            if (!"classifier".equals(m.path("kind").asText()) || !d.cliName().equals(m.path("dataset").asText())) {
                throw new AerobustException(ExitCode.USAGE, requested + " is not a " + d + " classifier");
            }
            return requested;
        }
        return store.list().stream()
                .filter(m -> "classifier".equals(m.path("kind").asText()) && d.cliName().equals(m.path("dataset").asText()))
                .max(Comparator.comparing(m -> m.path("provenance").path("created").asText()))
                .map(m -> m.path("id").asText()).orElse(null);
    }

    static int report(CommandSpec spec, ModelTraining.Outcome o, boolean json, String headline) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(o.meta()));
        } else {
            out.println(o.id() + (o.reused() ? " (already trained)" : "") + "  " + headline + " "
                    + o.meta().path("metrics").path(headline).asText());
        }
        return 0;
    }

    static <T> T or(T v, T def) {
        return v == null ? def : v;
    }
}
