package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.VERSION;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.util.Progress;

/**
 * AutoAttack's ensembles (Croce and Hein, ICML 2020): each attack runs only on the (image, eps) rows that every
 * earlier one left correct, so the result is the per-row worst case over the ensemble. {@code standard}:
 * APGD-CE, APGD-T (9 targets), FAB-T (9 targets) and Square (5000 queries), on the deterministic model;
 * {@code rand}, for a randomized defense: APGD-CE and APGD-DLR with EOT over 20 draws, on the defense as
 * deployed; {@code fast}: APGD-CE and APGD-T. Each member runs at its paper's settings (100 iterations, one
 * restart). The log says how many rows each member fooled.
 */
public final class AutoAttack implements RowAttack {

    private static final Logger LOG = LoggerFactory.getLogger(AutoAttack.class);

    /** The ensembles. */
    public enum Version {
        STANDARD, RAND, FAST;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Settings cfg;
    private final boolean progress;
    private final List<RowAttack> members = new ArrayList<>();

    public AutoAttack(Settings cfg, boolean progress) {
        if (cfg.get(AttackConfig.ATTACK) != AttackKind.AUTOATTACK) {
            throw new IllegalArgumentException("not an autoattack configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
        Version v = cfg.get(VERSION);
        switch (v) {
            case STANDARD -> {
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_CE), false));
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_T), false));
                members.add(new Fab(AttackConfig.of(AttackKind.FAB_T), false));
                members.add(new Square(AttackConfig.of(AttackKind.SQUARE), false));
            }
            case RAND -> {
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_CE, AttackConfig.EOT_DRAWS, 20), false));
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_DLR, AttackConfig.EOT_DRAWS, 20), false));
            }
            case FAST -> {
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_CE), false));
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_T), false));
            }
        }
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    /** The rand version attacks the randomized defense itself (with EOT); the others its deterministic model. */
    @Override
    public boolean attacksRandomizedModel() {
        return cfg.get(VERSION) == Version.RAND;
    }

    /** The ensemble has no steps of its own to double; its members' convergence is their papers'. */
    @Override
    public Attack doubled() {
        return null;
    }

    /** The first member's: the rand version's margins average its draws. */
    @Override
    public double[] unmovedMargins(LogitsModel model, Tensor x0, Tensor y) {
        return members.get(0).unmovedMargins(model, x0, y);
    }

    /** A member per row: the bar counts members done. */
    @Override
    public long workPerRow() {
        return members.size();
    }

    @Override
    public boolean progress() {
        return progress;
    }

    @Override
    public Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
                        long done) {
        int m = eps.length;
        BestIterate best = new BestIterate(name(), x0);
        long k = done;
        StringBuilder log = new StringBuilder();
        for (RowAttack a : members) {
            int[] n = Rows.onStillCorrect(best, x0, y, eps, (idx, xs, ys, es, sub) -> a.rows(model, xs, ys, es, sub,
                    null, 0));
            if (n[1] > 0) {
                log.append(String.format(Locale.ROOT, "%s%s fooled %d of %d", log.length() == 0 ? "" : "; ",
                        a.name(), n[0], n[1]));
            }
            k += m;
            if (bar != null) {
                bar.update(k, "");
            }
        }
        LOG.info("{} {} on {} rows: {}", name(), cfg.get(VERSION).label(), m, log);
        best.marginsInto(marginsOut);
        return best.best();
    }
}
