package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

@Tag("slow")
class FetchTest {

    @TempDir
    Path tmp;

    @Test
    void btscWithoutWebOrFolderExplainsWhereToGetIt() {
        AerobustException e = assertThrows(AerobustException.class,
                () -> Datasets.fetch(DatasetId.BTSC, tmp, List.of(FetchSource.PACKAGE), null));
        assertEquals(ExitCode.FETCH, e.exitCode());
        assertTrue(e.getMessage().contains("--from"), e.getMessage());
    }

    @Test
    void btscFromAFolderOfExtractedPartsIsCopiedAndLoads() throws Exception {
        Path from = tmp.resolve("from");
        dev.aerobust.testing.Synthetic.btscPart(from.resolve("Training"), 2, 2, 1);
        dev.aerobust.testing.Synthetic.btscPart(from.resolve("Testing"), 2, 1, 1);
        Datasets.fetch(DatasetId.BTSC, tmp.resolve("data"), List.of(), from);
        assertEquals(2, Datasets.load(DatasetId.BTSC, Split.TEST, tmp.resolve("data"), 0).size());
    }

    @Test
    void unknownDatasetNameListsTheKnownOnes() {
        AerobustException e = assertThrows(AerobustException.class, () -> DatasetId.parse("cifar"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertEquals("unknown dataset 'cifar' (known: mnist, fashion-mnist, btsc)", e.getMessage());
    }

    @Test
    void fromIsRejectedForIdxDatasets() {
        assertEquals(ExitCode.USAGE, assertThrows(AerobustException.class,
                () -> Datasets.fetch(DatasetId.MNIST, tmp, List.of(), tmp)).exitCode());
    }
}
