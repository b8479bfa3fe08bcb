package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.EOT_DRAWS;
import static dev.aerobust.attack.AttackConfig.RESTARTS;
import static dev.aerobust.attack.AttackConfig.STEPS;
import static dev.aerobust.attack.AttackConfig.STEP_FACTOR;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * PGD (BIM with a random start) in the L-infinity ball: from a uniform random start in the box, signed-gradient
 * steps on the margin loss {@code -(Z_y - max_{j != y} Z_j)}, each followed by projection onto the box and
 * [0, 1]; the step size is {@code step_factor * eps / steps} (2.5, as Madry et al.). Each row keeps its iterate of
 * lowest margin; a row leaves the run once fooled ({@link LiveRows}), and restarts run on the rows not yet fooled.
 * {@code eot-pgd} averages each gradient over {@code eot_draws} draws of a randomized model (the sampled defense
 * as deployed), taken in one batch; a row is fooled there when every draw's margin is below zero.
 */
public final class Pgd implements RowAttack {

    private final Settings cfg;
    private final boolean progress;
    private final int draws;
    private final boolean compact;

    /** {@code cfg}: settings of {@code pgd} or {@code eot-pgd} ({@link AttackConfig}). */
    public Pgd(Settings cfg, boolean progress) {
        this(cfg, progress, cfg.get(AttackConfig.COMPACT_ROWS));
    }

    /** {@code compact}: fooled rows leave the batch (false keeps every row to the end: the check of that). */
    Pgd(Settings cfg, boolean progress, boolean compact) {
        this.compact = compact;
        if (!cfg.get(AttackConfig.ATTACK).pgd()) {
            throw new IllegalArgumentException("not a pgd configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
        this.draws = cfg.get(AttackConfig.ATTACK) == AttackKind.EOT_PGD ? cfg.get(EOT_DRAWS) : 1;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    @Override
    public double cost() {
        return (double) cfg.get(STEPS) * cfg.get(RESTARTS) * draws;
    }

    /** EOT-PGD attacks the randomized model itself; plain PGD its deterministic surrogate. */
    @Override
    public boolean attacksRandomizedModel() {
        return cfg.get(AttackConfig.ATTACK) == AttackKind.EOT_PGD;
    }

    @Override
    public double[] unmovedMargins(LogitsModel model, Tensor x0, Tensor y) {
        return Margins.at(model, x0, y, draws);
    }

    @Override
    public double[] foolingMargins(LogitsModel model, Tensor x0, Tensor y) {
        return Margins.worstDraw(model, x0, y, draws);
    }

    @Override
    public long workPerRow() {
        return (long) cfg.get(STEPS) * cfg.get(RESTARTS);
    }

    @Override
    public boolean progress() {
        return progress;
    }

    /** Every restart over the rows not yet fooled; the rows' best iterates. */
    @Override
    public Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
                       long done) {
        int m = eps.length;
        int steps = cfg.get(STEPS);
        BestIterate best = new BestIterate(name(), x0);
        for (int restart = 0; restart < cfg.get(RESTARTS); restart++) {
            long from = done + (long) restart * steps * m;
            Rows.onStillCorrect(best, x0, y, eps, (idx, xs, ys, es, sub) -> once(model, xs, ys, es, sub, bar, from));
        }
        best.marginsInto(marginsOut);
        return best.best();
    }

    /** One run from a random start; fills {@code marginsOut} with each row's lowest margin. */
    private Tensor once(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
                        long done) {
        int m = eps.length;
        int steps = cfg.get(STEPS);
        double[] step = new double[m];
        for (int i = 0; i < m; i++) {
            step[i] = cfg.get(STEP_FACTOR) * eps[i] / steps;
        }
        Tensor hi = Rows.perRow(eps, x0.dim());
        Tensor lo = hi.neg();
        Tensor stepT = Rows.perRow(step, x0.dim());
        BestIterate best = new BestIterate(name(), x0);
        LiveRows live = new LiveRows(m, compact);
        Tensor xa = Ops.clamp01(x0.add(Ops.uniformSigned(x0).mul(hi))).detach();
        for (int t = 0; t <= steps && !live.none(); t++) {
            try (Scope s = Scope.open()) {
                Tensor xv = live.of(xa).detach().set_requires_grad(true);
                Margins.Drawn mg = Margins.drawn(Margins.margin(model.logitsRepeated(xv, draws),
                        draws == 1 ? live.of(y) : live.of(y).repeat(new long[] {draws})), draws, xv.size(0));
                best.offer(xa, live.spread(Tensors.toDoubles(mg.mean().detach()), Double.POSITIVE_INFINITY), t);
                if (t == steps) {
                    break;
                }
                Tensor g = live.spread(Autograd.grad(mg.mean().sum().neg(), xv, false), xa);
                Tensor next = Autograd.noGrad(() -> {
                    Tensor moved = xa.add(g.sign().mul(stepT));
                    return Ops.clamp01(x0.add(Ops.clamp(moved.sub(x0), lo, hi)));
                });
                xa.copy_(next);
                live.drop(mg.fooled());
            }
            if (bar != null && t < steps) {
                bar.update(done + (long) (t + 1) * m, "");
            }
        }
        best.marginsInto(marginsOut);
        return best.best();
    }
}
