package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.store.ModelStore;
import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * A store shared without its weights (model metadata and attack records only) still gives the sweep's results
 * and report, and its plan counts the models done; a sweep that then asks for more trains the models it needs
 * again, to the same weights, and reuses every record it has.
 */
@Tag("slow")
class WeightlessStoreTest {

    @TempDir
    Path tmp;

    private static final String SWEEP = """
            name: weightless
            datasets: [btsc]
            classifier: {epochs: 2, batch: 8}
            autoencoders:
              - {family: ae, stp: 0.4, epochs: 2, batch: 8}
            evaluations:
              - {n: 6, eps: [0, 0.03]}
            attacks:
              - {attack: pgd, steps: 20}
            """;

    /** Runs the CLI, expecting exit {@code status}; its standard output and error apart. */
    private ChildCli.Result run(int status, String... args) throws Exception {
        ChildCli.Result r = ChildCli.run(tmp.resolve("home"), args);
        assertEquals(status, r.code(), r.all());
        return r;
    }

    private List<Path> weights() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("home/models"))) {
            return s.map(d -> d.resolve(ModelStore.WEIGHTS)).filter(Files::exists).sorted().toList();
        }
    }

    private static String sha(Path modelDir) throws Exception {
        JsonNode m = ModelStore.JSON.readTree(modelDir.resolve(ModelStore.META).toFile());
        return m.path("weights_sha256").asText();
    }

    private Path file;
    private String d;

    /** The sweep run once on a small synthetic BTSC tree (one job, {@code threads} engine threads); its CSV. */
    private String firstRun(String threads) throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        file = tmp.resolve("weightless.yaml");
        Files.writeString(file, SWEEP);
        d = data.toString();
        run(0, "sweep", file.toString(), "--data-dir", d, "--threads", threads);
        return run(0, "results", file.toString(), "--csv", "--data-dir", d).out();
    }

    @Test
    void aStoreWithoutWeightsReportsAndResumes() throws Exception {
        String csv = firstRun("1");
        List<Path> weights = weights();
        assertEquals(2, weights.size(), "the classifier and the AE");
        List<String> shas = List.of(sha(weights.get(0).getParent()), sha(weights.get(1).getParent()));

        // the weights left out: every unit is done, the results and the report are the same
        for (Path w : weights) {
            Files.delete(w);
        }
        String plan = run(0, "sweep", file.toString(), "--data-dir", d, "--dry-run").out();
        assertEquals(2, plan.lines().filter(l -> l.contains("weights left out")).count(), plan);
        assertTrue(plan.contains("0 to run"), plan);
        JsonNode data = run(0, "sweep", file.toString(), "--data-dir", d, "--dry-run", "--json").json();
        assertEquals(4, data.path("units").size(), data.toString());
        for (JsonNode u : data.path("units")) {
            assertTrue(u.path("done").asBoolean() && !u.path("model_weights_stored").asBoolean(), u.toString());
        }
        JsonNode aeAttack = data.path("units").get(3);
        assertEquals("[3,1]", aeAttack.path("needs").toString(), "the AE's attack needs the AE and the classifier");
        assertEquals(data.path("units").get(0).path("model"), aeAttack.path("classifier"));
        assertEquals(data.path("units").get(2).path("model"), aeAttack.path("model"));
        // an attack of its own on a model without weights is bad data that says why
        String refused = run(3, "attack", "--model", aeAttack.path("model").asText(), "--classifier",
                aeAttack.path("classifier").asText(), "--attack", "pgd", "--eps", "0.03", "--n", "6", "--data-dir", d)
                .error();
        assertTrue(refused.contains("metadata without its weights"), refused);
        String listed = run(0, "models", "list").out();
        assertEquals(2, listed.lines().filter(l -> l.contains("(no weights)")).count(), listed);
        assertEquals(csv, run(0, "results", file.toString(), "--csv", "--data-dir", d).out());
        run(0, "report", file.toString(), "--data-dir", d, "--out", tmp.resolve("report").toString());
        assertTrue(Files.readString(tmp.resolve("report/report.html")).contains("2 of the sweep's 2 attack units done"));

        // a sweep that asks for one more eps trains both again (the AE's attack needs both) and reuses the records
        Files.writeString(file, SWEEP.replace("eps: [0, 0.03]", "eps: [0, 0.03, 0.05]"));
        plan = run(0, "sweep", file.toString(), "--data-dir", d, "--dry-run").out();
        assertFalse(plan.contains("weights left out"), plan);
        String out = run(0, "sweep", file.toString(), "--data-dir", d, "--threads", "1").all();
        assertTrue(out.contains("units done in"), out);
        List<Path> again = weights();
        assertEquals(shas, List.of(sha(again.get(0).getParent()), sha(again.get(1).getParent())),
                "trained again to the same weights, under the same ids");
        String more = run(0, "results", file.toString(), "--csv", "--data-dir", d).out();
        for (String row : csv.lines().filter(l -> l.startsWith("weightless,")).toList()) {
            assertTrue(more.lines().anyMatch(row::equals), "a record of the first run, reused as it was: " + row);
        }
        assertEquals(2 * 3, more.lines().filter(l -> l.startsWith("weightless,") && !l.contains(",worst-case,"))
                .count(), more);
    }

    /**
     * Trained again to other weights than its records were made on (another machine, another thread count: here
     * the checksum in its metadata is changed to stand for them), a model's records are set aside and its
     * attacks run again; the classifier, trained again to its own weights, keeps its records.
     */
    @Test
    void recordsMadeOnOtherWeightsAreSetAsideAndRunAgain() throws Exception {
        String csv = firstRun("2");
        for (Path w : weights()) {
            Path meta = w.getParent().resolve(ModelStore.META);
            Files.delete(w);
            if (w.getParent().getFileName().toString().startsWith("ae-")) {
                String m = Files.readString(meta);
                Files.writeString(meta, m.replace(sha(w.getParent()), "0".repeat(64)));
            }
        }
        // one more attack: both models are trained again; the AE's PGD, done when the run began, is set aside
        // with its model's records and run again in the same sitting
        Files.writeString(file, SWEEP.replace("  - {attack: pgd, steps: 20}", "  - {attack: pgd, steps: 20}\n"
                + "  - {attack: cw-linf, steps: 20}"));
        // two jobs: the classifier trains alone on both threads, as the first run's did
        String out = run(0, "sweep", file.toString(), "--data-dir", d, "--jobs", "2", "--threads", "2").all();
        assertTrue(out.contains("was trained again to other weights than its records were made on"), out);
        String more = run(0, "results", file.toString(), "--csv", "--data-dir", d).out();
        List<String> before = csv.lines().filter(l -> l.startsWith("weightless,")).toList();
        assertEquals(2, before.stream().filter(l -> l.contains(",none,")).filter(more.lines().toList()::contains)
                .count(), "the classifier's records reused:\n" + csv + "\n---\n" + more);
        assertEquals(0, before.stream().filter(l -> l.contains(",ae,")).filter(more.lines().toList()::contains)
                .count(), "the AE's records made again:\n" + csv + "\n---\n" + more);
        assertEquals(2 * 2 * 2, more.lines().filter(l -> l.startsWith("weightless,") && !l.contains(",worst-case,"))
                .count(), more);
        assertEquals(2, more.lines().filter(l -> l.contains(",ae,") && l.contains(",pgd,")).count(), more);
        try (Stream<Path> s = Files.walk(tmp.resolve("home/results/.stale"))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("eps-")), "the old records kept aside");
        }
    }
}
