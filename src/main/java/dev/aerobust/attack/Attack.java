package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.LogitsModel;

/**
 * An attack, configured once and called on a model, inputs, labels and budgets (Foolbox's shape). It returns,
 * for each eps, the adversarial inputs, a success matrix [eps x inputs] and margins. Implementations check the
 * hard invariants on every output before returning it.
 */
public interface Attack {

    /** A short name, as the CLI and the result records spell it. */
    String name();

    AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps);

    /**
     * Whether the attack takes the randomized (sampled) defense itself, as EOT does; otherwise it is given the
     * deterministic surrogate (sampling off, z = mu).
     */
    default boolean attacksRandomizedModel() {
        return false;
    }

    /**
     * The settings that determine its results, as the result records and their run key hold them.
     */
    java.util.Map<String, Object> settings();

    /** The same attack with twice the steps, for the convergence check; null where that has no meaning. */
    default Attack doubled() {
        return null;
    }
}
