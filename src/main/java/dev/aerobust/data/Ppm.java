package dev.aerobust.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads binary PPM (P6) images, the format of BTSC, with the header validated against the file length. */
public final class Ppm {

    /** An RGB image: {@code rgb} holds r, g, b per pixel, row-major, scaled to [0, 1]. */
    public record RgbImage(int width, int height, float[] rgb) {
    }

    private Ppm() {
    }

    public static RgbImage read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(file, "file not found");
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage());
        }
        return parse(file, b);
    }

    static RgbImage parse(Path file, byte[] b) {
        if (b.length < 2 || b[0] != 'P' || b[1] != '6') {
            String got = b.length < 2 ? "a " + b.length + "-byte file" : "'" + (char) (b[0] & 0x7f) + (char) (b[1] & 0x7f) + "'";
            throw new DataException(file, "bad PPM header: expected magic P6, got " + got);
        }
        int[] pos = {2};
        int width = headerInt(file, b, pos, "width");
        int height = headerInt(file, b, pos, "height");
        int maxval = headerInt(file, b, pos, "maxval");
        if (width <= 0 || height <= 0) {
            throw new DataException(file, "bad PPM header: size " + width + "x" + height);
        }
        if (maxval <= 0 || maxval > 65535) {
            throw new DataException(file, "bad PPM header: maxval " + maxval + " (must be 1..65535)");
        }
        if (pos[0] >= b.length || !Character.isWhitespace(b[pos[0]])) {
            throw new DataException(file, "bad PPM header: no whitespace after maxval");
        }
        int start = pos[0] + 1;
        int bytesPer = maxval < 256 ? 1 : 2;
        long need = (long) width * height * 3 * bytesPer;
        if (b.length - start < need) {
            throw new DataException(file, "truncated PPM: " + width + "x" + height + " needs " + need
                    + " bytes of pixels, file has " + (b.length - start));
        }
        float[] rgb = new float[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            int v = bytesPer == 1 ? b[start + i] & 0xff
                    : ((b[start + 2 * i] & 0xff) << 8) | (b[start + 2 * i + 1] & 0xff);
            rgb[i] = (float) v / maxval;
        }
        return new RgbImage(width, height, rgb);
    }

    private static int headerInt(Path file, byte[] b, int[] pos, String what) {
        int i = pos[0];
        while (i < b.length) {
            if (b[i] == '#') {
                while (i < b.length && b[i] != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(b[i])) {
                i++;
            } else {
                break;
            }
        }
        int start = i;
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            if (v > Integer.MAX_VALUE) {
                throw new DataException(file, "bad PPM header: " + what + " too large");
            }
            i++;
        }
        if (i == start) {
            throw new DataException(file, "bad PPM header: missing " + what);
        }
        pos[0] = i;
        return (int) v;
    }
}
