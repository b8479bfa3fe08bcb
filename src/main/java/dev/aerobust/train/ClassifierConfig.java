package dev.aerobust.train;

import static dev.aerobust.config.Common.DATASET;
import static dev.aerobust.config.Common.SEED;
import static dev.aerobust.train.TrainParams.BATCH;
import static dev.aerobust.train.TrainParams.CLIP_NORM;
import static dev.aerobust.train.TrainParams.DECAY_NORM;
import static dev.aerobust.train.TrainParams.EPOCHS;
import static dev.aerobust.train.TrainParams.LR;
import static dev.aerobust.train.TrainParams.LR_FACTOR;
import static dev.aerobust.train.TrainParams.LR_PATIENCE;
import static dev.aerobust.train.TrainParams.PATIENCE;
import static dev.aerobust.train.TrainParams.VAL_SIZE;
import static dev.aerobust.train.TrainParams.WEIGHT_DECAY;

import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.nn.Precision;

/**
 * How a classifier is trained (system.md section 2, authors' code), with a plateau schedule on top: the
 * settings are the training loop's ({@link TrainParams}). Fashion-MNIST's validation accuracy climbs slowly and
 * noisily at lr 1e-4 (a first run with the MNIST schedule dropped the rate at epoch 34 while it was still
 * improving and ended at 91.1% test accuracy), so it waits 6 epochs before a drop and 12 before stopping.
 */
public final class ClassifierConfig {

    public static final String KIND = "classifier";

    public static final Param<Precision> PRECISION = Param.choice("precision", Precision.class,
            "Arithmetic of the training passes: fp32, or bf16 autocast (convolutions and matrix products in"
                    + " bfloat16, on AMX where the CPU has it: the step about 1.5x faster here); the loss, the weights"
                    + " and their updates, the validation and every recorded accuracy stay fp32.")
            .defaultsTo(Precision.FP32).keyOmits(Precision.FP32).build();

    public static final ParamSet PARAMS = ParamSet.of(KIND).context(DATASET)
            .add(SEED, EPOCHS, PATIENCE, BATCH, LR, WEIGHT_DECAY, DECAY_NORM, CLIP_NORM, LR_FACTOR, LR_PATIENCE,
                    VAL_SIZE, PRECISION)
            .build();

    private ClassifierConfig() {
    }

    /** The study's settings for a dataset. */
    public static Settings defaults(DatasetId d) {
        return PARAMS.defaults(DATASET, d);
    }
}
