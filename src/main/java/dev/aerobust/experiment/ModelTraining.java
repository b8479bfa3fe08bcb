package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.eval.Accuracy;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.Provenance;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.AutoencoderObjective;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.train.ClassifierObjective;
import dev.aerobust.train.ReconstructionMetrics;
import dev.aerobust.train.TrainParams;
import dev.aerobust.train.TrainedModels;
import dev.aerobust.train.Trainer;
import dev.aerobust.train.Units;

/** Trains a model end to end: data, split, training, final metrics, and the model store with provenance. */
public final class ModelTraining {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTraining.class);

    /** A stored model: its id and metadata, and whether it was trained now or found in the store. */
    public record Outcome(String id, ModelMeta meta, boolean reused) {
    }

    private ModelTraining() {
    }

    /** The train and validation sets: BTSC's track split, or a seeded hold-out of the training set. */
    static ImageSet[] trainVal(DatasetId d, Path dataDir, int valSize, long seed) {
        if (d == DatasetId.BTSC) {
            return new ImageSet[] {Datasets.load(d, Split.TRAIN, dataDir, seed),
                Datasets.load(d, Split.VAL, dataDir, seed)};
        }
        ImageSet all = Datasets.load(d, Split.TRAIN, dataDir, seed);
        if (valSize <= 0 || valSize >= all.size()) {
            throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE,
                    "validation size must be in 1.." + (all.size() - 1) + ", got " + valSize);
        }
        int[] perm = ImageSet.permutation(all.size(), seed ^ 0x5eedL);
        int cut = all.size() - valSize;
        return new ImageSet[] {all.subset(Arrays.copyOfRange(perm, 0, cut)),
            all.subset(Arrays.copyOfRange(perm, cut, all.size()))};
    }

    /**
     * The model with this id if the store holds it whole; otherwise checks that the store can be written before
     * the training starts.
     */
    private static Optional<Outcome> stored(ModelStore store, String id) throws IOException {
        Optional<String> found = TrainedModels.find(store, id);
        if (found.isPresent()) {
            LOG.info("model {} already trained; reusing it", found.get());
            return Optional.of(new Outcome(found.get(), store.meta(found.get()), true));
        }
        ModelStore.checkWritable(store.root());
        return Optional.empty();
    }

    /** Trains a classifier with the settings of {@link ClassifierConfig}, or finds it in the store. */
    public static Outcome classifier(Settings cfg, Path dataDir, ModelStore store) throws IOException {
        return once(cfg, dataDir, store, (id, test) -> trainClassifier(cfg, dataDir, store, id, test));
    }

    /** Trains one model of the store: the test set's checksum and the settings give its id. */
    private interface Training {
        Outcome train(String id, ImageSet test) throws IOException;
    }

    /**
     * The stored model with these settings, or {@code training}'s, run under the model's lock: a second run of
     * the same settings waits, then finds the first one's model.
     */
    private static Outcome once(Settings cfg, Path dataDir, ModelStore store, Training training)
            throws IOException {
        Engine.init();
        ImageSet test = Datasets.load(cfg.get(Common.DATASET), Split.TEST, dataDir, cfg.get(Common.SEED));
        String id = TrainedModels.id(cfg, test.checksum());
        Optional<Outcome> stored = stored(store, id);
        if (stored.isPresent()) {
            return stored.get();
        }
        try (java.io.Closeable lock = store.lock(id)) {
            // another run may have trained it while this one waited for the lock
            stored = stored(store, id);
            return stored.isPresent() ? stored.get() : training.train(id, test);
        }
    }

    private static Outcome trainClassifier(Settings cfg, Path dataDir, ModelStore store, String id, ImageSet test)
            throws IOException {
        DatasetId d = cfg.get(Common.DATASET);
        long seed = cfg.get(Common.SEED);
        ImageSet[] tv = trainVal(d, dataDir, cfg.get(TrainParams.VAL_SIZE), seed);
        LOG.info("training classifier {} on {} images ({} for validation)", id, tv[0].size(), tv[1].size());
        Engine.seed(seed);
        Classifier model = new Classifier(d);
        long t0 = System.nanoTime();
        Trainer.Result r = Trainer.fit(model, new ClassifierObjective(model, cfg.get(ClassifierConfig.PRECISION)),
                tv[0], tv[1], cfg, store.workDir(id));
        dev.aerobust.eval.Outputs.requireFinite(model::forward, test, "classifier " + id + " as trained");
        double acc = Accuracy.of(model::forward, test, 500);
        LOG.info("clean test accuracy {}", String.format("%.4f", acc));
        store.save(id, model, meta(id, null, null, cfg, test, r, t0, ModelMeta.Metrics.classifier(acc, test.size())));
        store.discardWork(id);
        return new Outcome(id, store.meta(id), false);
    }

    /**
     * Trains an autoencoder with the settings of {@link AutoencoderConfig}, or finds it in the store. If
     * {@code classifierId} names a stored classifier of the same dataset, the final metrics include the stacked
     * system's clean accuracy: classifier(decoder(mu(x))) on the test set.
     */
    public static Outcome autoencoder(Settings cfg, Path dataDir, ModelStore store, String classifierId)
            throws IOException {
        return once(cfg, dataDir, store, (id, test) -> trainAutoencoder(cfg, dataDir, store, classifierId, id, test));
    }

    private static Outcome trainAutoencoder(Settings cfg, Path dataDir, ModelStore store, String classifierId,
                                            String id, ImageSet test) throws IOException {
        DatasetId d = cfg.get(Common.DATASET);
        long seed = cfg.get(Common.SEED);
        Family family = cfg.get(AutoencoderConfig.FAMILY);
        double stp = cfg.get(AutoencoderConfig.STP);
        ImageSet[] tv = trainVal(d, dataDir, cfg.get(TrainParams.VAL_SIZE), seed);
        LOG.info("training {} {} (stp {}, noise std {} in [0,1]{}) on {} images", family.label(), id, stp,
                Units.noiseStd(stp), family.contractive() ? ", alpha " + cfg.get(AutoencoderConfig.ALPHA) : "",
                tv[0].size());
        Engine.seed(seed);
        Autoencoder model = new Autoencoder(AutoencoderConfig.spec(cfg));
        long t0 = System.nanoTime();
        Trainer.Result r = Trainer.fit(model, new AutoencoderObjective(model, cfg), tv[0], tv[1], cfg,
                store.workDir(id));
        dev.aerobust.eval.Outputs.requireFinite(model::forward, test, "autoencoder " + id + " as trained");
        double mse = ReconstructionMetrics.mse(model, test, 500, 0, false);
        Engine.seed(seed);
        double noisy = ReconstructionMetrics.mse(model, test, 500, Units.noiseStd(stp),
                cfg.get(AutoencoderConfig.CLIP_NOISE));
        Double elbo = null;
        if (model.variational()) {
            Engine.seed(seed);
            elbo = ReconstructionMetrics.negativeElbo(model, test, 500, cfg.get(AutoencoderConfig.SAMPLES));
        }
        Double stacked = null;
        if (classifierId != null) {
            dev.aerobust.model.LogitsModel clf = dev.aerobust.store.StoredModels.classifier(store, classifierId, d);
            clf.freeze();
            stacked = Accuracy.of(x -> dev.aerobust.nn.Autograd.noGrad(() -> clf.logits(model.forward(x))), test,
                    500);
        }
        ModelMeta.Metrics metrics = new ModelMeta.Metrics(null, null, mse, noisy, elbo, stacked,
                classifierId == null ? null : classifierId);
        LOG.info("final metrics {}", metrics);
        store.save(id, model, meta(id, family, AutoencoderConfig.spec(cfg), cfg, test, r, t0, metrics));
        store.discardWork(id);
        return new Outcome(id, store.meta(id), false);
    }

    /**
     * The stored metadata: schema, id, kind, the identity settings as {@code config} (what the id is made of),
     * the speed settings apart, the architecture, provenance, the training curve and the final metrics.
     */
    private static ModelMeta meta(String id, Family family, dev.aerobust.model.Autoencoder.Spec architecture,
                                  Settings cfg, ImageSet test, Trainer.Result r, long t0, ModelMeta.Metrics metrics) {
        ModelMeta.Training training = new ModelMeta.Training(r.curve().size(), r.bestEpoch(), r.bestVal(),
                r.earlyStopped(), (System.nanoTime() - t0) / 1e9, r.curve());
        return ModelMeta.trained(id, family == null ? ModelMeta.Kind.CLASSIFIER : ModelMeta.Kind.AUTOENCODER, family,
                test.id(), cfg.identity(), cfg.speed(), Provenance.now(cfg.get(Common.SEED), test.id().cliName(),
                        test.checksum()), architecture, training, metrics);
    }
}
