package dev.aerobust.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.experiment.ModelTraining;
import dev.aerobust.store.ModelStore;
import dev.aerobust.testing.Synthetic;
import dev.aerobust.train.ClassifierConfig;

/**
 * A full disk during training: the store lives on a 600 KiB tmpfs, too small for a checkpoint. The failure is a
 * Java {@link IOException} (the engine's own writer, which aborts the JVM on a failed write, is never used), no
 * temporary file is left, nothing is stored as a model; and once there is room, the same training stores the
 * same model as a run that never hit the full disk. Needs root (mount); skipped with a message elsewhere.
 */
@Tag("slow")
class DiskFullTest {

    @TempDir
    Path tmp;

    private Path mounted;

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", mounted.toString());
        }
    }

    @Test
    void aFullDiskIsAFileErrorAndNeverLeavesAWrongModel() throws Exception {
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        boolean ok = "root".equals(System.getProperty("user.name"))
                && run("mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", small.toString());
        if (!ok && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs as root and must be able to mount a small tmpfs");
        }
        assumeTrue(ok, "mounting a small tmpfs needs root: the full-disk test is skipped");
        mounted = small;
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        Settings cfg = ClassifierConfig.defaults(DatasetId.BTSC).with("epochs", 3).with("batch", 8);

        ModelStore full = new ModelStore(small.resolve("models"));
        IOException e = assertThrows(IOException.class, () -> ModelTraining.classifier(cfg, data, full));
        assertTrue(String.valueOf(e.getMessage()).contains("No space left on device"), String.valueOf(e.getMessage()));
        try (Stream<Path> all = Files.walk(small)) {
            List<Path> tmps = all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), tmps, "no temporary file is left behind");
        }
        assertTrue(full.list().isEmpty(), "nothing was stored as a model");

        // room again: the same folder, copied where there is space, then the same training
        Path roomy = tmp.resolve("roomy");
        run("cp", "-a", small.resolve("models").toString(), roomy.toString());
        ModelStore store = new ModelStore(roomy);
        ModelTraining.Outcome resumed = ModelTraining.classifier(cfg, data, store);
        ModelStore clean = new ModelStore(tmp.resolve("clean"));
        ModelTraining.Outcome fresh = ModelTraining.classifier(cfg, data, clean);
        assertEquals(fresh.id(), resumed.id());
        assertEquals(fresh.meta().weightsSha256(), resumed.meta().weightsSha256(),
                "the model stored after the full disk is the model a clean run stores");
        assertEquals(fresh.meta().metrics(), resumed.meta().metrics());
    }
}
