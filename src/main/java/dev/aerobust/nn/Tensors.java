package dev.aerobust.nn;

import java.util.Arrays;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Moving data between Java arrays and tensors, and small shape helpers. */
public final class Tensors {

    static {
        Engine.init();
    }

    private Tensors() {
    }

    public static TensorOptions options(DType dtype) {
        return new TensorOptions().dtype(new org.bytedeco.pytorch.ScalarTypeOptional(dtype.scalarType()));
    }

    /** A float32 tensor holding a copy of {@code data}, with the given shape. */
    public static Tensor fromFloats(float[] data, long... shape) {
        checkCount(data.length, shape);
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, options(DType.FLOAT32)).clone();
        }
    }

    /** A float64 tensor holding a copy of {@code data}, with the given shape. */
    public static Tensor fromDoubles(double[] data, long... shape) {
        checkCount(data.length, shape);
        try (DoublePointer p = new DoublePointer(data)) {
            return torch.from_blob(p, shape, options(DType.FLOAT64)).clone();
        }
    }

    /** An int64 tensor (class indices) holding a copy of {@code data}. */
    public static Tensor fromLongs(long[] data, long... shape) {
        checkCount(data.length, shape);
        try (LongPointer p = new LongPointer(data)) {
            return torch.from_blob(p, shape, options(DType.INT64)).clone();
        }
    }

    public static float[] toFloats(Tensor t) {
        Tensor c = t.to(DType.FLOAT32.scalarType()).contiguous();
        float[] out = new float[(int) c.numel()];
        new FloatPointer(c.data_ptr()).get(out);
        return out;
    }

    public static double[] toDoubles(Tensor t) {
        Tensor c = t.to(DType.FLOAT64.scalarType()).contiguous();
        double[] out = new double[(int) c.numel()];
        new DoublePointer(c.data_ptr()).get(out);
        return out;
    }

    public static long[] toLongs(Tensor t) {
        Tensor c = t.to(DType.INT64.scalarType()).contiguous();
        long[] out = new long[(int) c.numel()];
        new LongPointer(c.data_ptr()).get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        return t.sizes().vec().get();
    }

    public static DType dtype(Tensor t) {
        return DType.of(t.scalar_type());
    }

    public static Tensor to(Tensor t, DType dtype) {
        return t.to(dtype.scalarType());
    }

    private static void checkCount(int n, long... shape) {
        long want = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            want *= s;
        }
        if (want != n) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + want
                    + " elements but the data has " + n);
        }
    }
}
