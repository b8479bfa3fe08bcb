package dev.aerobust.eval;

import static dev.aerobust.config.Common.DATASET;
import static dev.aerobust.config.Common.SEED;

import java.util.Arrays;

import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * How an attack run evaluates a model, each setting defined once: the defense mode and its sampling, the attack
 * set and the eps grid (system.md sections 1 and 5).
 */
public final class EvalConfig {

    private EvalConfig() {
    }

    /** The dataset's eps grid: 0.05 to 0.3 (BTSC: 0.005 to 0.03) in steps of a sixth. */
    public static double[] grid(DatasetId d) {
        double unit = d == DatasetId.BTSC ? 0.005 : 0.05;
        double[] g = new double[6];
        Arrays.setAll(g, i -> Math.round(unit * (i + 1) * 1e6) / 1e6);
        return g;
    }

    private static boolean sampled(Settings s) {
        return s.get(DEFENSE) == DefendedClassifier.Mode.SAMPLED;
    }

    public static final Param<DefendedClassifier.Mode> DEFENSE = Param.choice("defense",
            DefendedClassifier.Mode.class, "The defense as deployed: z = mu (deterministic), or z = mu + s sigma e"
                    + " (sampled, variational autoencoders).")
            .only(DefendedClassifier.Mode.DETERMINISTIC, DefendedClassifier.Mode.SAMPLED)
            .defaultsTo(DefendedClassifier.Mode.DETERMINISTIC).build();

    public static final Param<Double> SCALE = Param.real("scale", "Latent scale s of the sampled defense.")
            .check(v -> v > 0, "a number > 0").appliesTo(EvalConfig::sampled, "--defense sampled")
            .defaultsTo(1.0).build();

    public static final Param<Integer> DRAWS = Param.integer("draws",
            "Draws of a sampled defense (each from its own sampling seed) over which its accuracy is averaged"
                    + " (formerly 'samples', still read).").formerly("samples")
            .appliesTo(EvalConfig::sampled, "--defense sampled").defaultsTo(5).build();

    public static final Param<Integer> N = Param.integer("n",
            "Attack-set size: the first n test images (BTSC: n drawn with the seed).").unit("images")
            .defaultsTo(1000).build();

    public static final Param<double[]> EPS = Param.reals("eps",
            "Budgets, comma-separated (L-infinity; L2 for cw-l2).").unit("[0, 1] pixel units")
            .check(v -> v.length > 0 && Arrays.stream(v).allMatch(e -> e >= 0 && Double.isFinite(e)),
                    "numbers >= 0, comma-separated")
            .defaultsTo(s -> grid(s.get(DATASET))).build();

    /**
     * What an evaluation must hold before anything runs, in the settings' own names (a command prefixes its flag,
     * a sweep file its line): an L-infinity budget in [0, 1] (the whole image range; L2 budgets may exceed it), and
     * no more images than MNIST's and Fashion-MNIST's 10,000 test images (BTSC's count is its data's).
     */
    public static void checkBudgets(Settings eval, AttackKind attack) {
        checkBudgets(eval, attack, "");
    }

    /** {@link #checkBudgets(Settings, AttackKind)} with each setting's name after a prefix ("--" for a flag). */
    public static void checkBudgets(Settings eval, AttackKind attack, String prefix) {
        if (!attack.l2Budget()) {
            for (double e : eval.get(EPS)) {
                if (e > 1) {
                    throw new AerobustException(ExitCode.USAGE, prefix + EPS.name() + " must be in [0, 1] for "
                            + attack.label() + ", got " + e);
                }
            }
        }
        DatasetId d = eval.get(DATASET);
        if (d != DatasetId.BTSC && eval.get(N) > FIXED_TEST_IMAGES) {
            throw new AerobustException(ExitCode.USAGE, prefix + N.name() + " " + eval.get(N) + " is more than the "
                    + FIXED_TEST_IMAGES + " test images of " + d.cliName());
        }
    }

    /** The test images of MNIST and of Fashion-MNIST. */
    static final int FIXED_TEST_IMAGES = 10_000;

    public static final ParamSet PARAMS = ParamSet.of("evaluation").context(DATASET).fromModel(DATASET).context(DEFENSE)
            .add(SCALE, DRAWS, N, SEED, EPS).build();
}
