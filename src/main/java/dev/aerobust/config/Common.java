package dev.aerobust.config;

import dev.aerobust.data.DatasetId;

/**
 * The settings every kind of run has, defined once: training (a classifier's, an autoencoder's) and evaluation
 * name the same {@code dataset} and {@code seed}. An evaluation takes the dataset from the attacked model
 * ({@link ParamSet.Builder#fromModel}).
 */
public final class Common {

    private Common() {
    }

    public static final Param<DatasetId> DATASET = Param.choice("dataset", DatasetId.class, "The dataset.")
            .defaultsTo(DatasetId.MNIST).build();

    public static final Param<Long> SEED = Param.longInt("seed", "The one seed of the run, behind everything it"
            + " draws: in training, shuffling, noise, dropout and initialisation; in an attack, random starts,"
            + " sampling draws and BTSC's attack set.").defaultsTo(0L).build();
}
