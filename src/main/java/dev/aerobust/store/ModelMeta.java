package dev.aerobust.store;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.config.SettingMap;
import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;

/**
 * A stored model's {@code meta.json}, typed: what it is (kind, family, dataset, architecture), the identity
 * settings its id is made of ({@code config}, by name, as the settings' own definitions write them) and its speed
 * settings apart, its provenance, its training curve, its final metrics and its weights' checksum. An imported
 * TorchScript module has a {@code format} and {@code source} instead of a configuration and a training. Files of
 * earlier versions read too: no schema, no architecture (a reader rebuilds it from the configuration).
 *
 * @param schema        {@link ModelStore#SCHEMA}; absent in files of earlier versions
 * @param id            the model's id, its folder's name
 * @param kind          classifier or autoencoder
 * @param family        an autoencoder's family
 * @param dataset       the dataset it was trained on (or imported for)
 * @param config        the identity settings, by name
 * @param speed         the speed settings it was trained with, by name
 * @param provenance    versions, threads, time, seed, dataset checksum
 * @param architecture  an autoencoder's architecture: what rebuilds it before its weights are loaded
 * @param training      the training's epochs, curve and time
 * @param metrics       the final metrics
 * @param format        {@code torchscript} for an imported module
 * @param source        the file an imported module came from
 * @param encode        whether an imported autoencoder exports {@code encode}
 * @param latent        the size of an imported autoencoder's latent code
 * @param weights       what the weights file is, in words
 * @param weightsSha256 the weights file's SHA-256, checked on every load
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelMeta(Integer schema, String id, Kind kind, Family family, DatasetId dataset,
                        SettingMap config, SettingMap speed, Provenance provenance,
                        Autoencoder.Spec architecture, Training training, Metrics metrics, String format,
                        String source, Boolean encode, Long latent, String weights, String weightsSha256) {

    /** What a weights file holds, as every trained model's metadata says it. */
    public static final String WEIGHTS_TEXT = ModelStore.WEIGHTS
            + " (TorchScript archive; Python: torch.jit.load(p).state_dict())";
    /** The format of an imported TorchScript module. */
    public static final String TORCHSCRIPT = "torchscript";

    /** The two kinds of model the store holds. */
    public enum Kind {
        CLASSIFIER, AUTOENCODER;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.label().equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown model kind '" + s + "' (known: classifier, autoencoder)");
        }
    }

    /**
     * A training run: epochs run, the best one and its validation metric, whether it stopped early, its wall time
     * and its curve.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Training(int epochs, int bestEpoch, double bestVal, boolean earlyStopped, double seconds,
                           List<Epoch> curve) {
    }

    /** One epoch of a training curve: its training losses by name, its validation metric, time and learning rate. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Epoch(int epoch, Map<String, Double> train, double val, double seconds, double lr) {
    }

    /**
     * A model's final metrics on the test set: a classifier's clean accuracy; an autoencoder's reconstruction
     * error (clean and noisy), its negative ELBO (variational) and the clean accuracy of the stack on a classifier.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metrics(Double cleanAccuracy, Integer testImages, Double reconMseTest, Double reconMseTestNoisy,
                          Double negElboTest, Double stackedCleanAccuracy, String stackedClassifier) {

        /** A classifier's metrics. */
        public static Metrics classifier(double cleanAccuracy, int testImages) {
            return new Metrics(cleanAccuracy, testImages, null, null, null, null, null);
        }

        /** The accuracy a list shows for a model: the stack's where it has one, else the model's own. */
        public Double headline() {
            return stackedCleanAccuracy != null ? stackedCleanAccuracy : cleanAccuracy;
        }
    }

    /** Whether the model is a user's TorchScript module. */
    public boolean scripted() {
        return TORCHSCRIPT.equals(format);
    }

    public boolean autoencoder() {
        return kind == Kind.AUTOENCODER;
    }

    /** Whether it was written by an earlier version (no schema): its configuration is read the old way. */
    public boolean legacy() {
        return schema == null;
    }

    /** The same metadata with the weights' checksum. */
    public ModelMeta withWeightsSha256(String sha) {
        return new ModelMeta(schema, id, kind, family, dataset, config, speed, provenance, architecture, training,
                metrics, format, source, encode, latent, weights, sha);
    }

    /** The metadata of a model trained now: the current schema, the weights described. */
    public static ModelMeta trained(String id, Kind kind, Family family, DatasetId dataset, SettingMap config,
                                    SettingMap speed, Provenance provenance, Autoencoder.Spec architecture,
                                    Training training, Metrics metrics) {
        return new ModelMeta(ModelStore.SCHEMA, id, kind, family, dataset, config, speed, provenance, architecture,
                training, metrics, null, null, null, null, WEIGHTS_TEXT, null);
    }

    /** The metadata of an imported TorchScript module. */
    public static ModelMeta imported(String id, Kind kind, DatasetId dataset, String source, Boolean encode,
                                     Long latent, Provenance provenance, Metrics metrics) {
        return new ModelMeta(ModelStore.SCHEMA, id, kind, null, dataset, null, null, provenance, null, null, metrics,
                TORCHSCRIPT, source, encode, latent, null, null);
    }
}
