package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.util.Progress;

/**
 * An attack that works on chunks of (image, eps) rows, each with its own budget ({@link Rows}): its members'
 * shape, which {@link AutoAttack} runs on the subsets of rows still correct. The chunking, the chunk store, the
 * invariant checks and the progress bar are shared here.
 */
interface RowAttack extends Attack {

    /**
     * Attacks the rows {@code x0} (labels {@code y}, budgets {@code eps}); returns the kept iterates and fills
     * {@code marginsOut} with their margins. {@code bar} (may be null) counts work from {@code done}.
     */
    Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar, long done);

    /** The attack's margins at rows it does not move (eps 0); the plain margin unless it averages draws. */
    default double[] unmovedMargins(LogitsModel model, Tensor x0, Tensor y) {
        return Margins.at(model, x0, y, 1);
    }

    /** The work one row costs, in the progress bar's units. */
    long workPerRow();

    /** Whether a run draws a progress bar. */
    boolean progress();

    @Override
    default AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        return run(model, x, labels, eps, null);
    }

    @Override
    default AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps, ChunkStore store) {
        long work = workPerRow();
        Progress bar = progress() ? new Progress(name(), x.size(0) * eps.length * work) : null;
        return Rows.run(name(), x, labels, eps, settings().get(AttackConfig.BATCH_ROWS), work, bar,
                (x0, y, es, margins, done) -> rows(model, x0, y, es, margins, bar, done),
                (x0, y) -> unmovedMargins(model, x0, y), store);
    }
}
