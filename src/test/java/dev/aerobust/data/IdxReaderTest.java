package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.testing.Synthetic;

class IdxReaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsRawAndGzippedIdentically() throws Exception {
        byte[] px = Synthetic.images(5, 28, 28, 1);
        byte[] raw = Synthetic.idx(new int[] {5, 28, 28}, px);
        Files.write(tmp.resolve("a"), raw);
        Files.write(tmp.resolve("a.gz"), Synthetic.gzip(raw));
        IdxReader.IdxArray r = IdxReader.read(tmp.resolve("a"));
        IdxReader.IdxArray g = IdxReader.read(tmp.resolve("a.gz"));
        assertArrayEquals(new int[] {5, 28, 28}, r.dims());
        assertArrayEquals(px, r.data());
        assertArrayEquals(px, g.data());
        assertEquals(784, r.itemSize());
    }

    @Test
    void truncatedFileNamesFileAndSizes() throws Exception {
        byte[] raw = Synthetic.idx(new int[] {5, 28, 28}, Synthetic.images(5, 28, 28, 1));
        Path f = tmp.resolve("trunc");
        Files.write(f, Arrays.copyOf(raw, raw.length - 100));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated IDX file"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsRejected() throws Exception {
        Path f = tmp.resolve("hdr");
        Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("truncated IDX header"), e.getMessage());
    }

    @Test
    void truncatedGzipIsRejected() throws Exception {
        byte[] gz = Synthetic.gzip(Synthetic.idx(new int[] {5, 28, 28}, Synthetic.images(5, 28, 28, 1)));
        Path f = tmp.resolve("t.gz");
        Files.write(f, Arrays.copyOf(gz, gz.length / 2));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void wrongMagicNumberIsRejected() throws Exception {
        byte[] raw = Synthetic.idx(new int[] {2}, new byte[] {1, 2});
        raw[0] = 0x12;
        Path f = tmp.resolve("magic");
        Files.write(f, raw);
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("bad IDX magic number"), e.getMessage());
    }

    @Test
    void wrongElementTypeAndDimensionCountAreRejected() throws Exception {
        byte[] raw = Synthetic.idx(new int[] {2}, new byte[] {1, 2});
        raw[2] = 0x0d; // float
        Path f = tmp.resolve("type");
        Files.write(f, raw);
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(f)).getMessage()
                .contains("unsupported IDX element type"));
        byte[] noDims = {0, 0, 8, 0};
        Path g = tmp.resolve("dims");
        Files.write(g, noDims);
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(g)).getMessage()
                .contains("dimension count"));
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        byte[] raw = Synthetic.idx(new int[] {2}, new byte[] {1, 2});
        Path f = tmp.resolve("trail");
        Files.write(f, Arrays.copyOf(raw, raw.length + 3));
        assertTrue(assertThrows(DataException.class, () -> IdxReader.read(f)).getMessage()
                .contains("3 bytes after the data"));
    }

    @Test
    void missingFileIsAClearError() {
        Path f = tmp.resolve("nope");
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(f));
        assertEquals(f + ": file not found", e.getMessage());
    }

    @Test
    void labelCountMustEqualImageCount() throws Exception {
        Path img = tmp.resolve("img");
        Path lbl = tmp.resolve("lbl");
        Files.write(img, Synthetic.idx(new int[] {5, 28, 28}, Synthetic.images(5, 28, 28, 1)));
        Files.write(lbl, Synthetic.idx(new int[] {4}, new byte[] {0, 1, 2, 3}));
        DataException e = assertThrows(DataException.class,
                () -> IdxDatasets.parse(DatasetId.MNIST, Split.TEST, img, lbl, "x"));
        assertTrue(e.getMessage().startsWith(lbl.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("label count 4 differs from the image count 5"), e.getMessage());
    }

    @Test
    void imagesBecomeFloatsInUnitRangeAndLabelsIndices() throws Exception {
        Path img = tmp.resolve("img");
        Path lbl = tmp.resolve("lbl");
        byte[] px = new byte[2 * 28 * 28];
        px[0] = (byte) 255;
        px[1] = (byte) 51;
        Files.write(img, Synthetic.idx(new int[] {2, 28, 28}, px));
        Files.write(lbl, Synthetic.idx(new int[] {2}, new byte[] {7, 3}));
        ImageSet set = IdxDatasets.parse(DatasetId.MNIST, Split.TEST, img, lbl, "x");
        float[] f = dev.aerobust.nn.Tensors.toFloats(set.images(new int[] {0}));
        assertEquals(1f, f[0]);
        assertEquals(0.2f, f[1], 1e-6);
        assertArrayEquals(new long[] {1, 1, 28, 28},
                dev.aerobust.nn.Tensors.shape(set.images(new int[] {1})));
        assertArrayEquals(new long[] {7, 3}, dev.aerobust.nn.Tensors.toLongs(set.labels(new int[] {0, 1})));
    }
}
