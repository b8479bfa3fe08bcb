package dev.aerobust.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.aerobust.data.DatasetId;
import dev.aerobust.nn.Layers;
import dev.aerobust.nn.Layout;
import dev.aerobust.nn.Net;

/**
 * The study's classifier: 4 x [conv 3x3 (32, same padding), batch norm, ReLU, max-pool 2x2], then FC 500, ReLU,
 * FC to the classes. It returns logits. Dropout 0.3 follows every pool for BTSC and pools 2 and 4 otherwise
 * (authors' code). Pooling floors, so 28x28 goes 28, 14, 7, 3, 1.
 */
public final class Classifier extends Net implements ImageModel, LogitsModel {

    public static final int FILTERS = 32;
    public static final int HIDDEN = 500;
    public static final double DROPOUT = 0.3;

    private final Layers.Conv2d[] convs = new Layers.Conv2d[4];
    private final Layers.BatchNorm2d[] norms = new Layers.BatchNorm2d[4];
    private final boolean[] dropoutAfter = new boolean[4];
    private final Layers.Linear fc1;
    private final Layers.Linear fc2;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    public Classifier(DatasetId dataset) {
        this(dataset.channels(), dataset.height(), dataset.width(), dataset.classes(), dataset == DatasetId.BTSC);
    }

    public Classifier(int channels, int height, int width, int classes, boolean dropoutEveryPool) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        int h = height;
        int w = width;
        for (int i = 0; i < 4; i++) {
            convs[i] = child("conv" + (i + 1), new Layers.Conv2d(i == 0 ? channels : FILTERS, FILTERS, 3, 1, 1));
            norms[i] = child("bn" + (i + 1), new Layers.BatchNorm2d(FILTERS));
            dropoutAfter[i] = dropoutEveryPool || i == 1 || i == 3;
            h /= 2;
            w /= 2;
        }
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("input " + height + "x" + width + " is too small for 4 poolings");
        }
        this.fc1 = child("fc1", new Layers.Linear((long) FILTERS * h * w, HIDDEN));
        this.fc2 = child("fc2", new Layers.Linear(HIDDEN, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        // channels-last throughout: the engine's NCHW max-pool is scalar code, 2-5x slower than its channels-last
        // kernel, and each convolution keeps the layout of its input
        Tensor h = Layout.channelsLast(x);
        boolean training = isTraining();
        for (int i = 0; i < 4; i++) {
            // in eval mode batch norm is an affine map per channel: folded into the convolution, it costs nothing
            h = training ? norms[i].forward(convs[i].forward(h)) : convs[i].forwardFolded(h, norms[i]);
            // pool, then ReLU: the same function and the same gradient (ReLU is monotone), on a quarter of the data
            h = torch.relu(torch.max_pool2d(h, 2));
            if (dropoutAfter[i]) {
                h = torch.dropout(h, DROPOUT, training);
            }
        }
        return fc2.forward(torch.relu(fc1.forward(h.flatten(1, -1))));
    }

    @Override
    public Tensor logits(Tensor x) {
        return forward(x);
    }

    @Override
    public void freeze() {
        train(false);
        requiresGrad(false);
    }

    @Override
    public int[] inputShape() {
        return new int[] {channels, height, width};
    }

    public int classes() {
        return classes;
    }
}
