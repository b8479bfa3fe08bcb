package dev.aerobust.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.ImageSet;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Precision;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.testing.RealData;

/**
 * {@code --jacobian-precision bf16} is offered because these measured checks hold: on an MNIST-sized model the bf16
 * penalty and its weight gradient match fp32's, and a CAE's training loss with the bf16 penalty follows fp32's
 * within 0.5% at every step.
 */
@Tag("slow")
class Bf16JacobianTest {

    @Test
    void bf16PenaltyAndGradientMatchFp32OnOneModel() {
        dev.aerobust.testing.Bf16.assumeNative();
        Engine.seed(3);
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CAE);
        Autoencoder m = new Autoencoder(AutoencoderConfig.spec(cfg));
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(64, 1, 28, 28);
            double[] value = new double[2];
            double[][] grad = new double[2][];
            for (Precision p : Precision.values()) {
                m.zeroGrad();
                value[p.ordinal()] = m.jacobianFrobeniusSq(x, Autoencoder.Head.MEAN, 32, p, Tensor::backward);
                grad[p.ordinal()] = Tensors.toDoubles(m.namedParameters().get("enc1.weight").grad());
            }
            assertEquals(value[0], value[1], 1e-3 * value[0], "penalty, fp32 against bf16");
            double dot = 0;
            double n0 = 0;
            double n1 = 0;
            for (int i = 0; i < grad[0].length; i++) {
                dot += grad[0][i] * grad[1][i];
                n0 += grad[0][i] * grad[0][i];
                n1 += grad[1][i] * grad[1][i];
            }
            double cos = dot / Math.sqrt(n0 * n1);
            assertTrue(cos > 0.999, "cosine of the enc1 gradients, fp32 against bf16: " + cos);
            assertEquals(Math.sqrt(n0), Math.sqrt(n1), 0.01 * Math.sqrt(n0), "norm of the enc1 gradient");
        }
    }

    /**
     * Training is chaotic (a 1e-6 nudge of the initial weights moves the loss by tenths of a percent within a
     * hundred steps), so the runs are compared step by step from the same start, over the first 60 steps of a CAE
     * (alpha 1) on real MNIST: the bf16 penalty's loss stays within 0.5% of fp32's at every step, and its mean
     * distance is of the order of that nudge's (at most 5 times it).
     */
    @Test
    void caeTrainingLossWithTheBf16PenaltyFollowsFp32() {
        dev.aerobust.testing.Bf16.assumeNative();
        ImageSet train = RealData.mnistTrainSample();
        int steps = 60;
        double[] fp32 = losses(train, Precision.FP32, 0, steps);
        double[] nudged = losses(train, Precision.FP32, 1e-6, steps);
        double[] bf16 = losses(train, Precision.BF16, 0, steps);
        double worst = 0;
        double meanBf16 = 0;
        double meanNudged = 0;
        for (int i = 0; i < steps; i++) {
            double d = Math.abs(bf16[i] - fp32[i]) / fp32[i];
            worst = Math.max(worst, d);
            meanBf16 += d / steps;
            meanNudged += Math.abs(nudged[i] - fp32[i]) / fp32[i] / steps;
        }
        System.out.printf("CAE alpha 1, %d steps: loss %.4f -> %.4f (fp32), %.4f (bf16 penalty); relative distance"
                + " to fp32: bf16 worst %.5f mean %.5f, fp32 nudged by 1e-6 mean %.5f%n", steps, fp32[0],
                fp32[steps - 1], bf16[steps - 1], worst, meanBf16, meanNudged);
        assertTrue(fp32[steps - 1] < 0.6 * fp32[0], "the CAE learns: " + fp32[0] + " -> " + fp32[steps - 1]);
        assertTrue(worst <= 0.005, "bf16 penalty's loss within 0.5% of fp32's at every step: worst " + worst);
        assertTrue(meanBf16 <= 5 * Math.max(meanNudged, 1e-5), "bf16 mean distance " + meanBf16
                + " against a 1e-6 nudge's " + meanNudged);
    }

    /** The training loss of each of the first {@code steps} steps (batches of 100 in order, noise seeded). */
    private static double[] losses(ImageSet train, Precision p, double nudge, int steps) {
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, Family.CAE).with(AutoencoderConfig.ALPHA, 1.0)
                .with(AutoencoderConfig.JACOBIAN_PRECISION, p);
        Engine.seed(0);
        Autoencoder m = new Autoencoder(AutoencoderConfig.spec(cfg));
        m.train(true);
        if (nudge > 0) {
            dev.aerobust.testing.Nudge.weights(m.parameters(), nudge);
        }
        AutoencoderObjective obj = new AutoencoderObjective(m, cfg);
        Optim opt = Optim.adam(m.parameters(), 2e-3, 0);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            try (Scope s = Scope.open()) {
                int[] idx = new int[100];
                int first = i * 100;
                java.util.Arrays.setAll(idx, j -> first + j);
                Engine.seed(1000 + i);
                opt.zeroGrad();
                out[i] = obj.step(train.images(idx), null, 1).get("loss");
                opt.step();
            }
        }
        return out;
    }
}
