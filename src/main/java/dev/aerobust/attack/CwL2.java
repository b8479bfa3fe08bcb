package dev.aerobust.attack;

import java.util.Arrays;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * The textbook Carlini-Wagner L2 attack (2017), for the minimal-perturbation view: the change of variables
 * {@code x = (tanh(w) + 1) / 2} keeps x in [0, 1] without clipping; Adam minimises
 * {@code ||x - x0||_2^2 + c max(Z_y - max_{j != y} Z_j, -k)}; a binary search over c per image, with early
 * abort when the loss stalls; and the smallest successful perturbation is kept. Each eps, an L2 budget here,
 * then clips it.
 */
public final class CwL2 implements Attack {

    /**
     * @param searchSteps  binary-search steps over c
     * @param steps        Adam steps per search step
     * @param lr           Adam learning rate on w
     * @param initialConst the first c
     * @param kappa        confidence
     */
    public record Config(int searchSteps, int steps, double lr, double initialConst, double kappa) {
        public Config {
            if (searchSteps <= 0 || steps <= 0 || !(lr > 0) || !(initialConst > 0) || !(kappa >= 0)) {
                throw new AerobustException(ExitCode.USAGE, "cw-l2 needs positive search steps, steps, lr and c");
            }
        }

        public static Config defaults() {
            return new Config(9, 100, 0.01, 1e-2, 0);
        }
    }

    private final Config cfg;

    public CwL2(Config cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "cw-l2";
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("search_steps", cfg.searchSteps(), "steps", cfg.steps(), "lr", cfg.lr(),
                "initial_const", cfg.initialConst(), "eps_norm", "l2");
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        Rows.requireEps(eps);
        int n = (int) x.size(0);
        double[] c = new double[n];
        double[] lower = new double[n];
        double[] upper = new double[n];
        Arrays.fill(c, cfg.initialConst());
        Arrays.fill(upper, 1e10);
        double[] bestL2 = new double[n];
        Arrays.fill(bestL2, Double.POSITIVE_INFINITY);
        Tensor best = x.clone();
        Tensor w0 = Autograd.noGrad(() -> x.mul(new Scalar(2.0)).sub(new Scalar(1.0))
                .mul(new Scalar(1 - 1e-6)).atanh());
        for (int search = 0; search < cfg.searchSteps(); search++) {
            try (Scope s = Scope.open()) {
                Tensor w = w0.clone().set_requires_grad(true);
                Optim opt = Optim.adam(java.util.List.of(w), cfg.lr(), 0);
                float[] cf = new float[n];
                for (int i = 0; i < n; i++) {
                    cf[i] = (float) c[i];
                }
                Tensor ct = Tensors.fromFloats(cf, n);
                boolean[] succeeded = new boolean[n];
                double prevLoss = Double.POSITIVE_INFINITY;
                for (int t = 0; t < cfg.steps(); t++) {
                    try (Scope inner = Scope.open()) {
                        Tensor xa = w.tanh().add(new Scalar(1.0)).mul(new Scalar(0.5));
                        Tensor l2sq = xa.sub(x).flatten(1, -1).pow(new Scalar(2.0)).sum(new long[] {1}, false,
                                new org.bytedeco.pytorch.ScalarTypeOptional());
                        Tensor margin = Margins.margin(model.logits(xa), labels);
                        double[] mg = Tensors.toDoubles(margin.detach());
                        double[] d2 = Tensors.toDoubles(l2sq.detach());
                        boolean[] take = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            if (mg[i] < -cfg.kappa() || (cfg.kappa() == 0 && mg[i] < 0)) {
                                succeeded[i] = true;
                                if (Math.sqrt(d2[i]) < bestL2[i]) {
                                    bestL2[i] = Math.sqrt(d2[i]);
                                    take[i] = true;
                                }
                            }
                        }
                        Rows.keep(best, xa, take);
                        Tensor loss = l2sq.add(ct.mul(torch.clamp(margin, new ScalarOptional(new Scalar(-cfg.kappa())),
                                new ScalarOptional()))).sum();
                        double lv = loss.item_double();
                        // early abort: no 0.01% progress over a tenth of the steps
                        if (t > 0 && t % Math.max(1, cfg.steps() / 10) == 0) {
                            if (lv > prevLoss * 0.9999) {
                                break;
                            }
                            prevLoss = lv;
                        }
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                    }
                }
                for (int i = 0; i < n; i++) {
                    if (succeeded[i]) {
                        upper[i] = Math.min(upper[i], c[i]);
                        c[i] = (lower[i] + upper[i]) / 2;
                    } else {
                        lower[i] = Math.max(lower[i], c[i]);
                        c[i] = upper[i] < 1e9 ? (lower[i] + upper[i]) / 2 : c[i] * 10;
                    }
                }
            }
        }
        return MinimalPerturbation.clip(name(), model, x, labels, best, eps, MinimalPerturbation.Norm.L2);
    }
}
