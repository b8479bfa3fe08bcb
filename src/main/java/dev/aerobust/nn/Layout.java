package dev.aerobust.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Memory layouts of image batches. */
public final class Layout {

    private Layout() {
    }

    /**
     * {@code x} (N, C, H, W) with channels-last strides, so that the convolutions and poolings it feeds run their
     * channels-last kernels. A one-channel batch is copied too: its NCHW strides already pass for channels-last
     * contiguous, so {@code contiguous(ChannelsLast)} would return it as is and the engine would keep NCHW.
     * Differentiable: the gradient reaches {@code x} in its own layout.
     */
    public static Tensor channelsLast(Tensor x) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long[] strides = {h * w * c, 1, w * c, c};
        if (java.util.Arrays.equals(x.strides().vec().get(), strides)) {
            return x;
        }
        Tensor out = torch.empty_strided(new long[] {n, c, h, w}, strides,
                x.options());
        return out.copy_(x);
    }
}
