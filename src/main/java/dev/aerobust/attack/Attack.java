package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;

/**
 * An attack, configured once and called on a model, inputs, labels and budgets (Foolbox's shape). It returns,
 * for each eps, the adversarial inputs, a success matrix [eps x inputs] and margins. Implementations check the
 * hard invariants on every output before returning it.
 */
public interface Attack {

    /** Its settings ({@link AttackConfig}). */
    Settings settings();

    /** A short name, as the CLI and the result records spell it. */
    default String name() {
        return settings().get(AttackConfig.ATTACK).label();
    }

    AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps);

    /**
     * What the attack costs per image and eps at most, in gradient steps through the model (a forward and a
     * backward pass; a forward pass alone is a third of one, an averaged draw of a randomized defense counts as a
     * step): what a sweep's estimates are made of. Eps nesting and rows leaving the batch make a run cheaper than
     * this, and the estimates learn how much cheaper from the records.
     */
    double cost();

    /**
     * The same, keeping finished chunks of rows in {@code store} so a killed run resumes at its chunk; attacks
     * that do not work in chunks (the minimal-perturbation ones) run whole.
     */
    default AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps, ChunkStore store) {
        return run(model, x, labels, eps);
    }

    /**
     * Whether the attack takes the randomized (sampled) defense itself, as EOT does; otherwise it is given the
     * deterministic surrogate (sampling off, z = mu).
     */
    default boolean attacksRandomizedModel() {
        return false;
    }

    /** What determines its results, as the run key of its records holds it. */
    default dev.aerobust.config.SettingMap key() {
        return AttackConfig.key(settings());
    }

    /**
     * The same attack with twice the steps, for the convergence check; null for the minimal-perturbation
     * attacks, which stop when they succeed.
     */
    default Attack doubled() {
        AttackKind k = settings().get(AttackConfig.ATTACK);
        if (!k.cw() && !k.pgd() && !k.apgd()) {
            return null;
        }
        return AttackConfig.create(settings().with(AttackConfig.STEPS, 2 * settings().get(AttackConfig.STEPS)),
                false);
    }
}
