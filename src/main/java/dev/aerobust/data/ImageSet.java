package dev.aerobust.data;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.bytedeco.pytorch.Tensor;

import dev.aerobust.nn.Tensors;

/**
 * Images and labels held in memory as unsigned bytes (NCHW), handed out as float tensors in [0, 1].
 *
 * <p>Bytes keep 60,000 MNIST images at 47 MB; the float conversion happens per batch.
 *
 * @param id       the dataset
 * @param split    the split these images come from
 * @param channels channels per image
 * @param height   image height
 * @param width    image width
 * @param pixels   pixel values 0..255, image after image, each in CHW order
 * @param labels   class indices
 * @param checksum SHA-256 that identifies the source files (for provenance)
 */
public record ImageSet(DatasetId id, Split split, int channels, int height, int width, byte[] pixels, int[] labels,
                       String checksum) {

    public ImageSet {
        long per = (long) channels * height * width;
        if (per * labels.length != pixels.length) {
            throw new DataException(id + " " + split.label() + ": " + labels.length + " labels but "
                    + pixels.length + " pixel bytes (expected " + per * labels.length + ")");
        }
        for (int l : labels) {
            if (l < 0 || l >= id.classes()) {
                throw new DataException(id + " " + split.label() + ": label " + l + " outside 0.." + (id.classes() - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }

    /** The shape of one image, {@code [C, H, W]}. */
    public int[] shape() {
        return new int[] {channels, height, width};
    }

    /** How many images of each class. */
    public int[] classCounts() {
        int[] counts = new int[id.classes()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** The images at {@code indices} as a float32 tensor {@code [n, C, H, W]} in [0, 1]. */
    public Tensor images(int[] indices) {
        int per = imageSize();
        float[] out = new float[indices.length * per];
        for (int i = 0; i < indices.length; i++) {
            int base = indices[i] * per;
            for (int j = 0; j < per; j++) {
                out[i * per + j] = (pixels[base + j] & 0xff) / 255f;
            }
        }
        return Tensors.fromFloats(out, indices.length, channels, height, width);
    }

    /** The labels at {@code indices} as an int64 tensor {@code [n]}. */
    public Tensor labels(int[] indices) {
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = labels[indices[i]];
        }
        return Tensors.fromLongs(out, indices.length);
    }

    /** The first {@code n} images, in file order (the study's attack set for MNIST and Fashion-MNIST). */
    public ImageSet first(int n) {
        checkSubsetSize(n);
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return subset(idx);
    }

    /** {@code n} distinct images drawn with {@code seed}: the same seed always gives the same images. */
    public ImageSet sample(int n, long seed) {
        return subset(sampleIndices(n, seed));
    }

    /** The indices of {@link #sample}'s images. */
    public int[] sampleIndices(int n, long seed) {
        checkSubsetSize(n);
        return Arrays.copyOf(permutation(size(), seed), n);
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet subset(int[] indices) {
        int per = imageSize();
        byte[] px = new byte[indices.length * per];
        int[] lb = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * per, px, i * per, per);
            lb[i] = labels[indices[i]];
        }
        return new ImageSet(id, split, channels, height, width, px, lb, checksum);
    }

    /** A seeded permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private void checkSubsetSize(int n) {
        if (n < 0 || n > size()) {
            throw new DataException(id + " " + split.label() + " has " + size() + " images; cannot take " + n);
        }
    }
}
