package dev.aerobust.store;

import java.util.function.Function;

import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.model.Purifier;
import dev.aerobust.model.ScriptedAutoencoder;
import dev.aerobust.model.ScriptedClassifier;

/**
 * The stored models, rebuilt: a model's network from its metadata ({@link ModelMeta#architecture}, or an imported
 * TorchScript module as it is), then its weights, checked against their checksum ({@link ModelStore#loadWeights}).
 */
public final class StoredModels {

    private StoredModels() {
    }

    /** A stored classifier, aerobust's own or imported, ready to attack. */
    public static LogitsModel classifier(ModelStore store, String id, DatasetId d) {
        if (store.meta(id).scripted()) {
            return new ScriptedClassifier(store.checkedWeights(id));
        }
        Classifier c = new Classifier(d);
        store.loadWeights(id, c);
        return c;
    }

    /**
     * A stored autoencoder, aerobust's own or imported. {@code legacy} gives the architecture of a model stored
     * by a version whose metadata did not record it (from its training settings, which only training reads).
     */
    public static Purifier autoencoder(ModelStore store, String id, Function<ModelMeta, Autoencoder.Spec> legacy) {
        ModelMeta meta = store.meta(id);
        if (meta.scripted()) {
            return new ScriptedAutoencoder(store.checkedWeights(id));
        }
        Autoencoder ae = new Autoencoder(meta.architecture() != null ? meta.architecture() : legacy.apply(meta));
        store.loadWeights(id, ae);
        return ae;
    }
}
