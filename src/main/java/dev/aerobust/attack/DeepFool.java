package dev.aerobust.attack;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * DeepFool for the L-infinity norm (Moosavi-Dezfooli et al. 2016): at each step, linearise the margins to the
 * candidate classes (the {@code candidates} highest logits at the clean input, as the paper's code restricts
 * them) and move to the nearest linearised boundary, {@code r = (|f_l| + 1e-4) / ||w_l||_1 sign(w_l)},
 * with an overshoot, until the label flips or the steps run out. It finds a small perturbation without a
 * budget; each eps then clips it into its box.
 */
public final class DeepFool implements Attack {

    private final Settings cfg;

    /** {@code cfg}: settings of {@code deepfool} ({@link AttackConfig}). */
    public DeepFool(Settings cfg) {
        if (cfg.get(AttackConfig.ATTACK) != AttackKind.DEEPFOOL) {
            throw new IllegalArgumentException("not a deepfool configuration: " + cfg);
        }
        this.cfg = cfg;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    /** A linearisation per candidate class, each a gradient. */
    @Override
    public double cost() {
        return (double) cfg.get(AttackConfig.STEPS) * cfg.get(AttackConfig.CANDIDATES);
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        Rows.requireEps(eps);
        Tensor found = x.clone();
        long n = x.size(0);
        long[] y = Tensors.toLongs(labels);
        // the candidate classes of each image: the highest logits at the clean input, the true class among them
        Tensor candidates = Autograd.noGrad(() -> {
            Tensor z = model.logits(x);
            return z.argsort(1, true).narrow(1, 0, Math.min(cfg.get(AttackConfig.CANDIDATES), z.size(1)));
        });
        int c = (int) candidates.size(1);
        for (int t = 0; t < cfg.get(AttackConfig.STEPS); t++) {
            try (Scope s = Scope.open()) {
                Tensor xv = found.detach().clone().set_requires_grad(true);
                Tensor logits = model.logits(xv);
                long[] pred = Tensors.toLongs(Ops.argmaxRows(logits));
                boolean anyLeft = false;
                for (int i = 0; i < n; i++) {
                    anyLeft |= pred[i] == y[i];
                }
                if (!anyLeft) {
                    break;
                }
                Tensor zy = torch.gather(logits, 1, labels.unsqueeze(1)).squeeze(1);
                // per image, the step toward the nearest linearised boundary over the other classes
                Tensor bestDist = Ops.full(n, Double.POSITIVE_INFINITY);
                Tensor bestStep = torch.zeros_like(found);
                for (int k = 0; k < c; k++) {
                    Tensor cls = candidates.select(1, k);
                    Tensor f = torch.gather(logits, 1, cls.unsqueeze(1)).squeeze(1).sub(zy);
                    Tensor w = Autograd.grad(f.sum(), xv, false, k < c - 1);
                    Tensor wl1 = Ops.add(Ops.l1NormRows(w), 1e-12);
                    Tensor dist = Ops.add(f.detach().abs(), 1e-4).div(wl1);
                    Tensor isOther = cls.ne(labels);
                    Tensor better = dist.lt(bestDist).logical_and(isOther);
                    Tensor step = w.sign().mul(dist.view(n, 1, 1, 1));
                    bestDist = Ops.where(better, dist, bestDist);
                    bestStep = Ops.where(better.view(n, 1, 1, 1), step, bestStep);
                }
                Tensor still = Tensors.fromLongs(pred, n).eq(labels).view(n, 1, 1, 1);
                Tensor next = Ops.clamp01(found.add(Ops.mul(bestStep, 1 + cfg.get(AttackConfig.OVERSHOOT)).mul(still)));
                Autograd.noGrad(() -> found.copy_(next));
            }
        }
        return MinimalPerturbation.clip(name(), model, x, labels, found, eps, MinimalPerturbation.Norm.LINF);
    }
}
