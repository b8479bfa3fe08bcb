package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.aerobust.testing.Synthetic;

class ImageSetTest {

    private static ImageSet set(int n) {
        int[] labels = new int[n];
        Arrays.setAll(labels, i -> i % 10);
        return new ImageSet(DatasetId.MNIST, Split.TEST, 1, 28, 28, Synthetic.images(n, 28, 28, 3), labels, "x");
    }

    @Test
    void firstNKeepsFileOrder() {
        ImageSet s = set(50).first(12);
        assertEquals(12, s.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, s.labels());
    }

    @Test
    void seededSampleIsReproducibleAndDistinct() {
        ImageSet a = set(500).sample(100, 42);
        ImageSet b = set(500).sample(100, 42);
        ImageSet c = set(500).sample(100, 43);
        assertArrayEquals(a.pixels(), b.pixels());
        assertFalse(Arrays.equals(a.pixels(), c.pixels()));
        int[] p = ImageSet.permutation(500, 42);
        assertEquals(500, Arrays.stream(p).distinct().count());
    }

    @Test
    void subsetLargerThanSetIsAnError() {
        assertThrows(DataException.class, () -> set(10).first(11));
    }

    @Test
    void labelsOutsideTheClassRangeAreRejected() {
        assertThrows(DataException.class,
                () -> new ImageSet(DatasetId.MNIST, Split.TEST, 1, 28, 28, new byte[784], new int[] {10}, "x"));
    }
}
