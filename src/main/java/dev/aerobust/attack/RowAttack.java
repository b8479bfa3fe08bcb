package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.util.Progress;

/**
 * An attack that works on a chunk of (image, eps) rows, each with its own budget: what {@link AutoAttack} runs
 * its members on, row subset by row subset.
 */
interface RowAttack extends Attack {

    /**
     * Attacks the rows {@code x0} (labels {@code y}, budgets {@code eps}); returns the kept iterates and fills
     * {@code marginsOut} with their margins. {@code bar} (may be null) counts work from {@code done}.
     */
    Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar, long done);
}
