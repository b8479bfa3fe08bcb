package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.testing.RealData;

/** The genuine MNIST and Fashion-MNIST files, as .ci/run fetches them. */
@Tag("slow")
class RealDatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void mnistVerifiesWithTheKnownCounts() {
        Datasets.Report r = Datasets.verify(DatasetId.MNIST, RealData.dataDir(DatasetId.MNIST));
        assertEquals(60000, r.splits().get(0).images());
        assertEquals(10000, r.splits().get(1).images());
        assertArrayEquals(new int[] {1, 28, 28}, r.splits().get(1).shape());
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
                r.splits().get(1).labelCounts());
        assertTrue(r.splits().get(0).sha256Checked());
    }

    @Test
    void fashionMnistVerifiesWithBalancedClasses() {
        Datasets.Report r = Datasets.verify(DatasetId.FASHION_MNIST, RealData.dataDir(DatasetId.FASHION_MNIST));
        assertEquals(60000, r.splits().get(0).images());
        for (int c : r.splits().get(1).labelCounts()) {
            assertEquals(1000, c);
        }
    }

    @Test
    void aCorruptedCopyFailsItsChecksumNamingTheFile() throws Exception {
        Path src = RealData.dataDir(DatasetId.MNIST).resolve("mnist");
        Path copy = tmp.resolve("mnist");
        Files.createDirectories(copy);
        for (IdxCatalog.IdxFile f : IdxCatalog.MNIST.files()) {
            Files.copy(src.resolve(f.storedName()), copy.resolve(f.storedName()));
        }
        Path bad = copy.resolve("t10k-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(bad);
        b[5000] ^= 0x40;
        Files.write(bad, b);
        DataException e = assertThrows(DataException.class, () -> Datasets.verify(DatasetId.MNIST, tmp));
        assertTrue(e.getMessage().startsWith(bad + ": SHA-256 mismatch: expected 0fa7898d"), e.getMessage());
    }

    @Test
    void fetchKeepsFilesThatArePresentAndValid() throws Exception {
        Path src = RealData.dataDir(DatasetId.MNIST).resolve("mnist");
        Path copy = tmp.resolve("mnist");
        Files.createDirectories(copy);
        for (IdxCatalog.IdxFile f : IdxCatalog.MNIST.files()) {
            Files.copy(src.resolve(f.storedName()), copy.resolve(f.storedName()));
        }
        Map<String, String> got = Datasets.fetch(DatasetId.MNIST, tmp, List.of(FetchSource.WEB), null);
        assertEquals(4, got.size());
        got.values().forEach(v -> assertEquals("present", v));
    }

    @Test
    void firstThousandTestImagesAreTheAttackSet() {
        ImageSet test = Datasets.load(DatasetId.MNIST, Split.TEST, RealData.dataDir(DatasetId.MNIST), 0);
        ImageSet attack = test.first(1000);
        assertEquals(1000, attack.size());
        assertEquals(7, attack.labels()[0]); // the first MNIST test digit is a 7
        assertEquals(2, attack.labels()[1]);
    }
}
