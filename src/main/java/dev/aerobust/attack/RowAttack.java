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

    /**
     * The margins by which a row counts as fooled at {@code x0} (below zero): the plain margin, or for an attack
     * that averages draws of a randomized defense, the margin of its least fooled draw (fooled under every draw).
     * A smaller eps's example is taken at a larger eps only where this is below zero.
     */
    default double[] foolingMargins(LogitsModel model, Tensor x0, Tensor y) {
        return unmovedMargins(model, x0, y);
    }

    /** The work one row costs, in the progress bar's units. */
    long workPerRow();

    /** Whether a run draws a progress bar. */
    boolean progress();

    /** Whether the eps values are attacked nested, each larger one only on the rows the smaller ones left. */
    default boolean nested() {
        return settings().applies(AttackConfig.NEST_EPS) && settings().get(AttackConfig.NEST_EPS);
    }

    @Override
    default AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        return run(model, x, labels, eps, null);
    }

    @Override
    default AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps, ChunkStore store) {
        long work = workPerRow();
        Progress bar = progress() ? new Progress(name(), x.size(0) * eps.length * work) : null;
        Rows.Images images = Rows.Images.of(x, labels);
        long[] position = {0};
        Rows.Unmoved unmoved = (x0, y) -> unmovedMargins(model, x0, y);
        Rows.Pass pass = (image, es, st) -> {
            long start = position[0];
            position[0] += (long) image.length * work;
            return Rows.runRows(name(), images, image, es, settings().get(AttackConfig.BATCH_ROWS), work, bar,
                    start, (x0, y, e, margins, done) -> rows(model, x0, y, e, margins, bar, done), unmoved, st);
        };
        AttackResult r = Rows.run(x, labels, eps, nested(), pass, (x0, y) -> foolingMargins(model, x0, y), store, k -> {
            position[0] += k * work;
            if (bar != null) {
                bar.kept(k * work);
            }
        });
        if (bar != null) {
            bar.close();
        }
        return r;
    }
}
