package dev.aerobust.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.data.DataException;
import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Classifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelStore;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** What the store writes is checked when it is read: a damaged or foreign file is never trusted. */
class StoreIntegrityTest {

    @TempDir
    Path tmp;

    private ModelStore storeWithOneModel() throws IOException {
        ModelStore store = new ModelStore(tmp.resolve("models"));
        Engine.seed(1);
        store.save("classifier-mnist-test", new Classifier(DatasetId.MNIST),
                dev.aerobust.testing.Metas.classifier("classifier-mnist-test", DatasetId.MNIST));
        return store;
    }

    @Test
    void storedWeightsCarryTheirChecksumAndLoad() throws Exception {
        ModelStore store = storeWithOneModel();
        assertTrue(store.meta("classifier-mnist-test").weightsSha256().length() == 64);
        assertTrue(store.intact("classifier-mnist-test"));
        assertEquals("classifier-mnist-test", store.find("classifier-mnist-test").orElseThrow());
        store.loadWeights("classifier-mnist-test", new Classifier(DatasetId.MNIST));
        try (var s = Files.list(store.dir("classifier-mnist-test"))) {
            assertEquals(2, s.count(), "weights and metadata, no temporary file left");
        }
        // written through a temporary file (owner-only), they end readable by whoever shares the store
        for (String f : new String[] {ModelStore.WEIGHTS, ModelStore.META}) {
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(store.dir("classifier-mnist-test").resolve(f))), f);
        }
    }

    @Test
    void damagedWeightsAreNeverTrusted() throws Exception {
        ModelStore store = storeWithOneModel();
        Path weights = store.dir("classifier-mnist-test").resolve(ModelStore.WEIGHTS);
        Files.write(weights, new byte[0]);
        assertTrue(store.find("classifier-mnist-test").isEmpty(), "a damaged model is trained again, not reused");
        DataException e = assertThrows(DataException.class,
                () -> store.loadWeights("classifier-mnist-test", new Classifier(DatasetId.MNIST)));
        assertEquals(ExitCode.DATA, e.exitCode());
        assertTrue(e.getMessage().contains(weights.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("do not match the checksum"), e.getMessage());
    }

    @Test
    void metadataOfTheWrongShapeIsBadDataAndDoesNotStopTheListing() throws Exception {
        ModelStore store = storeWithOneModel();
        for (String bad : new String[] {"{}", "[1,2,3]", "{\"id\": \"other\", \"kind\": \"classifier\"}", "{"}) {
            Path dir = store.dir("classifier-mnist-bad");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(ModelStore.META), bad);
            Files.write(dir.resolve(ModelStore.WEIGHTS), new byte[] {1});
            AerobustException e = assertThrows(AerobustException.class, () -> store.meta("classifier-mnist-bad"));
            assertEquals(ExitCode.DATA, e.exitCode(), bad);
            assertTrue(e.getMessage().contains(dir.resolve(ModelStore.META).toString()), e.getMessage());
            assertEquals(1, store.list().size(), "the good model is still listed; the bad one is left out");
        }
    }

    @Test
    void anIdThatLeavesTheStoreIsAUsageError() {
        ModelStore store = new ModelStore(tmp.resolve("models"));
        for (String id : new String[] {"../other", "a/b", "", "/etc"}) {
            AerobustException e = assertThrows(AerobustException.class, () -> store.dir(id));
            assertEquals(ExitCode.USAGE, e.exitCode());
        }
    }

    @Test
    void anUnwritableFolderIsFoundBeforeTheWork() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertThrows(IOException.class, () -> ModelStore.checkWritable(file.resolve("models")));
        ModelStore.checkWritable(tmp.resolve("fresh/models"));
        try (var s = Files.list(tmp.resolve("fresh/models"))) {
            assertEquals(0, s.count(), "the probe leaves nothing behind");
        }
    }
}
