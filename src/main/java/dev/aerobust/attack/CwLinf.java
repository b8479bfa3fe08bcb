package dev.aerobust.attack;

import java.util.Arrays;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * The study's attack: Carlini-Wagner L2 held inside an L-infinity box (system.md section 4). Per image, Adam
 * minimises {@code ||delta||_2^2 + gamma max(Z_y - max_{j != y} Z_j, -k)} over the whole stack's logits, and
 * after every step projects delta into [-eps, eps] and x + delta into [0, 1]. All images and all eps values
 * share one batch (each row carries its own eps), split into chunks of {@code batchRows}.
 *
 * <p>{@link Variant#BEST_ITERATE} (the default) keeps, per row, the iterate with the lowest margin, so a
 * fooling iterate is never lost to a later one. {@link Variant#AUTHORS} reproduces the authors' code: the loss
 * {@code gamma (Z_y - max Z_j) + ||x - x0||_2} (unsquared, no clamp), the start {@code x0 + clip(-x0, -eps, eps)},
 * clip to the data range then to the box, and the last iterate.
 */
public final class CwLinf implements Attack {

    /** Which of the two codes to follow. */
    public enum Variant { BEST_ITERATE, AUTHORS }

    /**
     * @param steps     Adam steps (100)
     * @param lr        Adam learning rate in [0, 1] pixel units (0.05, the study's 0.1 in [-1, 1] units)
     * @param gamma     weight of the margin term (1)
     * @param kappa     confidence k of the clamp (0)
     * @param variant   best-iterate (default) or the authors'
     * @param batchRows rows (image x eps) per batch
     */
    public record Config(int steps, double lr, double gamma, double kappa, Variant variant, int batchRows) {
        public Config {
            if (steps <= 0 || !(lr > 0) || !(gamma > 0) || !(kappa >= 0) || batchRows <= 0) {
                throw new AerobustException(ExitCode.USAGE,
                        "cw-linf needs steps > 0, lr > 0, gamma > 0, kappa >= 0, batch > 0");
            }
        }

        public static Config defaults() {
            return new Config(100, 0.05, 1, 0, Variant.BEST_ITERATE, 2000);
        }
    }

    private final Config cfg;
    private final boolean progress;

    public CwLinf(Config cfg, boolean progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    @Override
    public String name() {
        return cfg.variant() == Variant.AUTHORS ? "cw-linf-authors" : "cw-linf";
    }

    public Config config() {
        return cfg;
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("steps", cfg.steps(), "lr", cfg.lr(), "gamma", cfg.gamma(), "kappa", cfg.kappa(),
                "variant", cfg.variant().name().toLowerCase());
    }

    @Override
    public Attack doubled() {
        return new CwLinf(new Config(2 * cfg.steps(), cfg.lr(), cfg.gamma(), cfg.kappa(), cfg.variant(),
                cfg.batchRows()), false);
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        Progress bar = progress ? new Progress(name(), x.size(0) * eps.length * cfg.steps()) : null;
        return Rows.run(name(), x, labels, eps, cfg.batchRows(), cfg.steps(), bar,
                (x0, y, es, margins, done) -> attackChunk(model, x0, y, es, margins, done, bar));
    }

    /** Runs the optimisation on one chunk of rows; fills {@code marginsOut} and returns the kept iterates. */
    private Tensor attackChunk(LogitsModel model, Tensor x0, Tensor y, double[] eps, double[] marginsOut, long done,
                               Progress bar) {
        int m = eps.length;
        Tensor epsT = Rows.perRow(eps, x0.dim());
        Tensor negEps = epsT.neg();
        boolean authors = cfg.variant() == Variant.AUTHORS;
        // the authors' variable starts at zero and is projected: every pixel pulled eps toward the bottom
        Tensor delta = authors ? torch.clamp(x0.neg(), new TensorOptional(negEps), new TensorOptional(epsT))
                : torch.zeros_like(x0);
        delta.set_requires_grad(true);
        Optim opt = Optim.adam(java.util.List.of(delta), cfg.lr(), 0);
        Tensor best = x0.clone();
        double[] bestMargin = new double[m];
        Arrays.fill(bestMargin, Double.POSITIVE_INFINITY);
        for (int t = 0; t <= cfg.steps(); t++) {
            try (Scope s = Scope.open()) {
                Tensor xa = x0.add(delta);
                Tensor margin = Margins.margin(model.logits(xa), y);
                double[] mg = Tensors.toDoubles(margin.detach());
                if (!authors || t == cfg.steps()) {
                    boolean[] take = new boolean[m];
                    for (int i = 0; i < m; i++) {
                        if (Double.isNaN(mg[i])) {
                            throw new AerobustException(ExitCode.NUMERIC, name() + ": NaN margin at step " + t
                                    + " (row " + i + ")");
                        }
                        // authors: the last iterate; best-iterate: the lowest margin so far
                        if (authors || mg[i] < bestMargin[i]) {
                            take[i] = true;
                            bestMargin[i] = mg[i];
                        }
                    }
                    Rows.keep(best, xa, take);
                }
                if (t == cfg.steps()) {
                    break;
                }
                Tensor sq = delta.pow(new Scalar(2.0)).flatten(1, -1).sum(new long[] {1}, false,
                        new org.bytedeco.pytorch.ScalarTypeOptional());
                Tensor loss = authors
                        ? margin.mul(new Scalar(cfg.gamma())).add(sq.add(new Scalar(1e-12)).sqrt())
                        : sq.add(torch.clamp(margin, new org.bytedeco.pytorch.ScalarOptional(new Scalar(-cfg.kappa())),
                                new org.bytedeco.pytorch.ScalarOptional()).mul(new Scalar(cfg.gamma())));
                opt.zeroGrad();
                loss.sum().backward();
                opt.step();
                Autograd.noGrad(() -> {
                    Tensor d = delta.detach();
                    Tensor proj = authors
                            ? torch.clamp(torch.clamp(x0.add(d), sc(0.0), sc(1.0)).sub(x0),
                                    new TensorOptional(negEps), new TensorOptional(epsT))
                            : torch.clamp(x0.add(torch.clamp(d, new TensorOptional(negEps), new TensorOptional(epsT))),
                                    sc(0.0), sc(1.0)).sub(x0);
                    return delta.detach().copy_(proj);
                });
            }
            if (bar != null) {
                bar.update(done + (long) m * (t + 1), "");
            }
        }
        System.arraycopy(bestMargin, 0, marginsOut, 0, m);
        return best;
    }

    private static org.bytedeco.pytorch.ScalarOptional sc(double v) {
        return new org.bytedeco.pytorch.ScalarOptional(new Scalar(v));
    }
}
