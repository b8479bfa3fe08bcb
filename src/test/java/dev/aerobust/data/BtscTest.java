package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.testing.Synthetic;

class BtscTest {

    @TempDir
    Path tmp;

    @Test
    void ppmParsesHeaderWithCommentsAndScalesPixels() throws Exception {
        Path f = tmp.resolve("a.ppm");
        Files.write(f, Synthetic.ppm(4, 3, 255));
        Ppm.RgbImage img = Ppm.read(f);
        assertEquals(4, img.width());
        assertEquals(3, img.height());
        assertEquals(1f, img.rgb()[2]);
        assertEquals(8 / 255f, img.rgb()[3], 1e-6); // x = 1 -> r = 8
    }

    @Test
    void ppmWithBadHeaderIsAClearError() throws Exception {
        Path f = tmp.resolve("bad.ppm");
        Files.write(f, "P3\n4 3\n255\n".getBytes());
        DataException e = assertThrows(DataException.class, () -> Ppm.read(f));
        assertEquals(f + ": bad PPM header: expected magic P6, got 'P3'", e.getMessage());
        Path g = tmp.resolve("nosize.ppm");
        Files.write(g, "P6\n4\n".getBytes());
        assertTrue(assertThrows(DataException.class, () -> Ppm.read(g)).getMessage().contains("missing height"));
    }

    @Test
    void truncatedPpmIsAClearError() throws Exception {
        byte[] ok = Synthetic.ppm(4, 3, 1);
        Path f = tmp.resolve("t.ppm");
        Files.write(f, java.util.Arrays.copyOf(ok, ok.length - 5));
        assertTrue(assertThrows(DataException.class, () -> Ppm.read(f)).getMessage().contains("truncated PPM"));
    }

    @Test
    void cropKeepsTheInclusiveRegionOfInterest() {
        Ppm.RgbImage img = Ppm.parse(tmp, Synthetic.ppm(10, 10, 0));
        Ppm.RgbImage c = ImageOps.crop(img, 2, 3, 5, 7);
        assertEquals(4, c.width());
        assertEquals(5, c.height());
        assertEquals(16 / 255f, c.rgb()[0], 1e-6); // x = 2
        assertEquals(24 / 255f, c.rgb()[1], 1e-6); // y = 3
    }

    @Test
    void equalisationSpreadsValueToTheFullRangeAndKeepsHue() {
        float[] rgb = new float[4 * 3];
        float[] v = {0.40f, 0.42f, 0.44f, 0.46f};
        for (int i = 0; i < 4; i++) {
            rgb[3 * i] = v[i];
            rgb[3 * i + 1] = v[i] / 2;
            rgb[3 * i + 2] = 0;
        }
        Ppm.RgbImage eq = ImageOps.equalizeValue(new Ppm.RgbImage(2, 2, rgb));
        assertEquals(0f, eq.rgb()[0], 1e-6);
        assertEquals(1f, eq.rgb()[9], 1e-6);
        assertEquals(eq.rgb()[6] / 2, eq.rgb()[7], 1e-6); // r:g ratio, so hue and saturation, unchanged
    }

    @Test
    void resizeOfAConstantImageIsConstant() {
        float[] rgb = new float[37 * 23 * 3];
        java.util.Arrays.fill(rgb, 0.3f);
        Ppm.RgbImage r = ImageOps.resize(new Ppm.RgbImage(37, 23, rgb), 32, 32);
        for (float x : r.rgb()) {
            assertEquals(0.3f, x, 1e-5);
        }
        Ppm.RgbImage up = ImageOps.resize(new Ppm.RgbImage(5, 4, java.util.Arrays.copyOf(rgb, 60)), 32, 32);
        assertEquals(32 * 32 * 3, up.rgb().length);
    }

    @Test
    void loadsTheLayoutWithATrackBasedValidationSplit() throws Exception {
        Path dir = tmp.resolve("btsc");
        Synthetic.btscPart(dir.resolve("Training"), 3, 5, 2);
        Synthetic.btscPart(dir.resolve("Testing"), 3, 2, 1);
        ImageSet train = Btsc.load(dir, Split.TRAIN, 7);
        ImageSet val = Btsc.load(dir, Split.VAL, 7);
        ImageSet test = Btsc.load(dir, Split.TEST, 7);
        // 5 tracks per class: 1 held out (20%), 2 images per track
        assertEquals(3 * 4 * 2, train.size());
        assertEquals(3 * 1 * 2, val.size());
        assertEquals(6, test.size());
        assertArrayEquals(new int[] {3, 32, 32}, train.shape());
        // no track in both splits
        List<Btsc.Annotation> all = Btsc.annotations(dir.resolve("Training"));
        Set<String> trainTracks = new HashSet<>();
        Btsc.trackSplit(all, 7, false).forEach(a -> trainTracks.add(a.classId() + "/" + a.track()));
        for (Btsc.Annotation a : Btsc.trackSplit(all, 7, true)) {
            assertFalse(trainTracks.contains(a.classId() + "/" + a.track()));
        }
        // the same seed gives the same split
        assertArrayEquals(val.pixels(), Btsc.load(dir, Split.VAL, 7).pixels());
    }

    @Test
    void missingDirectoryAndBadCsvAreClearErrors() throws Exception {
        Path dir = tmp.resolve("none");
        DataException e = assertThrows(DataException.class, () -> Btsc.load(dir, Split.TEST, 0));
        assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains("directory not found"),
                e.getMessage());
        Path part = tmp.resolve("b/Testing/00000");
        Files.createDirectories(part);
        Files.writeString(part.resolve("GT-00000.csv"), "Filename;Width\nx.ppm;3\n");
        assertTrue(assertThrows(DataException.class, () -> Btsc.load(tmp.resolve("b"), Split.TEST, 0))
                .getMessage().contains("lacks column Roi.X1"));
    }

    @Test
    void zipExtractionRefusesEntriesThatEscape() throws Exception {
        Path zip = tmp.resolve("evil.zip");
        Synthetic.zip(zip, new String[] {"Training/ok.txt", "../../escaped.txt"},
                new byte[][] {"a".getBytes(), "b".getBytes()});
        Path target = tmp.resolve("out");
        DataException e = assertThrows(DataException.class, () -> SafeZip.extract(zip, target));
        assertTrue(e.getMessage().contains("escapes the target folder: ../../escaped.txt"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped.txt")));
        assertFalse(Files.exists(target.resolve("Training/ok.txt")), "nothing is written from a malicious zip");

        Path abs = tmp.resolve("abs.zip");
        Synthetic.zip(abs, new String[] {"/etc/evil"}, new byte[][] {"x".getBytes()});
        assertTrue(assertThrows(DataException.class, () -> SafeZip.extract(abs, target)).getMessage()
                .contains("absolute path"));
    }

    @Test
    void zipOfABtscTreeExtractsAndLoads() throws Exception {
        Path src = tmp.resolve("src");
        Synthetic.btscPart(src.resolve("Testing"), 2, 1, 2);
        List<Path> files;
        try (var s = Files.walk(src)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        String[] names = files.stream().map(p -> src.relativize(p).toString()).toArray(String[]::new);
        byte[][] contents = new byte[files.size()][];
        for (int i = 0; i < files.size(); i++) {
            contents[i] = Files.readAllBytes(files.get(i));
        }
        Path zip = tmp.resolve("BelgiumTSC_Testing.zip");
        Synthetic.zip(zip, names, contents);
        Path out = tmp.resolve("extracted");
        assertEquals(files.size(), SafeZip.extract(zip, out));
        assertEquals(4, Btsc.load(out, Split.TEST, 0).size());
    }

    @Test
    void corruptZipIsAClearError() throws Exception {
        Path zip = tmp.resolve("bad.zip");
        Files.writeString(zip, "not a zip");
        assertTrue(assertThrows(DataException.class, () -> SafeZip.extract(zip, tmp.resolve("o"))).getMessage()
                .contains("not a readable zip"));
    }
}
