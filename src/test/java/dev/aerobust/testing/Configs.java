package dev.aerobust.testing;

import static dev.aerobust.config.Common.SEED;
import static dev.aerobust.train.TrainParams.BATCH;
import static dev.aerobust.train.TrainParams.CLIP_NORM;
import static dev.aerobust.train.TrainParams.EPOCHS;
import static dev.aerobust.train.TrainParams.LR;
import static dev.aerobust.train.TrainParams.LR_FACTOR;
import static dev.aerobust.train.TrainParams.LR_PATIENCE;
import static dev.aerobust.train.TrainParams.PATIENCE;
import static dev.aerobust.train.TrainParams.WEIGHT_DECAY;

import dev.aerobust.config.Settings;
import dev.aerobust.train.ClassifierConfig;

/** Training settings for tests that drive the loop directly. */
public final class Configs {

    private Configs() {
    }

    /** A classifier's loop at a constant learning rate. */
    public static Settings constantLr(int batch, double lr, double weightDecay, double clipNorm, int epochs,
                                      int patience, long seed) {
        return ClassifierConfig.PARAMS.defaults(BATCH, batch, LR, lr, WEIGHT_DECAY, weightDecay, CLIP_NORM, clipNorm,
                EPOCHS, epochs, PATIENCE, patience, SEED, seed, LR_FACTOR, 1.0, LR_PATIENCE, 0);
    }

    /** The same with a plateau schedule. */
    public static Settings schedule(int batch, double lr, int epochs, int patience, double lrFactor, int lrPatience,
                                    long seed) {
        return constantLr(batch, lr, 0, 0, epochs, patience, seed).with(LR_FACTOR, lrFactor)
                .with(LR_PATIENCE, lrPatience);
    }
}
