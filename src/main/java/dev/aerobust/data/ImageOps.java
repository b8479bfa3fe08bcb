package dev.aerobust.data;

/** The image preprocessing of BTSC: crop, histogram equalisation of V in HSV, and resampling. */
public final class ImageOps {

    private static final int LEVELS = 256;

    private ImageOps() {
    }

    /** Crops {@code [x1, x2] x [y1, y2]} (inclusive, as the BTSC annotations give it), clamped to the image. */
    public static Ppm.RgbImage crop(Ppm.RgbImage img, int x1, int y1, int x2, int y2) {
        int ax = Math.max(0, Math.min(x1, x2));
        int bx = Math.min(img.width() - 1, Math.max(x1, x2));
        int ay = Math.max(0, Math.min(y1, y2));
        int by = Math.min(img.height() - 1, Math.max(y1, y2));
        if (ax > bx || ay > by) {
            return img; // a region of interest outside the image: keep the whole image
        }
        int w = bx - ax + 1;
        int h = by - ay + 1;
        float[] out = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(img.rgb(), ((ay + y) * img.width() + ax) * 3, out, y * w * 3, w * 3);
        }
        return new Ppm.RgbImage(w, h, out);
    }

    /**
     * Histogram-equalises the V channel (max of r, g, b) and keeps hue and saturation. Since r, g and b are
     * each linear in V for fixed H and S, the new pixel is the old one scaled by V'/V.
     */
    public static Ppm.RgbImage equalizeValue(Ppm.RgbImage img) {
        int n = img.width() * img.height();
        float[] rgb = img.rgb();
        int[] level = new int[n];
        int[] hist = new int[LEVELS];
        for (int i = 0; i < n; i++) {
            float v = Math.max(rgb[3 * i], Math.max(rgb[3 * i + 1], rgb[3 * i + 2]));
            level[i] = Math.min(LEVELS - 1, Math.round(v * (LEVELS - 1)));
            hist[level[i]]++;
        }
        int[] cdf = new int[LEVELS];
        int run = 0;
        int cdfMin = -1;
        for (int k = 0; k < LEVELS; k++) {
            run += hist[k];
            cdf[k] = run;
            if (cdfMin < 0 && run > 0) {
                cdfMin = run;
            }
        }
        float[] out = new float[rgb.length];
        for (int i = 0; i < n; i++) {
            float vNew = n == cdfMin ? level[i] / (float) (LEVELS - 1)
                    : (float) (cdf[level[i]] - cdfMin) / (n - cdfMin);
            float v = Math.max(rgb[3 * i], Math.max(rgb[3 * i + 1], rgb[3 * i + 2]));
            for (int c = 0; c < 3; c++) {
                out[3 * i + c] = v > 0 ? Math.min(1f, rgb[3 * i + c] * vNew / v) : vNew;
            }
        }
        return new Ppm.RgbImage(img.width(), img.height(), out);
    }

    /**
     * Resamples to {@code w x h} with a triangle (bilinear) filter whose support widens when shrinking, so
     * downscaling averages instead of aliasing.
     */
    public static Ppm.RgbImage resize(Ppm.RgbImage img, int w, int h) {
        float[] horiz = resample(img.rgb(), img.width(), img.height(), w, true);
        float[] both = resample(horiz, w, img.height(), h, false);
        return new Ppm.RgbImage(w, h, both);
    }

    private static float[] resample(float[] src, int sw, int sh, int outLen, boolean alongX) {
        int inLen = alongX ? sw : sh;
        double scale = (double) inLen / outLen;
        double support = Math.max(1.0, scale);
        int ow = alongX ? outLen : sw;
        int oh = alongX ? sh : outLen;
        float[] dst = new float[ow * oh * 3];
        for (int o = 0; o < outLen; o++) {
            double center = (o + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(center - support));
            int hi = Math.min(inLen - 1, (int) Math.ceil(center + support));
            double[] wts = new double[hi - lo + 1];
            double sum = 0;
            for (int i = lo; i <= hi; i++) {
                double d = Math.abs((i + 0.5 - center) / support);
                wts[i - lo] = Math.max(0, 1 - d);
                sum += wts[i - lo];
            }
            if (sum == 0) {
                int nearest = Math.min(inLen - 1, Math.max(0, (int) center));
                wts = new double[hi - lo + 1];
                wts[nearest - lo] = 1;
                sum = 1;
            }
            int lines = alongX ? sh : sw;
            for (int line = 0; line < lines; line++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int i = lo; i <= hi; i++) {
                        int si = alongX ? (line * sw + i) : (i * sw + line);
                        acc += wts[i - lo] * src[si * 3 + c];
                    }
                    int di = alongX ? (line * ow + o) : (o * ow + line);
                    dst[di * 3 + c] = (float) (acc / sum);
                }
            }
        }
        return dst;
    }
}
