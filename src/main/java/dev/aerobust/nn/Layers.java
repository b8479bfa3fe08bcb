package dev.aerobust.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The layers the study's networks are made of, with PyTorch's default initialisation
 * (weights and biases uniform in +-1/sqrt(fan_in)), so that a model here starts where one in PyTorch would.
 */
public final class Layers {

    private Layers() {
    }

    /** 2-D convolution, square kernel. */
    public static final class Conv2d extends Net {
        private final Tensor weight;
        private final Tensor bias;
        private final long[] stride;
        private final long[] padding;

        public Conv2d(long in, long out, long kernel, long stride, long padding) {
            double bound = 1.0 / Math.sqrt(in * kernel * kernel);
            this.weight = parameter("weight", uniform(bound, out, in, kernel, kernel));
            this.bias = parameter("bias", uniform(bound, out));
            this.stride = new long[] {stride, stride};
            this.padding = new long[] {padding, padding};
        }

        @Override
        public Tensor forward(Tensor x) {
            return torch.conv2d(x, weight, new TensorOptional(bias), stride, padding, new long[] {1, 1}, 1);
        }

        public Tensor weight() {
            return weight;
        }

        /**
         * This convolution followed by {@code norm} in eval mode, as one convolution: the weights scaled by
         * {@code gamma / sqrt(running_var + eps)} per output channel, the bias shifted to match. The same function
         * up to rounding, without batch norm's passes over the activations (forward and backward).
         */
        public Tensor forwardFolded(Tensor x, BatchNorm2d norm) {
            Tensor scale = norm.weight.mul(torch.rsqrt(norm.runningVar.add(new Scalar(BatchNorm2d.EPS))));
            Tensor w = weight.mul(scale.view(-1, 1, 1, 1));
            Tensor b = bias.sub(norm.runningMean).mul(scale).add(norm.bias);
            return torch.conv2d(x, w, new TensorOptional(b), stride, padding, new long[] {1, 1}, 1);
        }
    }

    /** 2-D transposed convolution, square kernel. */
    public static final class ConvTranspose2d extends Net {
        private final Tensor weight;
        private final Tensor bias;
        private final long[] stride;
        private final long[] padding;
        private final long[] outputPadding;

        public ConvTranspose2d(long in, long out, long kernel, long stride, long padding, long outputPadding) {
            // PyTorch computes fan_in from weight.size(1) * k * k, and the weight is [in, out, k, k]
            double bound = 1.0 / Math.sqrt(out * kernel * kernel);
            this.weight = parameter("weight", uniform(bound, in, out, kernel, kernel));
            this.bias = parameter("bias", uniform(bound, out));
            this.stride = new long[] {stride, stride};
            this.padding = new long[] {padding, padding};
            this.outputPadding = new long[] {outputPadding, outputPadding};
        }

        @Override
        public Tensor forward(Tensor x) {
            return torch.conv_transpose2d(x, weight, new TensorOptional(bias), stride, padding, outputPadding, 1,
                    1, 1);
        }
    }

    /** Fully connected layer. */
    public static final class Linear extends Net {
        private final Tensor weight;
        private final Tensor bias;

        public Linear(long in, long out) {
            double bound = 1.0 / Math.sqrt(in);
            this.weight = parameter("weight", uniform(bound, out, in));
            this.bias = parameter("bias", uniform(bound, out));
        }

        @Override
        public Tensor forward(Tensor x) {
            return torch.linear(x, weight, new TensorOptional(bias));
        }

        /** The weight matrix {@code [out, in]}. */
        public Tensor weight() {
            return weight;
        }
    }

    /** Batch normalisation over channels, with running statistics used in eval mode. */
    public static final class BatchNorm2d extends Net {
        private static final double MOMENTUM = 0.1;
        private static final double EPS = 1e-5;
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor runningMean;
        private final Tensor runningVar;

        public BatchNorm2d(long channels) {
            this.weight = undecayedParameter("weight", torch.ones(channels));
            this.bias = undecayedParameter("bias", torch.zeros(channels));
            this.runningMean = buffer("running_mean", torch.zeros(channels));
            this.runningVar = buffer("running_var", torch.ones(channels));
        }

        @Override
        public Tensor forward(Tensor x) {
            return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias),
                    new TensorOptional(runningMean), new TensorOptional(runningVar), isTraining(), MOMENTUM, EPS,
                    false);
        }
    }
}
