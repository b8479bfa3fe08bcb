package dev.aerobust.train;

import dev.aerobust.config.Param;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;

/**
 * The settings every training run has (system.md sections 2 and 3, authors' code), each defined once. A default
 * that differs between the classifier and the autoencoders reads which of the two is being configured.
 */
public final class TrainParams {

    private TrainParams() {
    }

    static boolean classifier(Settings s) {
        return ClassifierConfig.KIND.equals(s.set().kind());
    }

    static DatasetId dataset(Settings s) {
        return s.get(dev.aerobust.config.Common.DATASET);
    }

    public static final Param<Integer> EPOCHS = Param.integer("epochs",
            "Most epochs; early stopping on the validation metric ends training sooner.").unit("epochs")
            .alias("maxEpochs").defaultsTo(s -> classifier(s) ? 80 : 60).build();

    public static final Param<Integer> PATIENCE = Param.integer("patience",
            "Epochs without a better validation metric before training stops.").unit("epochs")
            .defaultsTo(s -> !classifier(s) ? 5 : dataset(s) == DatasetId.BTSC ? 8 : 12).build();

    public static final Param<Integer> BATCH = Param.integer("batch", "Images per training batch.").unit("images")
            .defaultsTo(s -> !classifier(s) ? 128 : dataset(s) == DatasetId.BTSC ? 32 : 100).build();

    public static final Param<Double> LR = Param.real("lr", "Adam learning rate.")
            .check(v -> v > 0, "a number > 0").defaultsTo(1e-4).build();

    public static final Param<Double> WEIGHT_DECAY = Param.real("weight_decay",
            "Coupled L2 weight decay on the conv and dense weights and biases.")
            .check(v -> v >= 0, "a number >= 0").defaultsTo(s -> classifier(s) ? 1e-3 : 1e-2).build();

    public static final Param<Double> CLIP_NORM = Param.real("clip_norm",
            "Clip the gradient to this global norm (0: no clipping).")
            .check(v -> v >= 0, "a number >= 0")
            .defaultsTo(s -> classifier(s) && dataset(s) == DatasetId.BTSC ? 100.0 : 0.0).build();

    public static final Param<Double> LR_FACTOR = Param.real("lr_factor",
            "Multiply the learning rate by this on a validation plateau (1: constant rate).")
            .check(v -> v > 0 && v <= 1, "a number in (0, 1]").legacyAbsent(1.0)
            .defaultsTo(s -> classifier(s) ? 0.3 : 1.0).build();

    public static final Param<Integer> LR_PATIENCE = Param.integer("lr_patience",
            "Epochs without a better validation metric before the learning rate drops (0: never).")
            .unit("epochs").check(v -> v >= 0, "an integer >= 0").legacyAbsent(0)
            .defaultsTo(s -> !classifier(s) ? 0 : dataset(s) == DatasetId.BTSC ? 4 : 6).build();

    public static final Param<Boolean> DECAY_NORM = Param.bool("decay_norm",
            "Apply the weight decay to the batch-norm scale and shift too (the authors' Keras regularisers sat on"
                    + " conv and dense layers only).")
            .appliesTo(TrainParams::classifier, "the classifier").legacyAbsent(true).build();

    public static final Param<Integer> VAL_SIZE = Param.integer("val_size",
            "Training images held out for validation.").unit("images")
            .appliesTo(s -> dataset(s) != DatasetId.BTSC, "mnist and fashion-mnist (btsc holds out 20% of each"
                    + " class's tracks)")
            .defaultsTo(5000).build();
}
