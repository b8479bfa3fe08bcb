package dev.aerobust.attack;

import static dev.aerobust.attack.AttackConfig.GAMMA;
import static dev.aerobust.attack.AttackConfig.KAPPA;
import static dev.aerobust.attack.AttackConfig.LR;
import static dev.aerobust.attack.AttackConfig.STEPS;

import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * The study's attack: Carlini-Wagner L2 held inside an L-infinity box (system.md section 4). Per image, Adam
 * minimises {@code ||delta||_2^2 + gamma max(Z_y - max_{j != y} Z_j, -k)} over the whole stack's logits, and
 * after every step projects delta into [-eps, eps] and x + delta into [0, 1]. All images and all eps values
 * share one batch (each row carries its own eps), split into chunks of {@code batch_rows}.
 *
 * <p>{@code cw-linf} (the default) keeps, per row, the iterate with the lowest margin, so a fooling iterate is
 * never lost to a later one. {@code cw-linf-authors} reproduces the authors' code: the loss
 * {@code gamma (Z_y - max Z_j) + ||x - x0||_2} (unsquared, no clamp), the start {@code x0 + clip(-x0, -eps, eps)},
 * clip to the data range then to the box, and the last iterate.
 */
public final class CwLinf implements RowAttack {

    private final Settings cfg;
    private final boolean progress;
    private final boolean authors;

    /** {@code cfg}: settings of {@code cw-linf} or {@code cw-linf-authors} ({@link AttackConfig}). */
    public CwLinf(Settings cfg, boolean progress) {
        if (!cfg.get(AttackConfig.ATTACK).cw()) {
            throw new IllegalArgumentException("not a cw-linf configuration: " + cfg);
        }
        this.cfg = cfg;
        this.progress = progress;
        this.authors = cfg.get(AttackConfig.ATTACK) == AttackKind.CW_LINF_AUTHORS;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    @Override
    public double cost() {
        return cfg.get(STEPS);
    }

    @Override
    public long workPerRow() {
        return cfg.get(STEPS);
    }

    @Override
    public boolean progress() {
        return progress;
    }

    /**
     * Runs the optimisation on one chunk of rows, every row for every step (the study's attack: its adversarial
     * examples feed the latent statistics); fills {@code marginsOut} and returns the kept iterates.
     */
    @Override
    public Tensor rows(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, Progress bar,
                       long done) {
        int m = eps.length;
        int steps = cfg.get(STEPS);
        double gamma = cfg.get(GAMMA);
        double kappa = cfg.get(KAPPA);
        Tensor hi = Rows.perRow(eps, x0.dim());
        Tensor lo = hi.neg();
        // the authors' variable starts at zero and is projected: every pixel pulled eps toward the bottom
        Tensor delta = authors ? Ops.clamp(x0.neg(), lo, hi) : torch.zeros_like(x0);
        delta.set_requires_grad(true);
        Optim opt = Optim.adam(List.of(delta), cfg.get(LR), 0);
        BestIterate best = new BestIterate(name(), x0);
        for (int t = 0; t <= steps; t++) {
            try (Scope s = Scope.open()) {
                Tensor xa = x0.add(delta);
                Tensor margin = Margins.margin(model.logits(xa), y);
                double[] mg = Tensors.toDoubles(margin.detach());
                if (!authors) {
                    best.offer(xa, mg, t);
                } else if (t == steps) {
                    best.replace(xa, mg, t);
                }
                if (t == steps) {
                    break;
                }
                Tensor sq = Ops.sqNormRows(delta);
                Tensor loss = authors
                        ? Ops.mul(margin, gamma).add(Ops.add(sq, 1e-12).sqrt())
                        : sq.add(Ops.mul(Ops.clampMin(margin, -kappa), gamma));
                opt.zeroGrad();
                loss.sum().backward();
                opt.step();
                Autograd.noGrad(() -> {
                    Tensor d = delta.detach();
                    Tensor proj = authors
                            ? Ops.clamp(Ops.clamp01(x0.add(d)).sub(x0), lo, hi)
                            : Ops.clamp01(x0.add(Ops.clamp(d, lo, hi))).sub(x0);
                    return delta.detach().copy_(proj);
                });
            }
            if (bar != null) {
                bar.update(done + (long) m * (t + 1), "");
            }
        }
        best.marginsInto(marginsOut);
        return best.best();
    }
}
