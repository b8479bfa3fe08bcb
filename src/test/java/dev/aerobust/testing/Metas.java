package dev.aerobust.testing;

import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.train.AutoencoderConfig;

/** Metadata of models the tests store by hand (fresh weights, no training). */
public final class Metas {

    private Metas() {
    }

    /** A classifier of {@code d}, without configuration or metrics. */
    public static ModelMeta classifier(String id, DatasetId d) {
        return ModelMeta.trained(id, ModelMeta.Kind.CLASSIFIER, null, d, null, null, null, null, null, null);
    }

    /** An autoencoder trained (so its metadata says) with {@code cfg}: its family, configuration, architecture. */
    public static ModelMeta autoencoder(String id, Settings cfg) {
        return ModelMeta.trained(id, ModelMeta.Kind.AUTOENCODER, cfg.get(AutoencoderConfig.FAMILY),
                cfg.get(Common.DATASET), cfg.identity(), cfg.speed(), null, AutoencoderConfig.spec(cfg), null, null);
    }
}
