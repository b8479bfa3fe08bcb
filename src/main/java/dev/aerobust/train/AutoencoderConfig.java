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
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Precision;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * How an autoencoder defense is trained (system.md section 3). Noise, variance floor and contractive weights
 * are given in the study's [-1, 1] units, as the study labels them; {@link Units} converts them.
 */
public final class AutoencoderConfig {

    public static final String KIND = "autoencoder";

    private static Family family(Settings s) {
        return s.get(FAMILY);
    }

    public static final Param<Family> FAMILY = Param.choice("family", Family.class,
            "The autoencoder family.").defaultsTo(Family.AE).build();

    public static final Param<Double> STP = Param.real("stp", "Std of the Gaussian noise added to training inputs.")
            .unit("study's [-1, 1] units: 0.4 is a std of 0.2 on [0, 1] pixels")
            .check(v -> v >= 0, "a number >= 0").defaultsTo(0.4).build();

    public static final Param<Boolean> DENOISING = Param.bool("denoising",
            "Train to denoise (target = the clean image) rather than on noise-augmented data.")
            .appliesTo(s -> family(s).contractive(), "cae and cvae (the other families fix it)")
            .defaultsTo(s -> family(s).denoising()).build();

    public static final Param<Boolean> CLIP_NOISE = Param.bool("clip_noise",
            "Clip the noisy input to the data range [0, 1].").defaultsTo(true).build();

    public static final Param<Double> ALPHA = Param.real("alpha",
            "Weight of the contractive penalty ||d mu / d x||_F^2 (d h / d x for the CAE).")
            .unit("study's units; divided by 4 on [0, 1] pixels").check(v -> v >= 0, "a number >= 0")
            .appliesTo(s -> family(s).contractive(), "cae and cvae")
            .defaultsTo(s -> family(s).contractive() ? 0.1 : 0.0).build();

    public static final Param<Double> BETA = Param.real("beta",
            "Weight of the contractive penalty on the variance, ||d sigma^2 / d x||_F^2.")
            .unit("study's units").check(v -> v >= 0, "a number >= 0")
            .appliesTo(s -> family(s) == Family.CVAE, "cvae").defaultsTo(0.0).build();

    public static final Param<Integer> SAMPLES = Param.integer("samples",
            "Latent samples per input in the ELBO.").appliesTo(s -> family(s).variational(), "vae, dvae and cvae")
            .defaultsTo(10).build();

    public static final Param<Integer> WARMUP_EPOCHS = Param.integer("warmup_epochs",
            "Epochs of linear KL warm-up (0: none).").unit("epochs").check(v -> v >= 0, "an integer >= 0")
            .appliesTo(s -> family(s).variational(), "vae, dvae and cvae").defaultsTo(5).build();

    public static final Param<Autoencoder.DecoderMean> DECODER_MEAN = Param.choice("decoder_mean",
            Autoencoder.DecoderMean.class, "The decoder's mean: a sigmoid in [0, 1], or the authors' identity.")
            .defaultsTo(Autoencoder.DecoderMean.SIGMOID).build();

    public static final Param<Double> VARIANCE_FLOOR = Param.real("variance_floor",
            "Floor of the decoder's variance.").unit("study's units; divided by 4 on [0, 1] pixels")
            .check(v -> v > 0, "a number > 0")
            .appliesTo(s -> family(s).variational(), "vae, dvae and cvae").defaultsTo(0.01).build();

    public static final Param<Integer> LATENT = Param.integer("latent", "Size of the latent code.")
            .defaultsTo(Autoencoder.LATENT).build();

    public static final Param<Integer> JACOBIAN_CHUNK = Param.integer("jacobian_chunk",
            "Images per pass of the exact contractive penalty.").unit("images").speed()
            .appliesTo(s -> family(s).contractive(), "cae and cvae").defaultsTo(s -> s.get(BATCH)).build();

    public static final Param<Precision> JACOBIAN_PRECISION = Param.choice("jacobian_precision", Precision.class,
            "Arithmetic of the exact contractive penalty's two batched products and the tensors between them: fp32,"
                    + " or bf16 (on AMX where the CPU has it: the penalty's step about 2x faster here; the squares"
                    + " summed in fp32). The rest of the step is always fp32.")
            .appliesTo(s -> family(s).contractive(), "cae and cvae")
            .defaultsTo(Precision.FP32).keyOmits(Precision.FP32).build();

    public static final ParamSet PARAMS = ParamSet.of(KIND).context(DATASET).context(FAMILY)
            .add(SEED, EPOCHS, PATIENCE, BATCH, LR, WEIGHT_DECAY, DECAY_NORM, CLIP_NORM, LR_FACTOR, LR_PATIENCE,
                    VAL_SIZE)
            .add(STP, DENOISING, CLIP_NOISE, ALPHA, BETA, SAMPLES, WARMUP_EPOCHS, DECODER_MEAN, VARIANCE_FLOOR,
                    LATENT, JACOBIAN_PRECISION, JACOBIAN_CHUNK)
            .check(s -> {
                if (family(s).contractive() && s.get(ALPHA) == 0 && s.get(BETA) == 0) {
                    throw new AerobustException(ExitCode.USAGE, family(s).label()
                            + " needs --alpha > 0 (or --beta > 0): it is the contractive family");
                }
            })
            .build();

    private AutoencoderConfig() {
    }

    /** The study's defaults for a family. */
    public static Settings defaults(DatasetId d, Family f) {
        return PARAMS.defaults(DATASET, d, FAMILY, f);
    }

    /** The network the settings describe. */
    public static Autoencoder.Spec spec(Settings s) {
        DatasetId d = s.get(DATASET);
        return new Autoencoder.Spec(d.channels(), d.height(), d.width(), s.get(LATENT), family(s).variational(),
                s.get(DECODER_MEAN), Units.variance(s.get(VARIANCE_FLOOR)));
    }
}
