package dev.aerobust.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LayersTest {

    @Test
    void strideTwoConvAndTransposedConvInvertShapes() {
        Layers.Conv2d c = new Layers.Conv2d(1, 32, 3, 2, 1);
        Layers.ConvTranspose2d t = new Layers.ConvTranspose2d(32, 1, 3, 2, 1, 1);
        try (Scope s = Scope.open()) {
            Tensor h = c.forward(torch.rand(2, 1, 28, 28));
            assertArrayEquals(new long[] {2, 32, 14, 14}, Tensors.shape(h));
            assertArrayEquals(new long[] {2, 1, 28, 28}, Tensors.shape(t.forward(h)));
        }
    }

    @Test
    void samePaddingAndFlooringPoolGo28To1() {
        Layers.Conv2d c = new Layers.Conv2d(1, 1, 3, 1, 1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(1, 1, 28, 28);
            long[] sizes = new long[5];
            sizes[0] = 28;
            for (int i = 1; i < 5; i++) {
                x = torch.max_pool2d(c.forward(x), 2);
                sizes[i] = Tensors.shape(x)[2];
            }
            assertArrayEquals(new long[] {28, 14, 7, 3, 1}, sizes);
        }
    }

    /** The input gradient of conv, transposed conv and linear against central differences, in float64. */
    @Test
    void inputGradientsMatchFiniteDifferences() {
        Engine.seed(5);
        Layers.Conv2d c = new Layers.Conv2d(1, 2, 3, 2, 1);
        Layers.ConvTranspose2d t = new Layers.ConvTranspose2d(2, 1, 3, 2, 1, 1);
        Layers.Linear l = new Layers.Linear(16, 3);
        for (Net n : new Net[] {c, t, l}) {
            n.to(DType.FLOAT64);
        }
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(1, 1, 4, 4).to(torch.ScalarType.Double);
            java.util.function.Function<Tensor, Tensor> f = in -> {
                Tensor h = torch.tanh(t.forward(torch.tanh(c.forward(in))));
                return l.forward(h.flatten(1, -1)).pow(new org.bytedeco.pytorch.Scalar(2.0)).sum();
            };
            Tensor xg = x.clone().set_requires_grad(true);
            f.apply(xg).backward();
            double[] analytic = Tensors.toDoubles(xg.grad());
            double[] base = Tensors.toDoubles(x);
            double h = 1e-6;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone();
                double[] minus = base.clone();
                plus[i] += h;
                minus[i] -= h;
                double fp = f.apply(Tensors.fromDoubles(plus, 1, 1, 4, 4)).item_double();
                double fm = f.apply(Tensors.fromDoubles(minus, 1, 1, 4, 4)).item_double();
                assertEquals((fp - fm) / (2 * h), analytic[i], 1e-7, "d/dx[" + i + "]");
            }
        }
    }
}
