package dev.aerobust.attack;

import java.util.Arrays;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * PGD (BIM with a random start) in the L-infinity ball: from a uniform random start in the box, signed-gradient
 * steps on the margin loss {@code -(Z_y - max_{j != y} Z_j)}, each followed by projection onto the box and
 * [0, 1]; the step size is {@code stepFactor * eps / steps} (2.5, as Madry et al.). Restarts keep, per input,
 * the restart with the lowest margin. With {@code eotDraws > 1} it is EOT-PGD: each gradient is the average
 * over that many draws of a randomized model (the sampled defense as deployed), taken in one batch.
 */
public final class Pgd implements Attack {

    /**
     * @param steps      gradient steps per restart
     * @param stepFactor step size as a multiple of eps / steps
     * @param restarts   random restarts
     * @param eotDraws   draws of a randomized model averaged per gradient (1: plain PGD)
     * @param batchRows  rows (image x eps) per batch
     */
    public record Config(int steps, double stepFactor, int restarts, int eotDraws, int batchRows) {
        public Config {
            if (steps <= 0 || !(stepFactor > 0) || restarts <= 0 || eotDraws <= 0 || batchRows <= 0) {
                throw new AerobustException(ExitCode.USAGE, "pgd needs positive steps, step factor, restarts,"
                        + " EOT draws and batch");
            }
        }

        public static Config defaults() {
            return new Config(100, 2.5, 1, 1, 2000);
        }
    }

    private final Config cfg;
    private final boolean progress;

    public Pgd(Config cfg, boolean progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    @Override
    public String name() {
        return cfg.eotDraws() > 1 ? "eot-pgd" : "pgd";
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("steps", cfg.steps(), "step_factor", cfg.stepFactor(), "restarts", cfg.restarts(),
                "eot_draws", cfg.eotDraws());
    }

    @Override
    public Attack doubled() {
        return new Pgd(new Config(2 * cfg.steps(), cfg.stepFactor(), cfg.restarts(), cfg.eotDraws(), cfg.batchRows()),
                false);
    }

    /** EOT-PGD attacks the randomized model itself; plain PGD its deterministic surrogate. */
    @Override
    public boolean attacksRandomizedModel() {
        return cfg.eotDraws() > 1;
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        long work = (long) cfg.steps() * cfg.restarts();
        Progress bar = progress ? new Progress(name(), x.size(0) * eps.length * work) : null;
        return Rows.run(name(), x, labels, eps, cfg.batchRows(), work, bar,
                (x0, y, es, margins, done) -> chunk(model, x0, y, es, margins, bar, done));
    }

    /** The mean margin over EOT draws, per row, differentiable in {@code xa}. */
    private Tensor margin(LogitsModel model, Tensor xa, Tensor y) {
        if (cfg.eotDraws() == 1) {
            return Margins.margin(model.logits(xa), y);
        }
        int d = cfg.eotDraws();
        long m = xa.size(0);
        long[] reps = new long[(int) xa.dim()];
        Arrays.fill(reps, 1);
        reps[0] = d;
        Tensor mg = Margins.margin(model.logits(xa.repeat(reps)), y.repeat(new long[] {d}));
        return mg.view(d, m).mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
    }

    private Tensor chunk(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
                         long done) {
        int m = eps.length;
        double[] step = new double[m];
        for (int i = 0; i < m; i++) {
            step[i] = cfg.stepFactor() * eps[i] / cfg.steps();
        }
        Tensor epsT = Rows.perRow(eps, x0.dim());
        Tensor negEps = epsT.neg();
        Tensor stepT = Rows.perRow(step, x0.dim());
        Tensor best = x0.clone();
        double[] bestMargin = new double[m];
        Arrays.fill(bestMargin, Double.POSITIVE_INFINITY);
        long k = 0;
        for (int restart = 0; restart < cfg.restarts(); restart++) {
            Tensor start = torch.rand_like(x0).mul(new Scalar(2.0)).sub(new Scalar(1.0)).mul(epsT);
            Tensor xa = torch.clamp(x0.add(start), sc(0.0), sc(1.0)).detach();
            for (int t = 0; t <= cfg.steps(); t++) {
                try (Scope s = Scope.open()) {
                    Tensor xv = xa.detach().set_requires_grad(true);
                    Tensor mg = margin(model, xv, y);
                    double[] mv = Tensors.toDoubles(mg.detach());
                    boolean[] take = new boolean[m];
                    for (int i = 0; i < m; i++) {
                        if (Double.isNaN(mv[i])) {
                            throw new AerobustException(ExitCode.NUMERIC, name() + ": NaN margin (row " + i + ")");
                        }
                        if (mv[i] < bestMargin[i]) {
                            bestMargin[i] = mv[i];
                            take[i] = true;
                        }
                    }
                    Rows.keep(best, xv, take);
                    if (t == cfg.steps()) {
                        break;
                    }
                    Tensor g = Autograd.grad(mg.sum().neg(), xv, false);
                    Tensor next = Autograd.noGrad(() -> {
                        Tensor moved = xv.detach().add(g.sign().mul(stepT));
                        Tensor d = torch.clamp(moved.sub(x0), new TensorOptional(negEps), new TensorOptional(epsT));
                        return torch.clamp(x0.add(d), sc(0.0), sc(1.0));
                    });
                    xa.copy_(next);
                }
                k += m;
                if (bar != null && t < cfg.steps()) {
                    bar.update(done + k, "");
                }
            }
        }
        System.arraycopy(bestMargin, 0, marginsOut, 0, m);
        return best;
    }

    private static ScalarOptional sc(double v) {
        return new ScalarOptional(new Scalar(v));
    }
}
