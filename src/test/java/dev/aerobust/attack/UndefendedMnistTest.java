package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.Accuracy;
import dev.aerobust.eval.RobustAccuracy;
import dev.aerobust.model.Classifier;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.testing.RealData;

/**
 * The small version of the undefended check (the full one, 1000 images of the default classifier at
 * eps 0.3, is measured with {@code aerobust attack}; the paper run's records hold it, in docs/paper-mnist/summary.md): a classifier trained briefly on
 * real MNIST (two epochs on 6000 images), then the study's CW-Linf (200 steps) at eps 0.3 on 100 test images.
 * The default classifier goes to 0.0% on 1000 images; this small one keeps a few of the 100 (the fixed gamma = 1
 * trades the margin against ||delta||^2 and can settle short of the boundary): 2 with the NCHW classifier, 5 since
 * it runs channels-last with the pool before the ReLU (the same function; rounding changes the short training's
 * path), so the bound here is 8%. A broken gradient path leaves most images correct.
 */
@Tag("slow")
class UndefendedMnistTest {

    @TempDir
    Path tmp;

    @Test
    void cwLinfAtEps03BringsATrainedMnistClassifierNearZero() throws Exception {
        ImageSet train = RealData.mnistTrainSample();
        ImageSet test = Datasets.load(DatasetId.MNIST, Split.TEST, RealData.dataDir(DatasetId.MNIST), 0).first(100);
        Classifier clf = RealData.briefClassifier(train, test, tmp.resolve("clf"));
        double clean = Accuracy.of(clf::logits, test, 100);
        assertTrue(clean >= 0.9, "the briefly trained classifier reaches " + clean);

        try (Scope s = Scope.open()) {
            int[] idx = new int[test.size()];
            java.util.Arrays.setAll(idx, i -> i);
            Tensor x = test.images(idx);
            Tensor y = test.labels(idx);
            double[] eps = {0, 0.3};
            DefendedClassifier undefended = DefendedClassifier.undefended(clf);
            AttackResult r = new CwLinf(AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, 200), false)
                    .run(undefended, x, y, eps);
            long[] labels = java.util.Arrays.stream(test.labels()).asLongStream().toArray();
            double robust = RobustAccuracy.of(undefended, r.adversarial(1), labels, 100, 1, 0).mean();
            assertTrue(robust <= 0.08, "robust accuracy at eps 0.3: " + robust);
            assertTrue(r.maxLinf(1, Tensors.toFloats(x)) <= 0.3 + 1e-6);
        }
    }
}
