package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.data.DatasetId;
import dev.aerobust.testing.RealData;

/** The main job's plan, and the sweep commands' errors. */
@Tag("slow")
class ReproduceCliTest {

    @TempDir
    Path tmp;

    @Test
    void theQuickProfileShowsItsPlan() {
        RealData.dataDir(DatasetId.MNIST);
        CliTest.Run r = CliTest.run("reproduce", "--dataset", "mnist", "--profile", "quick", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("reproduce quick mnist (sweep quick-mnist):"), r.out());
        assertTrue(r.out().contains("47 units: "), r.out());
        assertTrue(r.out().contains("attack cw-linf (steps 20) on dvae stp 0.4 mnist sampled s=4.0"), r.out());
        CliTest.Run demo = CliTest.run("demo", "--dry-run");
        assertEquals(r.out(), demo.out(), "demo is the quick reproduction");
    }

    @Test
    void badProfilesAndSweepFilesAreUsageErrors() throws Exception {
        CliTest.Run p = CliTest.run("reproduce", "--profile", "fast", "--dry-run");
        assertEquals(2, p.code());
        assertEquals("aerobust: unknown profile 'fast' (known: quick, paper)", p.err().strip());
        CliTest.Run missing = CliTest.run("sweep", tmp.resolve("none.yaml").toString(), "--dry-run");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("none.yaml: no such sweep file"), missing.err());
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\nautoencoders:\n  - {family: ae, stp: [0.1, x]}\n");
        CliTest.Run b = CliTest.run("sweep", bad.toString(), "--dry-run");
        assertEquals(2, b.code());
        assertEquals("aerobust: " + bad + ":3: stp must be a number >= 0, got 'x'", b.err().strip());
    }
}
