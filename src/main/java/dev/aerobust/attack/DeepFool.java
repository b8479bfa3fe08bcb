package dev.aerobust.attack;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * DeepFool for the L-infinity norm (Moosavi-Dezfooli et al. 2016): at each step, linearise the margins to every
 * other class and move to the nearest linearised boundary, {@code r = (|f_l| + 1e-4) / ||w_l||_1 sign(w_l)},
 * with an overshoot, until the label flips or the steps run out. It finds a small perturbation without a
 * budget; each eps then clips it into its box.
 */
public final class DeepFool implements Attack {

    /**
     * @param steps     most linearisation steps
     * @param overshoot multiplicative overshoot (0.02)
     */
    public record Config(int steps, double overshoot) {
        public Config {
            if (steps <= 0 || !(overshoot >= 0)) {
                throw new AerobustException(ExitCode.USAGE, "deepfool needs steps > 0 and overshoot >= 0");
            }
        }

        public static Config defaults() {
            return new Config(50, 0.02);
        }
    }

    private final Config cfg;

    public DeepFool(Config cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "deepfool";
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("steps", cfg.steps(), "overshoot", cfg.overshoot());
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        Rows.requireEps(eps);
        Tensor found = x.clone();
        long n = x.size(0);
        long[] y = Tensors.toLongs(labels);
        for (int t = 0; t < cfg.steps(); t++) {
            try (Scope s = Scope.open()) {
                Tensor xv = found.detach().clone().set_requires_grad(true);
                Tensor logits = model.logits(xv);
                int classes = (int) logits.size(1);
                long[] pred = Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
                boolean anyLeft = false;
                for (int i = 0; i < n; i++) {
                    anyLeft |= pred[i] == y[i];
                }
                if (!anyLeft) {
                    break;
                }
                Tensor zy = torch.gather(logits, 1, labels.unsqueeze(1)).squeeze(1);
                // per image, the step toward the nearest linearised boundary over the other classes
                Tensor bestDist = torch.full(new long[] {n}, new Scalar(Double.POSITIVE_INFINITY));
                Tensor bestStep = torch.zeros_like(found);
                for (int k = 0; k < classes; k++) {
                    Tensor f = logits.select(1, k).sub(zy);
                    Tensor w = Autograd.grad(f.sum(), xv, false, k < classes - 1);
                    Tensor wl1 = w.abs().flatten(1, -1).sum(new long[] {1}, false,
                            new org.bytedeco.pytorch.ScalarTypeOptional()).add(new Scalar(1e-12));
                    Tensor dist = f.detach().abs().add(new Scalar(1e-4)).div(wl1);
                    Tensor isOther = Tensors.fromLongs(y, n).ne(new Scalar((long) k));
                    Tensor better = dist.lt(bestDist).logical_and(isOther);
                    Tensor step = w.sign().mul(dist.view(n, 1, 1, 1));
                    bestDist = torch.where(better, dist, bestDist);
                    bestStep = torch.where(better.view(n, 1, 1, 1), step, bestStep);
                }
                Tensor still = Tensors.fromLongs(pred, n).eq(labels).view(n, 1, 1, 1);
                Tensor next = torch.clamp(found.add(bestStep.mul(new Scalar(1 + cfg.overshoot())).mul(still)),
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(0.0)),
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
                Autograd.noGrad(() -> found.copy_(next));
            }
        }
        return MinimalPerturbation.clip(name(), model, x, labels, found, eps, MinimalPerturbation.Norm.LINF);
    }
}
