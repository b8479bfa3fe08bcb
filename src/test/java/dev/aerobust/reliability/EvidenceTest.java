package dev.aerobust.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Python;
import dev.aerobust.testing.Synthetic;

/**
 * Stored results are evidence: each case of the evidence issue, run as a user runs it (the CLI in a child JVM, a
 * tiny sweep on a synthetic BTSC tree: a classifier and an AE of one epoch, PGD of 2 steps on 5 images at eps 0 and
 * 0.01). Each asserts the exit code, the one line that names the problem, that nothing outside the store changed
 * and that nothing wrong is trusted afterwards.
 */
@Tag("slow")
class EvidenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path data;
    private static Path done;
    private static Path sweep;

    private static final String SWEEP = """
            name: evidence
            datasets: [btsc]
            seeds: [0]
            classifier: {epochs: 1, batch: 8}
            autoencoders:
              - {family: ae, stp: 0.4, epochs: 1}
            evaluations:
              - {n: 5, eps: [0, 0.01]}
            attacks:
              - {attack: pgd, steps: 2}
            """;

    private static ChildCli.Result cli(Path home, String... args) throws Exception {
        return ChildCli.run(home, Map.of(), 300, args);
    }

    /** The sweep run once; every case copies its store. */
    @BeforeAll
    static void runOnce() throws Exception {
        data = shared.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 4, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 3, 1);
        sweep = shared.resolve("evidence.yaml");
        Files.writeString(sweep, SWEEP);
        done = shared.resolve("home");
        ChildCli.Result r = cli(done, "sweep", sweep.toString(), "--data-dir", data.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.all());
    }

    private Path copyOfHome(String name) throws IOException {
        Path home = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(done)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = home.resolve(done.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return home;
    }

    /** The record files of the store's runs, by the model's folder name prefix ("ae-", "classifier-"). */
    private static Path record(Path home, String modelPrefix, String eps) throws IOException {
        try (Stream<Path> s = Files.walk(home.resolve("results"))) {
            return s.filter(p -> p.getFileName().toString().equals("eps-" + eps + ".json"))
                    .filter(p -> p.getParent().getParent().getFileName().toString().startsWith(modelPrefix))
                    .filter(p -> !p.toString().contains("/.")).findFirst().orElseThrow();
        }
    }

    private static String modelId(Path record) {
        return record.getParent().getParent().getFileName().toString();
    }

    /** The sweep's classifier (the same id in every copy of the store). */
    private static String classifierId(Path home) throws IOException {
        return modelId(record(done, "classifier-", "0.0100"));
    }

    /** The attack of the sweep's unit on a model, from the command line (the same run key). */
    private static String[] attack(Path home, String model, String... more) throws IOException {
        List<String> a = new java.util.ArrayList<>(List.of("attack", "--model", model, "--classifier",
                classifierId(home), "--attack", "pgd", "--steps", "2", "--n", "5", "--eps", "0,0.01", "--threads", "1",
                "--data-dir", data.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /** Case 1: a sweep's name that is a path is refused, with its line, before anything is written. */
    @Test
    void aSweepsNameIsNeverAPath() throws Exception {
        Path home = copyOfHome("h1");
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("summary.md"), "a user's own file\n");
        for (String name : List.of(outside.toString(), "../../evil", "a/b")) {
            Path f = tmp.resolve("named.yaml");
            Files.writeString(f, SWEEP.replace("name: evidence", "name: " + name));
            for (String[] args : List.of(new String[] {"report", f.toString(), "--data-dir", data.toString()},
                    new String[] {"sweep", f.toString(), "--dry-run", "--data-dir", data.toString()})) {
                ChildCli.Result r = cli(home, args);
                assertEquals(2, r.code(), r.all());
                assertTrue(r.error().contains("named.yaml:1:") && r.error().contains("never a path"), r.error());
            }
        }
        assertEquals("a user's own file\n", Files.readString(outside.resolve("summary.md")));
        assertEquals(List.of("", "summary.md"), tree(outside), "nothing written outside the store");
        assertFalse(Files.exists(tmp.resolve("evil")) || Files.exists(home.getParent().getParent().resolve("evil")));
        assertFalse(Files.exists(home.resolve("reports")), "no report folder made");
    }

    /** Case 2: a link inside the store, in a model's place, is refused; what it points to is left as it was. */
    @Test
    void aLinkInsideTheStoreIsRefusedAndItsTargetLeftAlone() throws Exception {
        Path home = copyOfHome("h2");
        String ae = modelId(record(home, "ae-", "0.0100"));
        Path target = tmp.resolve("elsewhere");
        Files.createDirectories(target.resolve("work"));
        Files.writeString(target.resolve("meta.json"), "{\"a user's\": \"file\"}");
        Files.writeString(target.resolve("work/notes.txt"), "keep me");
        Path model = home.resolve("models").resolve(ae);
        try (Stream<Path> s = Files.walk(model)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.createSymbolicLink(model, target);
        ChildCli.Result r = cli(home, "train", "autoencoder", "--family", "ae", "--stp", "0.4", "--dataset", "btsc",
                "--epochs", "1", "--threads", "1", "--data-dir", data.toString());
        assertEquals(4, r.code(), r.all());
        assertTrue(r.error().contains(model.toString()) && r.error().contains("link"), r.error());
        assertEquals(List.of("", "meta.json", "work", "work/notes.txt"), tree(target));
        assertEquals("keep me", Files.readString(target.resolve("work/notes.txt")));
        assertEquals("{\"a user's\": \"file\"}", Files.readString(target.resolve("meta.json")));
    }

    /**
     * Case 3: a record replaced by {@code {}}: the attack that would reuse it is bad data naming it; results and
     * report name it and go on; a run of the sweep moves it aside (never deletes it) and runs its unit again.
     */
    @Test
    void anEmptiedRecordIsNamedNotTrustedAndRunAgain() throws Exception {
        Path home = copyOfHome("h3");
        Path rec = record(home, "ae-", "0.0100");
        Files.writeString(rec, "{}");
        ChildCli.Result a = cli(home, attack(home, modelId(rec)));
        assertEquals(3, a.code(), a.all());
        assertTrue(a.error().contains(rec.toString()) && a.error().contains("fails its check"), a.error());

        ChildCli.Result json = cli(home, "results", sweep.toString(), "--json", "--data-dir", data.toString());
        assertEquals(0, json.code(), json.all());
        for (JsonNode row : json.json()) {
            assertFalse(row.path("model").isNull(), "no row of a null model: " + row);
            assertFalse(row.path("model").asText().equals(modelId(rec)) && row.path("attack").asText().equals("pgd"),
                    "the unit of the bad record is not done: " + row);
        }
        assertTrue(json.err().contains("left out " + rec), json.err());
        for (String[] args : List.of(new String[] {"results", sweep.toString(), "--csv"},
                new String[] {"report", sweep.toString(), "--out", tmp.resolve("r3").toString()})) {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.addAll(List.of("--data-dir", data.toString()));
            ChildCli.Result r = cli(home, all.toArray(String[]::new));
            assertEquals(0, r.code(), r.all());
            assertTrue(r.err().contains("left out " + rec), r.err());
        }
        assertTrue(Files.readString(tmp.resolve("r3/summary.md")).contains("failed their checks"));

        ChildCli.Result again = cli(home, "sweep", sweep.toString(), "--data-dir", data.toString(), "--threads", "1");
        assertEquals(0, again.code(), again.all());
        assertTrue(Files.isRegularFile(rec), "the unit ran again");
        JsonNode fresh = JSON.readTree(rec.toFile());
        assertTrue(fresh.has("checksum") && fresh.path("model").asText().equals(modelId(rec)), fresh.toString());
        try (Stream<Path> s = Files.walk(home.resolve("results/.bad"))) {
            List<Path> kept = s.filter(p -> p.getFileName().toString().equals("eps-0.0100.json")).toList();
            assertEquals(1, kept.size(), "the bad record moved aside, not deleted");
            assertEquals("{}", Files.readString(kept.get(0)));
        }
    }

    /**
     * Case 4: a record whose accuracy was edited fails its checksum; one that carries none (an earlier version's)
     * fails its own per-image outcomes.
     */
    @Test
    void anEditedAccuracyIsNotTrusted() throws Exception {
        Path home = copyOfHome("h4");
        Path rec = record(home, "ae-", "0.0100");
        ObjectNode r = (ObjectNode) JSON.readTree(rec.toFile());
        r.put("robust_accuracy", 0.42);
        Files.writeString(rec, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        ChildCli.Result a = cli(home, attack(home, modelId(rec)));
        assertEquals(3, a.code(), a.all());
        assertTrue(a.error().contains("checksum does not match"), a.error());
        r.remove("checksum");
        Files.writeString(rec, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        a = cli(home, attack(home, modelId(rec)));
        assertEquals(3, a.code(), a.all());
        assertTrue(a.error().contains("robust_accuracy 0.42 where its per_image outcomes give"), a.error());
        ChildCli.Result res = cli(home, "results", sweep.toString(), "--csv", "--data-dir", data.toString());
        assertEquals(0, res.code(), res.all());
        assertFalse(res.out().contains(",0.42,"), "the edited number is in no row:\n" + res.out());
    }

    /** Case 5: a record copied from another model's results fails its check in the folder it was copied to. */
    @Test
    void aRecordCopiedFromAnotherModelIsNotTrusted() throws Exception {
        Path home = copyOfHome("h5");
        Path ae = record(home, "ae-", "0.0100");
        Files.copy(record(home, "classifier-", "0.0100"), ae, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ChildCli.Result a = cli(home, attack(home, modelId(ae)));
        assertEquals(3, a.code(), a.all());
        assertTrue(a.error().contains("in another model's results"), a.error());
        ChildCli.Result res = cli(home, "results", sweep.toString(), "--json", "--data-dir", data.toString());
        assertEquals(0, res.code(), res.all());
        long classifierRows = 0;
        for (JsonNode row : res.json()) {
            classifierRows += row.path("model").asText().startsWith("classifier-") ? 1 : 0;
        }
        assertEquals(2, classifierRows, "the classifier's two records, once:\n" + res.out());
    }

    /** Case 6: a model whose outputs hold NaN is refused at the door (bad data), and not stored. */
    @Test
    void aModelThatOutputsNanIsNotImported() throws Exception {
        Python.requireTorch();
        Path nan = tmp.resolve("nan.pt");
        assertEquals(0, Python.run(Python.script().toString(), "nanclf", nan.toString(), "3", "32", "32", "62")
                .exitCode());
        Path home = tmp.resolve("h6");
        ChildCli.Result r = cli(home, "import", "classifier", nan.toString(), "--dataset", "btsc", "--data-dir",
                data.toString());
        assertEquals(3, r.code(), r.all());
        assertTrue(r.error().contains("outputs NaN or infinity"), r.error());
        assertFalse(Files.exists(home.resolve("models")) && tree(home.resolve("models")).stream()
                .anyMatch(p -> p.startsWith("ts-")), "nothing stored");
    }

    /** Case 7: a grid of very many units: the dry run says how many first, fast; a run needs --yes. */
    @Test
    void aHugeGridNeedsToBeAskedFor() throws Exception {
        StringBuilder stps = new StringBuilder();
        for (int i = 1; i <= 600; i++) {
            stps.append(i == 1 ? "" : ", ").append(i / 1000.0);
        }
        Path f = tmp.resolve("huge.yaml");
        Files.writeString(f, SWEEP.replace("name: evidence", "name: huge").replace("seeds: [0]",
                "seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]").replace("stp: 0.4", "stp: [" + stps + "]"));
        Path home = tmp.resolve("h7");
        long t0 = System.nanoTime();
        ChildCli.Result dry = cli(home, "sweep", f.toString(), "--dry-run", "--data-dir", data.toString());
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, dry.code(), dry.all());
        assertTrue(dry.out().lines().findFirst().orElseThrow().contains("(12020 units)"), dry.out().lines()
                .findFirst().orElse(""));
        assertTrue(secs < 60, "the plan of 12,020 units took " + secs + " s");
        ChildCli.Result run = cli(home, "sweep", f.toString(), "--data-dir", data.toString());
        assertEquals(2, run.code(), run.all());
        assertTrue(run.error().contains("12020 units") && run.error().contains("--yes"), run.error());
        assertFalse(Files.exists(home.resolve("models")) && tree(home.resolve("models")).stream()
                .anyMatch(p -> p.endsWith("meta.json")), "nothing ran");
    }

    /** Case 8: what a run will write is checked before it works; a mistake in a sweep file is named by line. */
    @Test
    void everyCheckComesBeforeTheWork() throws Exception {
        Path home = copyOfHome("h8");
        String clf = classifierId(home);
        // a regular file where the model's results go: a file error before any attack
        Path results = home.resolve("results").resolve(clf);
        try (Stream<Path> s = Files.walk(results)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.writeString(results, "not a folder");
        ChildCli.Result a = cli(home, attack(home, clf));
        assertEquals(4, a.code(), a.all());
        assertTrue(a.error().contains(results.toString()), a.error());
        assertFalse(a.err().contains("INFO  attacking"), "it failed before the attack:\n" + a.err());
        Files.delete(results);

        // the home a regular file: a file error in every command
        Path file = tmp.resolve("home-file");
        Files.writeString(file, "x");
        for (String[] args : List.of(attack(home, clf), new String[] {"train", "classifier", "--dataset", "btsc"},
                new String[] {"sweep", sweep.toString(), "--dry-run"}, new String[] {"models", "list"})) {
            ChildCli.Result r = cli(file, args);
            assertEquals(4, r.code(), String.join(" ", args) + "\n" + r.all());
            assertTrue(r.error().contains("is not a folder"), r.error());
        }

        // --save-adv on an attack already done says why it cannot, and -0 is 0
        ChildCli.Result first = cli(home, attack(home, clf, "--save-adv", tmp.resolve("adv").toString()));
        assertEquals(0, first.code(), first.all());
        ChildCli.Result save = cli(home, attack(home, clf, "--save-adv", tmp.resolve("adv").toString()));
        assertEquals(2, save.code(), save.all());
        assertTrue(save.error().contains("--save-adv") && save.error().contains("keep no adversarial inputs"),
                save.error());
        List<String> args = new java.util.ArrayList<>(List.of(attack(home, clf)));
        args.set(args.indexOf("0,0.01"), "-0,0.01");
        assertEquals(0, cli(home, args.toArray(String[]::new)).code());
        try (Stream<Path> s = Files.walk(home.resolve("results").resolve(clf))) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("eps--")).count(), "-0 is 0");
        }

        // a key twice in one map, and an alias, named by line
        Path dup = tmp.resolve("dup.yaml");
        Files.writeString(dup, SWEEP.replace("classifier: {epochs: 1, batch: 8}",
                "classifier: {epochs: 1, batch: 8}\nclassifier: {epochs: 2}"));
        ChildCli.Result d = cli(home, "sweep", dup.toString(), "--dry-run");
        assertEquals(2, d.code(), d.all());
        assertTrue(d.error().contains("dup.yaml:5: key 'classifier' given twice"), d.error());
        Path alias = tmp.resolve("alias.yaml");
        Files.writeString(alias, SWEEP.replace("seeds: [0]", "seeds: &s [0]\nother: *s"));
        ChildCli.Result al = cli(home, "sweep", alias.toString(), "--dry-run");
        assertEquals(2, al.code(), al.all());
        assertTrue(al.error().contains("aliases") && al.error().contains("alias.yaml:"), al.error());
    }

    /** Case 9: a bad value in a sweep file is named with its file, line and key; a folder is not a file. */
    @Test
    void aSweepFilesMistakesAreNamedWhereTheyAre() throws Exception {
        Path home = tmp.resolve("h9");
        Path eps = tmp.resolve("eps.yaml");
        Files.writeString(eps, SWEEP.replace("eps: [0, 0.01]", "eps: [0, 1.5]"));
        ChildCli.Result e = cli(home, "sweep", eps.toString(), "--dry-run");
        assertEquals(2, e.code(), e.all());
        assertTrue(e.error().contains("eps.yaml:") && e.error().contains("eps must be in [0, 1]"), e.error());
        Path n = tmp.resolve("n.yaml");
        Files.writeString(n, SWEEP.replace("[btsc]", "[mnist]").replace("n: 5", "n: 20000"));
        ChildCli.Result m = cli(home, "sweep", n.toString(), "--dry-run");
        assertEquals(2, m.code(), m.all());
        assertTrue(m.error().contains("n.yaml:") && m.error().contains("n 20000 is more than the 10000"), m.error());
        Path imp = tmp.resolve("imp.yaml");
        Files.writeString(imp, SWEEP + "imported:\n  - {model: ../../models/x}\n");
        ChildCli.Result i = cli(home, "sweep", imp.toString(), "--dry-run");
        assertEquals(2, i.code(), i.all());
        assertTrue(i.error().contains("imp.yaml:") && i.error().contains("is not a model id"), i.error());
        for (String[] args : List.of(new String[] {"sweep", tmp.toString(), "--dry-run"},
                new String[] {"import", "classifier", tmp.toString(), "--dataset", "btsc"})) {
            ChildCli.Result r = cli(home, args);
            assertEquals(2, r.code(), r.all());
            assertTrue(r.error().contains("is a folder"), r.error());
        }
    }

    /** The home's own files are as the user's run left them: nothing the cases did leaked into it. */
    @Test
    void theSharedRunIsUntouched() throws Exception {
        ChildCli.Result r = cli(done, "results", sweep.toString(), "--csv", "--data-dir", data.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals(1 + 2 * 2, r.out().lines().count(), "two models, two eps each, and no worst case (one"
                + " attack):\n" + r.out());
        assertTrue(r.out().lines().skip(1).allMatch(l -> l.endsWith(",true")), "every record checked:\n" + r.out());
        assertFalse(new String(Files.readAllBytes(sweep), StandardCharsets.UTF_8).isEmpty());
    }
}
