package dev.aerobust.train;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.config.Common;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DataException;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.util.AerobustException;

/**
 * What a trained model's settings make of it in the store: its id (the hash of its identity settings and the
 * dataset's checksum), the settings a stored model was trained with, its architecture, and the models earlier
 * versions stored under other ids. The store keeps files; this knows what training's settings mean for them.
 */
public final class TrainedModels {

    private static final Logger LOG = LoggerFactory.getLogger(TrainedModels.class);

    private TrainedModels() {
    }

    /**
     * The id of the model that {@code config} and the dataset checksum determine: its identity settings only, so
     * a speed setting (the Jacobian chunk, threads) never splits a model in two ({@link Settings#key()}).
     */
    public static String id(Settings config, String datasetChecksum) {
        String kind = config.set() == AutoencoderConfig.PARAMS
                ? config.get(AutoencoderConfig.FAMILY).label() : config.set().kind();
        return ModelStore.hashId(kind, config.get(Common.DATASET).cliName(), config.key(), datasetChecksum);
    }

    /** The settings a stored model was trained with, from its {@code meta.json} (any version's). */
    public static Settings config(ModelMeta meta) {
        ParamSet set = meta.kind() == ModelMeta.Kind.AUTOENCODER ? AutoencoderConfig.PARAMS : ClassifierConfig.PARAMS;
        if (meta.config() == null) {
            throw new DataException("model " + meta.id() + ": its stored metadata has no configuration");
        }
        return set.fromMap(meta.config().values(), "model " + meta.id(), meta.legacy());
    }

    /** A stored autoencoder's family: as its metadata says, or (an earlier version's) as its settings do. */
    public static dev.aerobust.model.Family family(ModelMeta meta) {
        return meta.family() != null ? meta.family() : config(meta).get(AutoencoderConfig.FAMILY);
    }

    /**
     * The architecture of a stored autoencoder whose metadata does not record it (an earlier version's): the one
     * its settings give ({@link dev.aerobust.store.StoredModels#autoencoder}).
     */
    public static Autoencoder.Spec legacyArchitecture(ModelMeta meta) {
        return AutoencoderConfig.spec(config(meta));
    }

    /**
     * The stored model with this (current) id, whole: the id itself, or the id an earlier version gave the same
     * model. Earlier versions hashed every field of their configuration records, speed settings included; their
     * models keep their ids, found here by recomputing the current id from their stored configuration.
     */
    public static Optional<String> find(ModelStore store, String id) {
        if (store.has(id)) {
            return store.find(id);
        }
        return Optional.ofNullable(legacyIds(store).get(id));
    }

    /** Per store folder and store version: the current ids of the models earlier versions stored. */
    private static final Map<String, Map<String, String>> LEGACY = new java.util.concurrent.ConcurrentHashMap<>();

    private static Map<String, String> legacyIds(ModelStore store) {
        return LEGACY.computeIfAbsent(store.root().toAbsolutePath() + "|" + store.version(), k -> {
            Map<String, String> m = new HashMap<>();
            for (ModelMeta meta : store.list()) {
                if (meta.legacy()) {
                    try {
                        String checksum = meta.provenance() == null ? "" : meta.provenance().datasetChecksum();
                        m.putIfAbsent(id(config(meta), checksum), meta.id());
                    } catch (AerobustException e) {
                        LOG.warn("model {}: cannot read its configuration ({}); it is not matched to a current id",
                                meta.id(), e.getMessage());
                    }
                }
            }
            return m;
        });
    }
}
