package dev.aerobust.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.DType;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * The classifier's fast forward (channels-last, pool before ReLU, batch norm folded into the convolution in eval
 * mode) computes the study's layers in the study's order, and its gradients are right, in float64.
 */
class ClassifierTest {

    /** The layers as written: conv, batch norm, ReLU, max-pool (dropout off), FC, ReLU, FC; NCHW throughout. */
    private static Tensor reference(Classifier c, Tensor x, boolean training) {
        Map<String, Tensor> p = c.namedParameters();
        Map<String, Tensor> b = c.namedBuffers();
        Tensor h = x;
        for (int i = 1; i <= 4; i++) {
            h = torch.conv2d(h, p.get("conv" + i + ".weight"), new TensorOptional(p.get("conv" + i + ".bias")),
                    new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}, 1);
            h = torch.batch_norm(h, new TensorOptional(p.get("bn" + i + ".weight")),
                    new TensorOptional(p.get("bn" + i + ".bias")), new TensorOptional(b.get("bn" + i + ".running_mean")),
                    new TensorOptional(b.get("bn" + i + ".running_var")), training, 0.1, 1e-5, false);
            h = torch.max_pool2d(torch.relu(h), 2);
        }
        h = torch.relu(torch.linear(h.flatten(1, -1), p.get("fc1.weight"), new TensorOptional(p.get("fc1.bias"))));
        return torch.linear(h, p.get("fc2.weight"), new TensorOptional(p.get("fc2.bias")));
    }

    /** A float64 classifier whose batch norms have non-trivial statistics, scales and shifts. */
    private static Classifier randomized(int channels) {
        Engine.seed(21);
        Classifier c = new Classifier(channels, 16, 16, 5, false);
        c.to(DType.FLOAT64);
        Autograd.noGrad(() -> {
            c.namedParameters().forEach((k, v) -> {
                if (k.startsWith("bn")) {
                    v.copy_(torch.rand(v.size(0)).to(torch.ScalarType.Double).add(new Scalar(0.5)));
                }
            });
            c.namedBuffers().forEach((k, v) -> {
                if (k.endsWith("running_mean")) {
                    v.copy_(torch.randn(v.size(0)).to(torch.ScalarType.Double).mul(new Scalar(0.3)));
                } else if (k.endsWith("running_var")) {
                    v.copy_(torch.rand(v.size(0)).to(torch.ScalarType.Double).add(new Scalar(0.2)));
                }
            });
            return null;
        });
        return c;
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        return a.sub(b).abs().max().item_double();
    }

    @Test
    void evalForwardFoldsBatchNormIntoTheSameFunction() {
        for (int channels : new int[] {1, 3}) {
            Classifier c = randomized(channels);
            c.train(false);
            try (Scope s = Scope.open()) {
                Tensor x = torch.rand(4, channels, 16, 16).to(torch.ScalarType.Double);
                Tensor fast = Autograd.noGrad(() -> c.forward(x));
                Tensor slow = Autograd.noGrad(() -> reference(c, x, false));
                assertTrue(maxAbsDiff(fast, slow) < 1e-12, channels + " channels: " + maxAbsDiff(fast, slow));
                assertTrue(slow.abs().max().item_double() > 1e-3, "the logits are not trivially zero");
            }
        }
    }

    /**
     * In training mode the batch statistics are used and the running ones updated as the layers as written do.
     * Blocks 1 and 2 come before the first dropout, whose mask depends on the memory layout.
     */
    @Test
    void trainForwardUsesBatchStatisticsAndUpdatesTheRunningOnes() {
        Classifier fast = randomized(1);
        Classifier slow = randomized(1);
        fast.train(true);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(6, 1, 16, 16).to(torch.ScalarType.Double);
            Autograd.noGrad(() -> fast.forward(x));
            Autograd.noGrad(() -> reference(slow, x, true));
            for (String k : new String[] {"bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"}) {
                double d = maxAbsDiff(fast.namedBuffers().get(k), slow.namedBuffers().get(k));
                assertTrue(d < 1e-12, k + " after one step: " + d);
                assertTrue(maxAbsDiff(fast.namedBuffers().get(k), randomized(1).namedBuffers().get(k)) > 1e-6,
                        k + " moved");
            }
        }
    }

    /** d loss / d x and d loss / d weights of the fast path in training mode (dropout reseeded) against central differences. */
    @Test
    void trainingGradientsMatchFiniteDifferences() {
        Classifier c = randomized(1);
        c.train(true);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(3, 1, 16, 16).to(torch.ScalarType.Double).set_requires_grad(true);
            Tensor y = Tensors.fromLongs(new long[] {0, 3, 4}, 3);
            java.util.function.Supplier<Tensor> loss = () -> {
                Engine.seed(8);
                return torch.cross_entropy(c.forward(x), y);
            };
            c.zeroGrad();
            loss.get().backward();
            double h = 1e-6;
            Tensor flat = x.detach().view(-1);
            double[] gx = Tensors.toDoubles(x.grad());
            for (int i : new int[] {0, 17, 100, 255, 300, 511, 700}) {
                assertEquals(central(flat, i, h, loss), gx[i], 1e-6, "d loss / d x[" + i + "]");
            }
            for (String name : new String[] {"conv1.weight", "conv3.bias", "bn2.weight", "bn4.bias", "fc1.weight"}) {
                Tensor p = c.namedParameters().get(name);
                double[] g = Tensors.toDoubles(p.grad());
                Tensor pf = p.detach().view(-1);
                assertEquals(central(pf, 0, h, loss), g[0], 1e-6, "d loss / d " + name + "[0]");
            }
        }
    }

    /** The same in eval mode (folded batch norm), for the input gradient an attack uses. */
    @Test
    void evalInputGradientMatchesFiniteDifferences() {
        Classifier c = randomized(3);
        c.freeze();
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(2, 3, 16, 16).to(torch.ScalarType.Double).set_requires_grad(true);
            Tensor y = Tensors.fromLongs(new long[] {1, 2}, 2);
            java.util.function.Supplier<Tensor> loss = () -> torch.cross_entropy(c.forward(x), y);
            loss.get().backward();
            Tensor flat = x.detach().view(-1);
            double[] gx = Tensors.toDoubles(x.grad());
            for (int i : new int[] {0, 33, 256, 600, 1000, 1535}) {
                assertEquals(central(flat, i, 1e-6, loss), gx[i], 1e-6, "d loss / d x[" + i + "]");
            }
        }
    }

    private static double central(Tensor flat, long i, double h, java.util.function.Supplier<Tensor> f) {
        double orig = flat.get(i).item_double();
        return Autograd.noGrad(() -> {
            flat.get(i).fill_(new Scalar(orig + h));
            double plus = f.get().item_double();
            flat.get(i).fill_(new Scalar(orig - h));
            double minus = f.get().item_double();
            flat.get(i).fill_(new Scalar(orig));
            return (plus - minus) / (2 * h);
        });
    }
}
