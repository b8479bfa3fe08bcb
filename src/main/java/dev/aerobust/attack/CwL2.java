package dev.aerobust.attack;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.config.Settings;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Ops;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * The textbook Carlini-Wagner L2 attack (2017), for the minimal-perturbation view: the change of variables
 * {@code x = (tanh(w) + 1) / 2} keeps x in [0, 1] without clipping; Adam minimises
 * {@code ||x - x0||_2^2 + c max(Z_y - max_{j != y} Z_j, -k)}; a binary search over c per image, with early
 * abort when the loss stalls; and the smallest successful perturbation is kept. Each eps, an L2 budget here,
 * then clips it.
 */
public final class CwL2 implements Attack {

    private final Settings cfg;

    /** {@code cfg}: settings of {@code cw-l2} ({@link AttackConfig}). */
    public CwL2(Settings cfg) {
        if (cfg.get(AttackConfig.ATTACK) != AttackKind.CW_L2) {
            throw new IllegalArgumentException("not a cw-l2 configuration: " + cfg);
        }
        this.cfg = cfg;
    }

    @Override
    public Settings settings() {
        return cfg;
    }

    @Override
    public double cost() {
        return (double) cfg.get(AttackConfig.STEPS) * cfg.get(AttackConfig.SEARCH_STEPS);
    }

    @Override
    public AttackResult run(LogitsModel model, Tensor x, Tensor labels, double[] eps) {
        Rows.requireEps(eps);
        double kappa = cfg.get(AttackConfig.KAPPA);
        int n = (int) x.size(0);
        double[] c = new double[n];
        double[] lower = new double[n];
        double[] upper = new double[n];
        Arrays.fill(c, cfg.get(AttackConfig.INITIAL_CONST));
        Arrays.fill(upper, 1e10);
        double[] bestL2 = new double[n];
        Arrays.fill(bestL2, Double.POSITIVE_INFINITY);
        Tensor best = x.clone();
        Tensor w0 = Autograd.noGrad(() -> Ops.mul(Ops.add(Ops.mul(x, 2.0), -1.0), 1 - 1e-6).atanh());
        for (int search = 0; search < cfg.get(AttackConfig.SEARCH_STEPS); search++) {
            try (Scope s = Scope.open()) {
                Tensor w = w0.clone().set_requires_grad(true);
                Optim opt = Optim.adam(java.util.List.of(w), cfg.get(AttackConfig.LR), 0);
                float[] cf = new float[n];
                for (int i = 0; i < n; i++) {
                    cf[i] = (float) c[i];
                }
                Tensor ct = Tensors.fromFloats(cf, n);
                boolean[] succeeded = new boolean[n];
                double prevLoss = Double.POSITIVE_INFINITY;
                for (int t = 0; t < cfg.get(AttackConfig.STEPS); t++) {
                    try (Scope inner = Scope.open()) {
                        Tensor xa = Ops.mul(Ops.add(w.tanh(), 1.0), 0.5);
                        Tensor l2sq = Ops.sqNormRows(xa.sub(x));
                        Tensor margin = Margins.margin(model.logits(xa), labels);
                        double[] mg = Tensors.toDoubles(margin.detach());
                        double[] d2 = Tensors.toDoubles(l2sq.detach());
                        boolean[] take = new boolean[n];
                        for (int i = 0; i < n; i++) {
                            if (mg[i] < -kappa || (kappa == 0 && mg[i] < 0)) {
                                succeeded[i] = true;
                                if (Math.sqrt(d2[i]) < bestL2[i]) {
                                    bestL2[i] = Math.sqrt(d2[i]);
                                    take[i] = true;
                                }
                            }
                        }
                        Rows.keep(best, xa, take);
                        Tensor loss = l2sq.add(ct.mul(Ops.clampMin(margin, -kappa))).sum();
                        double lv = loss.item_double();
                        // early abort: no 0.01% progress over a tenth of the steps
                        if (t > 0 && t % Math.max(1, cfg.get(AttackConfig.STEPS) / 10) == 0) {
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
