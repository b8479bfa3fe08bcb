package dev.aerobust.attack;

import java.util.Map;

import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.SettingMap;
import dev.aerobust.config.Settings;

/**
 * Every attack's settings, each defined once, with the attacks it applies to. The run key of an attack's
 * records holds its identity settings ({@link #key}); the rows per batch are a speed setting.
 */
public final class AttackConfig {

    private AttackConfig() {
    }

    private static AttackKind kind(Settings s) {
        return s.get(ATTACK);
    }

    public static final Param<AttackKind> ATTACK = Param.choice("attack", AttackKind.class, "The attack.")
            .defaultsTo(AttackKind.CW_LINF).build();

    public static final Param<Integer> STEPS = Param.integer("steps",
            "Optimisation steps (CW: Adam steps per search step; PGD and APGD: per restart and target; DeepFool:"
                    + " most linearisations; FAB-T: iterations per target; Square: queries of the model per image).")
            .check(v -> v >= 1, "an integer >= 1")
            .appliesTo(s -> kind(s) != AttackKind.AUTOATTACK, "every attack but autoattack, whose members run at"
                    + " the settings of their papers")
            .defaultsTo(s -> kind(s) == AttackKind.DEEPFOOL ? 50 : kind(s) == AttackKind.SQUARE ? 5000 : 100)
            .build();

    public static final Param<Double> LR = Param.real("lr",
            "Adam learning rate (cw-linf: in [0, 1] pixel units, 0.05 is the study's 0.1 on [-1, 1]; cw-l2: on"
                    + " the tanh variable).")
            .check(v -> v > 0, "a number > 0")
            .appliesTo(s -> kind(s).cw() || kind(s) == AttackKind.CW_L2, "cw-linf, cw-linf-authors and cw-l2")
            .defaultsTo(s -> kind(s) == AttackKind.CW_L2 ? 0.01 : 0.05).build();

    public static final Param<Double> GAMMA = Param.real("gamma", "Weight of the margin term of the CW loss.")
            .check(v -> v > 0, "a number > 0").appliesTo(s -> kind(s).cw(), "cw-linf and cw-linf-authors")
            .defaultsTo(1.0).build();

    public static final Param<Double> KAPPA = Param.real("kappa", "Confidence k: the margin is clamped at -k.")
            .check(v -> v >= 0, "a number >= 0")
            .appliesTo(s -> kind(s).cw() || kind(s) == AttackKind.CW_L2, "cw-linf, cw-linf-authors and cw-l2")
            .defaultsTo(0.0).build();

    public static final Param<Double> STEP_FACTOR = Param.real("step_factor",
            "PGD step size as a multiple of eps / steps (2.5, as Madry et al.).").check(v -> v > 0, "a number > 0")
            .appliesTo(s -> kind(s).pgd(), "pgd and eot-pgd").defaultsTo(2.5).build();

    public static final Param<Integer> RESTARTS = Param.integer("restarts",
            "Random restarts; each input keeps its best (APGD and Square restart only the inputs not yet fooled).")
            .check(v -> v >= 1, "an integer >= 1")
            .appliesTo(s -> kind(s).pgd() || kind(s).apgd() || kind(s) == AttackKind.SQUARE,
                    "pgd, eot-pgd, apgd-ce, apgd-dlr, apgd-t and square")
            .defaultsTo(1).build();

    public static final Param<Integer> EOT_DRAWS = Param.integer("eot_draws",
            "Draws of the randomized defense averaged per gradient (APGD: 1 attacks the deterministic surrogate,"
                    + " more attack the sampled defense as deployed).")
            .check(v -> v >= 1, "an integer >= 1")
            .appliesTo(s -> kind(s) == AttackKind.EOT_PGD || kind(s).apgd(), "eot-pgd, apgd-ce, apgd-dlr and apgd-t")
            .defaultsTo(s -> kind(s) == AttackKind.EOT_PGD ? 10 : 1).build();

    public static final Param<Integer> TARGETS = Param.integer("targets",
            "APGD-T's and FAB-T's target classes: the highest clean logits after the first; one run per target.")
            .unit("classes").check(v -> v >= 1, "an integer >= 1")
            .appliesTo(s -> kind(s) == AttackKind.APGD_T || kind(s) == AttackKind.FAB_T, "apgd-t and fab-t")
            .defaultsTo(9).build();

    public static final Param<AutoAttack.Version> VERSION = Param.choice("version", AutoAttack.Version.class,
            "AutoAttack's ensemble: standard (APGD-CE, APGD-T, FAB-T, Square), rand (APGD-CE and APGD-DLR with EOT"
                    + " over 20 draws, for a randomized defense) or fast (APGD-CE, APGD-T).")
            .appliesTo(s -> kind(s) == AttackKind.AUTOATTACK, "autoattack").defaultsTo(AutoAttack.Version.STANDARD)
            .build();

    /** How a gradient crosses the purifier. */
    public enum Gradient { FULL, BPDA }

    public static final Param<Gradient> GRADIENT = Param.choice("gradient", Gradient.class,
            "How the attack's gradient crosses the autoencoder: full (back-propagated through it, the white-box"
                    + " attack) or bpda (forward through it, backward as the identity: Athalye et al. 2018's"
                    + " approximation, for a purifier whose gradient is masked).")
            .appliesTo(s -> kind(s).cw() || kind(s).pgd() || kind(s).apgd() || kind(s) == AttackKind.FAB_T,
                    "cw-linf, cw-linf-authors, pgd, eot-pgd, apgd-ce, apgd-dlr, apgd-t and fab-t")
            .defaultsTo(Gradient.FULL).keyOmits(Gradient.FULL).build();

    public static final Param<dev.aerobust.nn.Precision> PRECISION = Param.choice("precision",
            dev.aerobust.nn.Precision.class, "Arithmetic of the attack's passes through the model: fp32, or bf16"
                    + " autocast (convolutions and matrix products in bfloat16, on AMX where the CPU has it; about 2x"
                    + " faster here). Either way the accuracies recorded are computed in fp32 on the adversarial"
                    + " images found.")
            .defaultsTo(dev.aerobust.nn.Precision.FP32).keyOmits(dev.aerobust.nn.Precision.FP32).build();

    public static final Param<Boolean> NEST_EPS = Param.bool("nest_eps",
            "Attack the eps values in increasing order, each only on the images no smaller eps fooled: an"
                    + " adversarial example found at a smaller eps lies inside every larger box, so it is checked"
                    + " there first and kept where it still fools. Robust accuracy can only fall, and a run costs"
                    + " what the images still correct cost; the records say how many images each eps attacked. Off"
                    + " by default, so the records of runs made before it existed keep their keys; the study's"
                    + " profiles turn it on.")
            .appliesTo(s -> (kind(s).pgd() || kind(s).apgd() || kind(s) == AttackKind.SQUARE
                    || kind(s) == AttackKind.FAB_T || kind(s) == AttackKind.AUTOATTACK) && draws(s) <= 1,
                    "pgd, apgd-ce, apgd-dlr, apgd-t, square, fab-t and autoattack on the deterministic model (the"
                            + " study's cw-linf attacks every row; on a randomized defense an example that fooled the"
                            + " attack's draws at a smaller eps need not fool the evaluation's)")
            .defaultsTo(false).keyOmits(false).build();

    public static final Param<Double> P_INIT = Param.real("p_init",
            "Square's first fraction of the image a square covers, halved on the paper's schedule.")
            .check(v -> v > 0 && v <= 1, "a number in (0, 1]")
            .appliesTo(s -> kind(s) == AttackKind.SQUARE, "square").defaultsTo(0.8).build();

    public static final Param<Double> OVERSHOOT = Param.real("overshoot", "DeepFool's multiplicative overshoot.")
            .check(v -> v >= 0, "a number >= 0").appliesTo(s -> kind(s) == AttackKind.DEEPFOOL, "deepfool")
            .defaultsTo(0.02).build();

    public static final Param<Integer> CANDIDATES = Param.integer("candidates",
            "DeepFool's candidate classes: the highest logits at the clean input (all classes if fewer).")
            .unit("classes").appliesTo(s -> kind(s) == AttackKind.DEEPFOOL, "deepfool").defaultsTo(10).build();

    public static final Param<Integer> SEARCH_STEPS = Param.integer("search_steps",
            "Binary-search steps over the constant c.").appliesTo(s -> kind(s) == AttackKind.CW_L2, "cw-l2")
            .defaultsTo(9).build();

    public static final Param<Double> INITIAL_CONST = Param.real("initial_const", "The first constant c.")
            .check(v -> v > 0, "a number > 0").appliesTo(s -> kind(s) == AttackKind.CW_L2, "cw-l2")
            .defaultsTo(1e-2).build();

    /**
     * The images one pass of an attack that averages draws holds by default (rows x draws): at one thread, 500
     * rows of 10 draws ran faster than 2000 (61.4 s against 67.7 s) at a quarter of the memory (2.7 GB against
     * 10.6 GB peak), docs/performance.md change 26.
     */
    static final int DRAWN_PASS_IMAGES = 5000;

    /** The draws of the randomized defense an attack averages per gradient (1: it draws none). */
    static int draws(Settings s) {
        AttackKind k = kind(s);
        if (k == AttackKind.EOT_PGD || k.apgd()) {
            return s.get(EOT_DRAWS);
        }
        return k == AttackKind.AUTOATTACK && s.get(VERSION) == AutoAttack.Version.RAND ? AutoAttack.RAND_DRAWS : 1;
    }

    public static final Param<Integer> BATCH_ROWS = Param.integer("batch_rows",
            "Rows (image x eps pairs) per batch; an attack that averages draws passes rows x draws images through"
                    + " the model at once, so its default holds " + DRAWN_PASS_IMAGES + " images. Random starts and"
                    + " draws are seeded chunk by chunk: another batch size draws other numbers.").unit("rows")
            .speed().appliesTo(s -> kind(s).chunked(), "every attack but deepfool and cw-l2")
            .defaultsTo(s -> draws(s) > 1 ? Math.max(1, DRAWN_PASS_IMAGES / draws(s)) : 2000).build();

    public static final Param<Boolean> COMPACT_ROWS = Param.bool("compact_rows",
            "Let a row leave the batch once it is fooled (its margin below zero; under every draw, for EOT), so"
                    + " later iterations pass only the rows still correct through the model. Robust rows come out"
                    + " the same as with every row kept to the end, and every verdict is the same; false keeps"
                    + " every row (to measure what leaving saves). Off by default under EOT (a randomized"
                    + " defense): a row fooled under the attack's draws is not fooled under every later draw, and"
                    + " kept to the end its example goes on lowering the mean margin (measured on the DVAE's sampled"
                    + " defense: mean robust accuracy 0.026 kept, 0.122 left early, at eps 0.25).")
            .speed().appliesTo(s -> kind(s).pgd() || kind(s).apgd(), "pgd, eot-pgd, apgd-ce, apgd-dlr and apgd-t")
            .defaultsTo(s -> draws(s) <= 1).build();

    public static final ParamSet PARAMS = ParamSet.of("attack").context(ATTACK)
            .add(STEPS, LR, GAMMA, KAPPA, STEP_FACTOR, RESTARTS, EOT_DRAWS, TARGETS, VERSION, GRADIENT, PRECISION,
                    NEST_EPS, P_INIT, OVERSHOOT, CANDIDATES, SEARCH_STEPS, INITIAL_CONST, BATCH_ROWS, COMPACT_ROWS)
            .build();

    /** The settings of {@code kind} with the given (param, value) pairs and defaults for the rest. */
    public static Settings of(AttackKind kind, Object... pairs) {
        Object[] all = new Object[pairs.length + 2];
        all[0] = ATTACK;
        all[1] = kind;
        System.arraycopy(pairs, 0, all, 2, pairs.length);
        return PARAMS.defaults(all);
    }

    /** The attack these settings describe; {@code progress} draws a progress bar. */
    public static Attack create(Settings s, boolean progress) {
        return switch (kind(s)) {
            case CW_LINF, CW_LINF_AUTHORS -> new CwLinf(s, progress);
            case PGD, EOT_PGD -> new Pgd(s, progress);
            case DEEPFOOL -> new DeepFool(s);
            case CW_L2 -> new CwL2(s);
            case APGD_CE, APGD_DLR, APGD_T -> new Apgd(s, progress);
            case SQUARE -> new Square(s, progress);
            case FAB_T -> new Fab(s, progress);
            case AUTOATTACK -> new AutoAttack(s, progress);
        };
    }

    /** Whether the attack's gradient crosses the purifier by BPDA. */
    public static boolean bpda(Settings s) {
        return s.applies(GRADIENT) && s.get(GRADIENT) == Gradient.BPDA;
    }

    /**
     * The model as {@code s} attacks it: in its precision ({@link #PRECISION}), logits back in fp32. The same
     * model in fp32.
     */
    public static dev.aerobust.model.LogitsModel inPrecision(Settings s, dev.aerobust.model.LogitsModel m) {
        dev.aerobust.nn.Precision p = s.get(PRECISION);
        if (p == dev.aerobust.nn.Precision.FP32) {
            return m;
        }
        return new dev.aerobust.model.LogitsModel() {
            @Override
            public org.bytedeco.pytorch.Tensor logits(org.bytedeco.pytorch.Tensor x) {
                return p.apply(m::logits, x);
            }

            @Override
            public void freeze() {
                m.freeze();
            }
        };
    }

    /**
     * The attack as a report names it: its label and every identity setting away from its default, as in
     * {@code apgd-t (targets 3)}, {@code apgd-ce (eot_draws 10)}, {@code autoattack (version rand)}; eps nesting,
     * which changes what a run costs and not what it finds, is left out.
     */
    public static String describe(Settings s) {
        Settings plain = PARAMS.defaults(ATTACK, kind(s));
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (Map.Entry<String, Object> e : s.key().values().entrySet()) {
            if (e.getKey().equals(ATTACK.name()) || e.getKey().equals(NEST_EPS.name())) {
                continue;
            }
            if (!java.util.Objects.equals(e.getValue(), plain.key().get(e.getKey()))) {
                parts.add(e.getKey() + " " + e.getValue());
            }
        }
        return kind(s).label() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")");
    }

    /**
     * The settings a record's run key holds ({@code attack}, and its {@code attack_config}), read through the
     * attacks' own definitions; what the kind itself fixes, and any key an earlier version wrote that no setting
     * has now, is left out. A record of an attack aerobust does not know is bad data.
     */
    public static Settings fromRecord(String attack, SettingMap config) {
        SettingMap raw = (config == null ? SettingMap.EMPTY : config).with(ATTACK.name(), attack);
        return PARAMS.fromMap(raw.values(), "attack record", true);
    }

    /** What determines the attack's results, for its records' run key: its identity settings. */
    static SettingMap key(Settings s) {
        return s.key().without(ATTACK.name()).with(kind(s).fixed());
    }
}
