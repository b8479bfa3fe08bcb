package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class CliTest {

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][] {{"--help"}, {"datasets", "--help"}, {"datasets", "fetch", "--help"},
            {"datasets", "verify", "--help"}, {"datasets", "info", "--help"}, {"version", "--help"}}) {
            Run r = run(cmd);
            assertEquals(0, r.code(), String.join(" ", cmd));
            assertTrue(r.out().contains("Usage: aerobust"), r.out());
        }
    }

    @Test
    void unknownFlagIsAUsageErrorWithoutStackTrace() {
        Run r = run("datasets", "verify", "mnist", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("aerobust: Unknown option: '--bogus'"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    /** Two output formats for one table: a usage error naming both, before any sweep file or data is read. */
    @Test
    void resultsTakesOneFormat() {
        Run r = run("results", "no-such-sweep.yaml", "--csv", "--json");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("aerobust: Error: --csv, --json are mutually exclusive"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void unknownDatasetIsOneLineAndExitTwo() {
        Run r = run("datasets", "verify", "cifar", "--data-dir", tmp.toString());
        assertEquals(2, r.code());
        assertEquals("aerobust: unknown dataset 'cifar' (known: mnist, fashion-mnist, btsc)", r.err().strip());
    }

    /** A bad training setting is a usage error before any data is read: the empty data dir is never reached. */
    @Test
    void aBadTrainingSettingFailsBeforeTheData() {
        Run c = run("train", "classifier", "--dataset", "mnist", "--lr-factor", "2", "--data-dir", tmp.toString());
        assertEquals(2, c.code());
        assertEquals("aerobust: --lr-factor must be a number in (0, 1], got '2'", c.err().strip());
        Run a = run("train", "autoencoder", "--family", "ae", "--dataset", "mnist", "--lr", "NaN", "--data-dir",
                tmp.toString());
        assertEquals(2, a.code());
        assertEquals("aerobust: --lr must be a number > 0, got 'NaN'", a.err().strip());
    }

    @Test
    void missingDirectoryIsOneLineNamingIt() {
        Run r = run("datasets", "verify", "mnist", "--data-dir", tmp.toString());
        assertEquals(3, r.code());
        assertEquals("aerobust: " + tmp.resolve("mnist") + ": directory not found (run: aerobust datasets fetch mnist)",
                r.err().strip());
    }

    @Test
    void checksumMismatchIsOneLineNamingTheFile() throws Exception {
        Path dir = tmp.resolve("fashion-mnist");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train-images-idx3-ubyte.gz"), "not the real file");
        Run r = run("datasets", "verify", "fashion-mnist", "--json", "--data-dir", tmp.toString());
        assertEquals(3, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(dir.resolve("train-images-idx3-ubyte.gz") + ": SHA-256 mismatch"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void infoDescribesADatasetAsJson() throws Exception {
        Run r = run("datasets", "info", "btsc", "--json", "--data-dir", tmp.toString());
        assertEquals(0, r.code(), r.err());
        var node = Json.MAPPER.readTree(r.out());
        assertEquals(62, node.get("classes").asInt());
        assertFalse(node.get("present").asBoolean());
    }

    @Test
    void missingSubcommandIsAUsageError() {
        assertEquals(2, run("datasets").code());
        assertEquals(2, run().code());
    }

    /** The workers of {@code --jobs} get {@code --debug} when the sweep was given it, before or after its name. */
    @Test
    void debugReachesTheSweepsWorkers() {
        PrintWriter w = new PrintWriter(new StringWriter());
        for (String[] args : new String[][] {{"sweep", "f.yaml", "--debug"}, {"--debug", "sweep", "f.yaml"},
            {"reproduce", "--debug"}}) {
            var parsed = Main.commandLine(w, w).parseArgs(args);
            assertTrue(JobsOption.debug(parsed.subcommand().commandSpec()), String.join(" ", args));
        }
        var plain = Main.commandLine(w, w).parseArgs("sweep", "f.yaml");
        assertFalse(JobsOption.debug(plain.subcommand().commandSpec()));
    }
}
