package dev.aerobust.eval;

import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.data.ImageSet;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;

/** Clean accuracy of a logits function on an image set, in batches, without gradients. */
public final class Accuracy {

    private Accuracy() {
    }

    public static double of(UnaryOperator<Tensor> logits, ImageSet set, int batch) {
        long correct = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int n = Math.min(batch, set.size() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            try (Scope s = Scope.open()) {
                long[] pred = Autograd.noGrad(() -> Tensors.toLongs(logits.apply(set.images(idx)).argmax(
                        new org.bytedeco.pytorch.LongOptional(1), false)));
                for (int i = 0; i < n; i++) {
                    if (pred[i] == set.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        }
        return set.size() == 0 ? Double.NaN : (double) correct / set.size();
    }
}
