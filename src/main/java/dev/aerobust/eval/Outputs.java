package dev.aerobust.eval;

import java.util.function.UnaryOperator;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.data.DataException;
import dev.aerobust.data.ImageSet;
import dev.aerobust.nn.Autograd;
import dev.aerobust.nn.Scope;

/**
 * The check a model passes before the store takes it: its outputs on the test set are finite. A classifier whose
 * logits hold NaN would otherwise pass for one of chance accuracy, and an autoencoder whose reconstructions do
 * would be attacked into NaN.
 */
public final class Outputs {

    private Outputs() {
    }

    /** The images of {@code set} on which {@code f}'s output holds a NaN or an infinity, in batches. */
    public static int nonFinite(UnaryOperator<Tensor> f, ImageSet set, int batch) {
        int bad = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int n = Math.min(batch, set.size() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            try (Scope s = Scope.open()) {
                bad += (int) Autograd.noGrad(() -> {
                    Tensor out = f.apply(set.images(idx));
                    Tensor rowOk = torch.isfinite(out).flatten(1, -1).all(1);
                    return rowOk.logical_not().sum();
                }).item_long();
            }
        }
        return bad;
    }

    /** Fails (bad data naming {@code what}) if {@code f}'s outputs on {@code set} are not all finite. */
    public static void requireFinite(UnaryOperator<Tensor> f, ImageSet set, String what) {
        int bad = nonFinite(f, set, 500);
        if (bad > 0) {
            throw new DataException(what + " outputs NaN or infinity on " + bad + " of the " + set.size() + " test"
                    + " images; it is not stored");
        }
    }
}
