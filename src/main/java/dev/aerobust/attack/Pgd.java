package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.BATCH_ROWS;
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
 * [0, 1]; the step size is {@code step_factor * eps / steps} (2.5, as Madry et al.). Restarts keep, per input,
 * the restart with the lowest margin. {@code eot-pgd} averages each gradient over {@code eot_draws} draws of a
 * randomized model (the sampled defense as deployed), taken in one batch.
 */
public final class Pgd implements Attack {

    private final Settings cfg;
    private final boolean progress;
    private final int draws;

    /** {@code cfg}: settings of {@code pgd} or {@code eot-pgd} ({@link AttackConfig}). */
    public Pgd(Settings cfg, boolean progress) {
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

    /** EOT-PGD attacks the randomized model itself; plain PGD its deterministic surrogate. */
    @Override
    public boolean attacksRandomizedModel() {
        return cfg.get(AttackConfig.ATTACK) == AttackKind.EOT_PGD;
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        return run(model, x, labels, eps, null);
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps, ChunkStore store) {
        long work = (long) cfg.get(STEPS) * cfg.get(RESTARTS);
        Progress bar = progress ? new Progress(name(), x.size(0) * eps.length * work) : null;
        return Rows.run(name(), x, labels, eps, cfg.get(BATCH_ROWS), work, bar,
                (x0, y, es, margins, done) -> chunk(model, x0, y, es, margins, bar, done),
                (x0, y) -> Margins.at(model, x0, y, draws), store);
    }

    private Tensor chunk(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
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
        long k = 0;
        for (int restart = 0; restart < cfg.get(RESTARTS); restart++) {
            Tensor xa = Ops.clamp01(x0.add(Ops.uniformSigned(x0).mul(hi))).detach();
            for (int t = 0; t <= steps; t++) {
                try (Scope s = Scope.open()) {
                    Tensor xv = xa.detach().set_requires_grad(true);
                    Tensor mg = Margins.mean(model, xv, y, draws);
                    best.offer(xv, Tensors.toDoubles(mg.detach()), t);
                    if (t == steps) {
                        break;
                    }
                    Tensor g = Autograd.grad(mg.sum().neg(), xv, false);
                    Tensor next = Autograd.noGrad(() -> {
                        Tensor moved = xv.detach().add(g.sign().mul(stepT));
                        return Ops.clamp01(x0.add(Ops.clamp(moved.sub(x0), lo, hi)));
                    });
                    xa.copy_(next);
                }
                k += m;
                if (bar != null && t < steps) {
                    bar.update(done + k, "");
                }
            }
        }
        best.marginsInto(marginsOut);
        return best.best();
    }
}
