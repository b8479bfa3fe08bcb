package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.EOT_DRAWS;
import static dev.aerobust.attack.AttackConfig.RESTARTS;
import static dev.aerobust.attack.AttackConfig.STEPS;
import static dev.aerobust.attack.AttackConfig.TARGETS;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * Auto-PGD in the L-infinity ball (Croce and Hein, ICML 2020, "Reliable evaluation of adversarial robustness with
 * an ensemble of diverse parameter-free attacks", Algorithm 1): signed-gradient steps of size eta = 2 eps with
 * momentum alpha = 0.75, the step halved at the checkpoints w_j = ceil(p_j N) (p_0 = 0, p_1 = 0.22,
 * p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)) where fewer than rho = 0.75 of the steps since the last
 * checkpoint raised the loss (condition 1) or where the step was not halved at the last checkpoint and the best
 * loss has not risen since (condition 2); a halving restarts the row from its best-loss point. Each row has its
 * own step size and schedule. The loss is cross-entropy ({@code apgd-ce}), DLR ({@code apgd-dlr}) or the
 * targeted DLR towards each of the {@code targets} classes with the highest clean logits after the first
 * ({@code apgd-t}, one run per target). Runs start from a uniform random point of the box, as the authors'
 * experiments do; restarts and further targets run only on the rows not yet fooled. What is returned per row is
 * the iterate of lowest margin seen by any run (a fooling iterate is never lost); with {@code eot_draws > 1} the
 * loss, its gradient and the margin are means over that many draws of a randomized defense, in one batch.
 */
public final class Apgd implements RowAttack {

    static final double MOMENTUM = 0.75;

    private final Settings cfg;
    private final AttackKind kind;
    private final boolean progress;
    private final int draws;
    private final boolean compact;

    /** {@code cfg}: settings of {@code apgd-ce}, {@code apgd-dlr} or {@code apgd-t} ({@link AttackConfig}). */
    public Apgd(Settings cfg, boolean progress) {
        this(cfg, progress, cfg.get(AttackConfig.COMPACT_ROWS));
    }

    /** {@code compact}: fooled rows leave the batch (false keeps every row to the end: the check of that). */
    Apgd(Settings cfg, boolean progress, boolean compact) {
        this.compact = compact;
        this.kind = cfg.get(AttackConfig.ATTACK);
        if (!kind.apgd()) {
            throw new IllegalArgumentException("not an apgd configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
        this.draws = cfg.get(EOT_DRAWS);
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    @Override
    public double cost() {
        return (double) workPerRow() * draws;
    }

    /** With EOT it attacks the randomized defense itself; otherwise its deterministic surrogate. */
    @Override
    public boolean attacksRandomizedModel() {
        return draws > 1;
    }

    @Override
    public double[] unmovedMargins(LogitsModel model, Tensor x0, Tensor y) {
        return Margins.at(model, x0, y, draws);
    }

    @Override
    public double[] foolingMargins(LogitsModel model, Tensor x0, Tensor y) {
        return Margins.worstDraw(model, x0, y, draws);
    }

    private int passes() {
        return cfg.get(RESTARTS) * (kind == AttackKind.APGD_T ? cfg.get(TARGETS) : 1);
    }

    @Override
    public long workPerRow() {
        return (long) cfg.get(STEPS) * passes();
    }

    @Override
    public boolean progress() {
        return progress;
    }

    /** Every pass (restart, target) over the rows not yet fooled; the rows' best iterates. */
    @Override
    public Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar, long done) {
        int m = eps.length;
        int steps = cfg.get(STEPS);
        BestIterate best = new BestIterate(name(), x0);
        Tensor targets = kind == AttackKind.APGD_T
                ? Rows.targets(Autograd.noGrad(() -> model.logits(x0)), cfg.get(TARGETS)) : null;
        int perRestart = targets == null ? 1 : (int) targets.size(1);
        long k = done;
        for (int restart = 0; restart < cfg.get(RESTARTS); restart++) {
            for (int t = 0; t < perRestart; t++) {
                int target = t;
                long from = k;
                Rows.onStillCorrect(best, x0, y, eps, (idx, xs, ys, es, sub) -> once(model, xs, ys,
                        targets == null ? null : torch.index_select(targets.select(1, target), 0, idx), es, sub,
                        bar, from));
                k += (long) steps * m;
                if (bar != null) {
                    bar.update(k, "");
                }
            }
        }
        best.marginsInto(marginsOut);
        return best.best();
    }

    /**
     * One run of Algorithm 1 on rows {@code x0}; fills {@code marginsOut} with the best margin per row. A row
     * leaves the run once fooled ({@link LiveRows}): its best iterate is kept, and the model's passes take only the
     * rows still correct.
     */
    private Tensor once(LogitsModel model, Tensor x0, Tensor y, Tensor tg, double[] eps, double[] marginsOut,
                        Progress bar, long done) {
        int n = eps.length;
        int steps = cfg.get(STEPS);
        Tensor hi = Rows.perRow(eps, x0.dim());
        Tensor lo = hi.neg();
        BestIterate best = new BestIterate(name(), x0);
        LiveRows live = new LiveRows(n, compact);
        Tensor x = Ops.clamp01(x0.add(Ops.uniformSigned(x0).mul(hi))).detach();
        Tensor xPrev = x.clone();
        Tensor g = x.clone();
        ApgdSchedule schedule;
        try (Scope s = Scope.open()) {
            Eval e = eval(model, live, x, y, tg);
            best.offer(x, e.margin, 0);
            g.copy_(e.grad);
            schedule = new ApgdSchedule(eps, steps, e.loss);
            live.drop(e.fooled);
        }
        Tensor xMax = x.clone();
        Tensor gMax = g.clone();
        for (int it = 0; it < steps && !live.none(); it++) {
            try (Scope s = Scope.open()) {
                Tensor etaT = Rows.perRow(schedule.eta(), x0.dim());
                boolean first = it == 0;
                Tensor next = Autograd.noGrad(() -> {
                    Tensor z = project(x.add(g.sign().mul(etaT)), x0, lo, hi);
                    if (first) {
                        return z;
                    }
                    Tensor mixed = x.add(Ops.mul(z.sub(x), MOMENTUM)).add(Ops.mul(x.sub(xPrev), 1 - MOMENTUM));
                    return project(mixed, x0, lo, hi);
                });
                xPrev.copy_(x);
                x.copy_(next);
                Eval e = eval(model, live, x, y, tg);
                best.offer(x, e.margin, it + 1);
                g.copy_(e.grad);
                boolean[] better = schedule.observe(e.loss);
                Rows.keep(xMax, x, better);
                Rows.keep(gMax, g, better);
                boolean[] halve = schedule.checkpoint(it + 1);
                if (halve != null) {
                    Rows.keep(x, xMax, halve);
                    Rows.keep(g, gMax, halve);
                }
                live.drop(e.fooled);
            }
            if (bar != null) {
                bar.update(done + (long) (it + 1) * n, "");
            }
        }
        best.marginsInto(marginsOut);
        return best.best();
    }

    private static Tensor project(Tensor moved, Tensor x0, Tensor lo, Tensor hi) {
        return Ops.clamp01(x0.add(Ops.clamp(moved.sub(x0), lo, hi)));
    }

    /**
     * At the live rows: the loss (NaN at the others), the margin (+infinity at the others, so no finished row's
     * best iterate is replaced), the loss's gradient (zero at the others) and, per live row, whether it is fooled.
     */
    private record Eval(double[] loss, double[] margin, Tensor grad, boolean[] fooled) {
    }

    /**
     * The loss to maximise, the margin and the loss's gradient at the live rows of {@code x}, means over the EOT
     * draws; a row is fooled when every draw's margin is below zero.
     */
    private Eval eval(LogitsModel model, LiveRows live, Tensor x, Tensor y, Tensor tg) {
        Tensor xv = live.of(x).detach().set_requires_grad(true);
        long n = xv.size(0);
        Tensor ys = live.of(y);
        Tensor ts = tg == null ? null : live.of(tg);
        if (draws > 1) {
            ys = ys.repeat(new long[] {draws});
            ts = ts == null ? null : ts.repeat(new long[] {draws});
        }
        Tensor logits = model.logitsRepeated(xv, draws);
        Tensor loss = switch (kind) {
            case APGD_CE -> Losses.crossEntropy(logits, ys);
            case APGD_DLR -> Losses.dlr(logits, ys);
            default -> Losses.dlrTargeted(logits, ys, ts);
        };
        Margins.Drawn margin = Margins.drawn(Margins.margin(logits.detach(), ys), draws, n);
        if (draws > 1) {
            loss = Ops.mean(loss.view(draws, n), 0, false);
        }
        Tensor grad = Autograd.grad(loss.sum(), xv, false);
        return new Eval(live.spread(Tensors.toDoubles(loss.detach()), Double.NaN),
                live.spread(Tensors.toDoubles(margin.mean()), Double.POSITIVE_INFINITY), live.spread(grad, x),
                margin.fooled());
    }
}
