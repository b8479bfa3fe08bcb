package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.VERSION;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

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
 * restart), over all the rows still correct at once. The log says how many rows each member fooled.
 */
public final class AutoAttack implements Attack {

    private static final Logger LOG = LoggerFactory.getLogger(AutoAttack.class);

    /** The draws the rand ensemble's members average per gradient. */
    static final int RAND_DRAWS = 20;

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
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_CE, AttackConfig.EOT_DRAWS, RAND_DRAWS), false));
                members.add(new Apgd(AttackConfig.of(AttackKind.APGD_DLR, AttackConfig.EOT_DRAWS, RAND_DRAWS), false));
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

    /** Every member on every row, at most (the later ones run only on the rows still correct). */
    @Override
    public double cost() {
        return members.stream().mapToDouble(Attack::cost).sum();
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

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        return run(model, x, labels, eps, null);
    }

    /**
     * Runs each member in turn over every (image, eps) row the members before it left correct, as the reference
     * implementation runs each attack over the points still robust: the first over every row, each later one on
     * what is left, batched anew, with its own chunks in the store (a killed run resumes inside the member it was
     * in) and its own progress bar. A row keeps the iterate of lowest margin. With {@code nest_eps}, the eps values
     * run in increasing order, each over the images no smaller eps fooled ({@link Rows#run}). The log says, per
     * member, how many rows it fooled and the robust accuracy at each eps after it.
     */
    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps, ChunkStore store) {
        Rows.Images images = Rows.Images.of(x, labels);
        boolean nest = cfg.get(AttackConfig.NEST_EPS);
        RowAttack first = members.get(0);
        return Rows.run(x, labels, eps, nest, (image, es, st) -> members(model, images, image, es, st),
                (x0, y) -> first.foolingMargins(model, x0, y), store, k -> { });
    }

    /** The members in turn over the rows {@code image} at budgets {@code eps}, each on what the earlier left. */
    private Rows.Attacked members(LogitsModel model, Rows.Images images, int[] image, double[] budget,
                                  ChunkStore store) {
        int per = images.perImage();
        int rows = image.length;
        float[] adversarial = new float[rows * per];
        double[] margin = new double[rows];
        int batchRows = cfg.get(AttackConfig.BATCH_ROWS);
        for (int k = 0; k < members.size(); k++) {
            RowAttack a = members.get(k);
            boolean first = k == 0;
            // the first member takes every row (its margins are the unmoved rows' too); the later ones what is left
            int[] active = IntStream.range(0, rows).filter(r -> first || (budget[r] > 0 && !(margin[r] < 0)))
                    .toArray();
            if (active.length == 0) {
                LOG.info("{} {}: {} has no row left to attack", name(), cfg.get(VERSION).label(), a.name());
                continue;
            }
            int[] img = Arrays.stream(active).map(r -> image[r]).toArray();
            double[] es = Arrays.stream(active).mapToDouble(r -> budget[r]).toArray();
            Progress bar = progress ? new Progress(name() + " " + a.name(), (long) active.length * a.workPerRow())
                    : null;
            Rows.Attacked out = Rows.runRows(name() + " " + a.name(), images, img, es, batchRows, a.workPerRow(),
                    bar, 0, (x0, y, e, m, done) -> a.rows(model, x0, y, e, m, bar, done),
                    (x0, y) -> a.unmovedMargins(model, x0, y),
                    store == null ? null : store.pass((k + 1) + "-" + a.name(), active));
            if (bar != null) {
                bar.close();
            }
            int fooled = 0;
            for (int i = 0; i < active.length; i++) {
                int r = active[i];
                double m = out.margins()[i];
                fooled += budget[r] > 0 && m < 0 ? 1 : 0;
                if (first || m < margin[r]) {
                    margin[r] = m;
                    System.arraycopy(out.adversarial(), i * per, adversarial, r * per, per);
                }
            }
            long moved = Arrays.stream(es).filter(e -> e > 0).count();
            if (moved > 0) {
                LOG.info("{} {}: {} fooled {} of {} rows; robust after it: {}", name(), cfg.get(VERSION).label(),
                        a.name(), fooled, moved, robustText(budget, margin));
            }
        }
        return new Rows.Attacked(adversarial, margin);
    }

    /** The fraction of rows with a margin not below zero, per eps above 0 among the rows (the model's verdict). */
    private static String robustText(double[] budget, double[] margin) {
        java.util.TreeMap<Double, int[]> byEps = new java.util.TreeMap<>();
        for (int r = 0; r < budget.length; r++) {
            if (budget[r] > 0) {
                int[] c = byEps.computeIfAbsent(budget[r], e -> new int[2]);
                c[0] += margin[r] < 0 ? 0 : 1;
                c[1]++;
            }
        }
        StringBuilder b = new StringBuilder();
        byEps.forEach((e, c) -> b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                "eps %s %.3f of %d", e, c[0] / (double) c[1], c[1])));
        return b.toString();
    }
}
