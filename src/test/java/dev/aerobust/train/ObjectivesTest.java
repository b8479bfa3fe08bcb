package dev.aerobust.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.DType;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/**
 * The training objectives against finite differences, in float64 on tiny shapes: the ELBO, the exact
 * contractive penalty and its weight gradient, and the noise targets.
 */
class ObjectivesTest {

    private static final double H = 1e-6;

    static Autoencoder tiny(boolean variational) {
        Autoencoder m = new Autoencoder(new Autoencoder.Spec(1, 8, 8, 3, variational,
                Autoencoder.DecoderMean.SIGMOID, 0.0025));
        m.to(DType.FLOAT64);
        return m;
    }

    static Settings cfg(Family f, boolean denoising, double alpha, double beta) {
        Settings s = AutoencoderConfig.defaults(DatasetId.MNIST, f).with(AutoencoderConfig.LATENT, 3)
                .with(TrainParams.BATCH, 4);
        if (f.variational()) {
            s = s.with(AutoencoderConfig.SAMPLES, 3);
        }
        if (f.contractive()) {
            s = s.with(AutoencoderConfig.DENOISING, denoising).with(AutoencoderConfig.ALPHA, alpha)
                    .with(AutoencoderConfig.JACOBIAN_CHUNK, 2);
        }
        return f == Family.CVAE ? s.with(AutoencoderConfig.BETA, beta) : s;
    }

    static Tensor images(int n) {
        return torch.rand(n, 1, 8, 8).to(torch.ScalarType.Double);
    }

    /** Central difference of {@code f} in entry {@code i} of tensor {@code p} (flattened). */
    static double fd(Tensor p, long i, DoubleSupplier f) {
        Tensor flat = p.detach().view(-1);
        double orig = flat.get(i).item_double();
        Autograd.noGrad(() -> flat.get(i).fill_(new Scalar(orig + H)));
        double plus = f.getAsDouble();
        Autograd.noGrad(() -> flat.get(i).fill_(new Scalar(orig - H)));
        double minus = f.getAsDouble();
        Autograd.noGrad(() -> flat.get(i).fill_(new Scalar(orig)));
        return (plus - minus) / (2 * H);
    }

    static double gradAt(Tensor p, long i) {
        return p.grad().view(-1).get(i).item_double();
    }

    @Test
    void klAndGaussianNllMatchTheirClosedForms() {
        try (Scope s = Scope.open()) {
            Tensor mu = Tensors.fromDoubles(new double[] {0, 0, 1, 2}, 2, 2);
            Tensor logvar = Tensors.fromDoubles(new double[] {0, 0, 0, Math.log(4)}, 2, 2);
            double[] kl = Tensors.toDoubles(Objectives.klToStandardNormal(mu, logvar));
            assertEquals(0, kl[0], 1e-12);
            // 0.5 * (1 + 0 - 1) + 0.5 * (4 + 4 - 1 - ln 4)
            assertEquals(0.5 + 0.5 * (4 + 4 - 1 - Math.log(4)), kl[1], 1e-12);
            Tensor mean = Tensors.fromDoubles(new double[] {0.5, 0.5}, 1, 1, 1, 2);
            Tensor target = Tensors.fromDoubles(new double[] {0.7, 0.1}, 1, 1, 1, 2);
            Tensor var = Tensors.fromDoubles(new double[] {0.04, 0.09}, 1, 1, 2);
            double want = 0.5 * (0.04 / 0.04 + Math.log(0.04) + Math.log(2 * Math.PI))
                    + 0.5 * (0.16 / 0.09 + Math.log(0.09) + Math.log(2 * Math.PI));
            assertEquals(want, Objectives.gaussianNll(mean, target, var).item_double(), 1e-12);
        }
    }

    @Test
    void decoderVarianceHasItsFloor() {
        Autoencoder m = tiny(true);
        try (Scope s = Scope.open()) {
            Autograd.noGrad(() -> m.namedParameters().get("dec_var").fill_(new Scalar(-50.0)));
            assertEquals(0.0025, m.decoderVariance().min().item_double(), 1e-12);
        }
    }

    /** The gradient of -ELBO (sampling fixed by the seed) with respect to the weights equals its finite differences. */
    @Test
    void elboGradientMatchesFiniteDifferences() {
        Engine.seed(11);
        Autoencoder m = tiny(true);
        AutoencoderObjective obj = new AutoencoderObjective(m, cfg(Family.VAE, false, 0, 0));
        try (Scope s = Scope.open()) {
            Tensor x = images(4);
            Tensor target = x.clone();
            DoubleSupplier f = () -> {
                Engine.seed(99);
                return Autograd.noGrad(() -> obj.loss(x, target, 2.5, new LinkedHashMap<>()).item_double());
            };
            m.zeroGrad();
            Engine.seed(99);
            obj.loss(x, target, 2.5, new LinkedHashMap<>()).backward();
            Map<String, Tensor> p = m.namedParameters();
            for (String name : List.of("enc1.weight", "mu.weight", "logvar.weight", "logvar.bias", "dec_fc.weight",
                    "dec2.weight", "dec_var")) {
                for (long i : new long[] {0, 2}) {
                    double num = fd(p.get(name), i, f);
                    assertEquals(num, gradAt(p.get(name), i), 1e-5 * Math.max(1, Math.abs(num)), name + "[" + i + "]");
                }
            }
        }
    }

    /** The exact penalty equals the squared Frobenius norm of a finite-difference Jacobian. */
    @Test
    void contractivePenaltyEqualsItsFiniteDifferenceValue() {
        Engine.seed(3);
        Autoencoder m = tiny(true);
        try (Scope s = Scope.open()) {
            Tensor x = images(2);
            for (boolean variance : new boolean[] {false, true}) {
                java.util.function.Function<Tensor, Tensor> head = variance ? xr -> m.encode(xr).variance()
                        : xr -> m.encode(xr).mu();
                double exact = Objectives.jacobianFrobeniusSq(x, head, 3, 2, t -> { });
                double[] base = Tensors.toDoubles(x);
                double sum = 0;
                for (int i = 0; i < base.length; i++) {
                    double[] plus = base.clone();
                    double[] minus = base.clone();
                    plus[i] += H;
                    minus[i] -= H;
                    double[] fp = Tensors.toDoubles(Autograd.noGrad(() -> head.apply(Tensors.fromDoubles(plus, 2, 1, 8, 8))));
                    double[] fm = Tensors.toDoubles(Autograd.noGrad(() -> head.apply(Tensors.fromDoubles(minus, 2, 1, 8, 8))));
                    // pixel i belongs to one image; its column of that image's Jacobian
                    int img = i / 64;
                    for (int k = 0; k < 3; k++) {
                        double d = (fp[img * 3 + k] - fm[img * 3 + k]) / (2 * H);
                        sum += d * d;
                    }
                }
                assertEquals(sum / 2, exact, 1e-6 * Math.max(1, sum), variance ? "sigma^2 head" : "mu head");
                assertTrue(exact > 0);
            }
        }
    }

    /** The penalty's gradient with respect to the weights (double backprop) equals finite differences of its value. */
    @Test
    void contractivePenaltyWeightGradientMatchesFiniteDifferences() {
        Engine.seed(4);
        Autoencoder m = tiny(false);
        try (Scope s = Scope.open()) {
            Tensor x = images(2);
            java.util.function.Function<Tensor, Tensor> head = xr -> m.encode(xr).mu();
            m.zeroGrad();
            Objectives.jacobianFrobeniusSq(x, head, 3, 2, Tensor::backward);
            DoubleSupplier f = () -> Objectives.jacobianFrobeniusSq(x, head, 3, 3, t -> { });
            Map<String, Tensor> p = m.namedParameters();
            for (String name : List.of("enc1.weight", "enc1.bias", "enc2.weight", "mu.weight")) {
                for (long i : new long[] {0, 5}) {
                    double num = fd(p.get(name), i, f);
                    assertEquals(num, gradAt(p.get(name), i), 1e-5 * Math.max(1, Math.abs(num)), name + "[" + i + "]");
                }
            }
            // the decoder does not enter the penalty
            assertTrue(p.get("dec1.weight").grad().defined() == false
                    || p.get("dec1.weight").grad().abs().max().item_double() == 0);
        }
    }

    /**
     * The model's block-local Jacobian equals generic double back-propagation, value and weight gradient, on a
     * grey square input and on a 3-channel non-square one, with the images split into uneven chunks.
     */
    @Test
    void blockLocalJacobianEqualsDoubleBackpropagation() {
        int[][] shapes = {{1, 8, 8}, {3, 8, 12}};
        for (int[] shape : shapes) {
            for (boolean variational : new boolean[] {false, true}) {
                Engine.seed(12);
                Autoencoder m = new Autoencoder(new Autoencoder.Spec(shape[0], shape[1], shape[2], 3, variational,
                        Autoencoder.DecoderMean.SIGMOID, 0.0025));
                m.to(DType.FLOAT64);
                try (Scope s = Scope.open()) {
                    Tensor x = torch.rand(3, shape[0], shape[1], shape[2]).to(torch.ScalarType.Double);
                    for (Autoencoder.Head head : variational ? Autoencoder.Head.values()
                            : new Autoencoder.Head[] {Autoencoder.Head.MEAN}) {
                        String what = head + " " + java.util.Arrays.toString(shape);
                        java.util.function.Function<Tensor, Tensor> f = head == Autoencoder.Head.MEAN
                                ? xr -> m.encode(xr).mu() : xr -> m.encode(xr).variance();
                        m.zeroGrad();
                        double generic = Objectives.jacobianFrobeniusSq(x, f, 3, 2, Tensor::backward);
                        Map<String, double[]> g1 = new LinkedHashMap<>();
                        m.namedParameters().forEach((k, v) -> g1.put(k, v.grad().defined()
                                ? Tensors.toDoubles(v.grad()) : null));
                        m.zeroGrad();
                        double local = m.jacobianFrobeniusSq(x, head, 2, Tensor::backward);
                        assertTrue(generic > 0, what);
                        assertEquals(generic, local, 1e-10 * Math.max(1, generic), what + " value");
                        m.namedParameters().forEach((k, v) -> {
                            double[] a = g1.get(k);
                            double[] b = v.grad().defined() ? Tensors.toDoubles(v.grad()) : null;
                            if (a == null || b == null) {
                                assertTrue(a == null || java.util.Arrays.stream(a).allMatch(z -> z == 0), k);
                                assertTrue(b == null || java.util.Arrays.stream(b).allMatch(z -> z == 0), k);
                                return;
                            }
                            for (int i = 0; i < a.length; i++) {
                                assertEquals(a[i], b[i], 1e-9 * Math.max(1, Math.abs(a[i])),
                                        what + " d/d" + k + "[" + i + "]");
                            }
                        });
                    }
                }
            }
        }
    }

    /** Training step of a contractive VAE: the total gradient is that of -ELBO plus the weighted penalties. */
    @Test
    void contractiveStepGradientMatchesFiniteDifferencesOfTheTotal() {
        Engine.seed(5);
        Autoencoder m = tiny(true);
        Settings c = cfg(Family.CVAE, false, 0.8, 0.4);
        AutoencoderObjective obj = new AutoencoderObjective(m, c);
        try (Scope s = Scope.open()) {
            Tensor x = images(2);
            m.zeroGrad();
            Engine.seed(21);
            double reported = obj.step(x, null, 9).get("loss");
            DoubleSupplier f = () -> {
                Engine.seed(21);
                Tensor in = Objectives.noisy(x, Units.noiseStd(c.get(AutoencoderConfig.STP)), c.get(AutoencoderConfig.CLIP_NOISE));
                double l = Autograd.noGrad(() -> obj.loss(in, in, 9, new LinkedHashMap<>()).item_double());
                double a = Objectives.jacobianFrobeniusSq(in, xr -> m.encode(xr).mu(), 3, 3, t -> { });
                double b = Objectives.jacobianFrobeniusSq(in, xr -> m.encode(xr).variance(), 3, 3, t -> { });
                return l + Units.contractiveWeight(0.8) * a + Units.contractiveWeight(0.4) * b;
            };
            assertEquals(f.getAsDouble(), reported, 1e-9);
            Map<String, Tensor> p = m.namedParameters();
            for (String name : List.of("enc1.weight", "logvar.weight", "mu.bias")) {
                double num = fd(p.get(name), 1, f);
                assertEquals(num, gradAt(p.get(name), 1), 1e-5 * Math.max(1, Math.abs(num)), name);
            }
        }
    }

    /** Denoising: the target is the clean image. Augmentation: the target is the noisy input itself. */
    @Test
    void noiseTargetsFollowTheFamily() {
        for (Family f : new Family[] {Family.AE, Family.DAE}) {
            Engine.seed(6);
            Autoencoder m = tiny(false);
            Settings c = cfg(f, f.denoising(), 0, 0);
            AutoencoderObjective obj = new AutoencoderObjective(m, c);
            try (Scope s = Scope.open()) {
                Tensor x = images(3);
                m.zeroGrad();
                Engine.seed(8);
                double reported = obj.step(x, null, 0).get("loss");
                DoubleSupplier withRule = () -> {
                    Engine.seed(8);
                    Tensor in = Objectives.noisy(x, Units.noiseStd(c.get(AutoencoderConfig.STP)), true);
                    Tensor target = f.denoising() ? x : in;
                    return Autograd.noGrad(() -> Objectives.halfSquaredError(m.forward(in), target).item_double());
                };
                DoubleSupplier otherRule = () -> {
                    Engine.seed(8);
                    Tensor in = Objectives.noisy(x, Units.noiseStd(c.get(AutoencoderConfig.STP)), true);
                    Tensor target = f.denoising() ? in : x;
                    return Autograd.noGrad(() -> Objectives.halfSquaredError(m.forward(in), target).item_double());
                };
                assertEquals(withRule.getAsDouble(), reported, 1e-12, f + " target");
                assertNotEquals(otherRule.getAsDouble(), reported, 1e-6, f + " differs from the other rule");
                Tensor w = m.namedParameters().get("dec2.weight");
                double num = fd(w, 3, withRule);
                assertEquals(num, gradAt(w, 3), 1e-6 * Math.max(1, Math.abs(num)), f + " gradient");
            }
        }
    }

    @Test
    void noiseIsClippedToTheDataRangeAndHasTheStudyStd() {
        Engine.seed(1);
        try (Scope s = Scope.open()) {
            Tensor x = torch.full(new long[] {20000}, new Scalar(0.5)).to(torch.ScalarType.Double);
            Tensor n = Objectives.noisy(x, Units.noiseStd(0.4), false);
            assertEquals(0.2, n.std().item_double(), 0.005);
            Tensor zeros = torch.zeros(20000).to(torch.ScalarType.Double);
            Tensor c = Objectives.noisy(zeros, 0.2, true);
            assertTrue(c.min().item_double() >= 0 && c.max().item_double() <= 1);
        }
    }
}
