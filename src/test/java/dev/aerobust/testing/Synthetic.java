package dev.aerobust.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small synthetic data files for tests: IDX, PPM, BTSC trees and zips. */
public final class Synthetic {

    private Synthetic() {
    }

    /** An IDX ubyte file with the given dims and payload. */
    public static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    public static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(raw);
        }
        return bo.toByteArray();
    }

    /** {@code n} random 28x28 images. */
    public static byte[] images(int n, int h, int w, long seed) {
        byte[] px = new byte[n * h * w];
        new SplittableRandom(seed).nextBytes(px);
        return px;
    }

    /** A P6 PPM with pixel (x, y) = (x*8, y*8, value). */
    public static byte[] ppm(int w, int h, int value) {
        byte[] header = ("P6\n# synthetic\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + w * h * 3];
        System.arraycopy(header, 0, out, 0, header.length);
        int k = header.length;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[k++] = (byte) (x * 8);
                out[k++] = (byte) (y * 8);
                out[k++] = (byte) value;
            }
        }
        return out;
    }

    /**
     * A BTSC-layout folder {@code part} with {@code classes} class folders, {@code tracks} tracks per class and
     * {@code perTrack} images per track, 20x24 pixels each with an ROI of [2, 3]-[17, 20].
     */
    public static void btscPart(Path part, int classes, int tracks, int perTrack) throws IOException {
        for (int c = 0; c < classes; c++) {
            Path cd = part.resolve(String.format("%05d", c));
            Files.createDirectories(cd);
            StringBuilder csv = new StringBuilder("Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n");
            for (int t = 0; t < tracks; t++) {
                for (int i = 0; i < perTrack; i++) {
                    String name = String.format("%05d_%05d.ppm", c * 100 + t, i);
                    Files.write(cd.resolve(name), ppm(20, 24, 10 * c + i));
                    csv.append(name).append(";20;24;2;3;17;20;").append(c).append('\n');
                }
            }
            Files.writeString(cd.resolve(String.format("GT-%05d.csv", c)), csv.toString());
        }
    }

    /** A zip holding the given (name, content) pairs, names used verbatim (so a test can write malicious ones). */
    public static void zip(Path zip, String[] names, byte[][] contents) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int i = 0; i < names.length; i++) {
                z.putNextEntry(new ZipEntry(names[i]));
                z.write(contents[i]);
                z.closeEntry();
            }
        }
    }
}
