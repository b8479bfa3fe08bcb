package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * A sweep killed with SIGKILL part way, then run again, finishes: the units finished before the kill are reused
 * (the log says so), and the results hold exactly one row per attack unit and eps. Runs the CLI in a child JVM
 * on a small synthetic BTSC tree.
 */
@Tag("slow")
class SweepKillTest {

    @TempDir
    Path tmp;

    private static final String SWEEP = """
            name: kill
            datasets: [btsc]
            classifier: {epochs: 2, batch: 8}
            autoencoders:
              - {family: [ae, dae, vae], stp: 0.4, epochs: 2, batch: 8}
            evaluations:
              - {n: 6, eps: [0, 0.01, 0.03]}
            attacks:
              - {attack: cw-linf, steps: 40}
              - {attack: pgd, steps: 40}
            """;

    private ProcessBuilder cli(String... args) {
        return ChildCli.merged(tmp.resolve("home"), args);
    }

    @Test
    void aKilledSweepRunAgainReusesItsFinishedUnitsAndFinishes() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        Path file = tmp.resolve("kill.yaml");
        Files.writeString(file, SWEEP);

        Process first = cli("sweep", file.toString(), "--data-dir", data.toString(), "--threads", "1").start();
        List<String> log = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(first.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.add(line);
                // units run model by model: the classifier and the AE are stored and attacked; kill it in the
                // middle of the DAE's training
                if (line.contains("unit 7/")) {
                    first.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertTrue(log.stream().anyMatch(l -> l.contains("unit 7/")), String.join("\n", log));

        // the report of the sweep so far says what it holds
        Process partial = cli("report", file.toString(), "--data-dir", data.toString(), "--out",
                tmp.resolve("partial").toString()).start();
        String reported = new String(partial.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(partial.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, partial.exitValue(), reported);
        String page = Files.readString(tmp.resolve("partial/report.html"));
        assertTrue(page.contains("4 of the sweep's 8 attack units done")
                && page.contains("the sweep is not finished") && page.contains("Compute so far: the stored units ran"),
                "the classifier's and the AE's attacks alone");

        Process second = cli("sweep", file.toString(), "--data-dir", data.toString(), "--threads", "1").start();
        String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(second.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue(), out);
        long reused = out.lines().filter(l -> l.contains("reused: train")).count();
        assertEquals(2, reused, "the classifier and the AE were reused:\n" + out);
        assertEquals(4, out.lines().filter(l -> l.contains("reused: attack")).count(),
                "the attacks on both were reused:\n" + out);
        assertTrue(out.contains("units done in"), out);

        Process results = cli("results", file.toString(), "--csv", "--data-dir", data.toString()).start();
        String csv = new String(results.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(results.waitFor(120, TimeUnit.SECONDS));
        List<String> rows = csv.lines().filter(l -> l.startsWith("kill,")).toList();
        // 4 models x 2 attacks x 3 eps, and a worst-case row per model and eps
        long attackRows = rows.stream().filter(l -> !l.contains(",worst-case,")).count();
        assertEquals(4 * 2 * 3, attackRows, csv);
        assertEquals(attackRows, rows.stream().filter(l -> !l.contains(",worst-case,")).distinct().count(),
                "one row per unit and eps");
        assertEquals(4 * 3, rows.stream().filter(l -> l.contains(",worst-case,")).count(), csv);
    }

    /** Two identical trainings at once: the second waits for the first and reuses its model. */
    @Test
    void twoIdenticalTrainingsAtOnceTrainOnce() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        String[] args = {"train", "classifier", "--dataset", "btsc", "--epochs", "3", "--batch", "8", "--threads",
            "1", "--data-dir", data.toString()};
        List<String> both = twoAtOnce(args);
        String outA = both.get(0);
        String outB = both.get(1);
        long reused = java.util.stream.Stream.of(outA, outB).filter(o -> o.contains("(already trained)")).count();
        assertEquals(1, reused, "one trained, the other reused:\n" + outA + "\n---\n" + outB);
        long trained = java.util.stream.Stream.of(outA, outB).filter(o -> o.contains("INFO  training classifier ")).count();
        assertEquals(1, trained, outA + "\n---\n" + outB);
    }

    /**
     * Two identical attacks at once (two sweeps sharing a store, a retried task): one attacks, the other waits for
     * its lock and then reads its records, which both print.
     */
    @Test
    void twoIdenticalAttacksAtOnceAttackOnce() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 4, 1);
        Process t = cli("train", "classifier", "--dataset", "btsc", "--epochs", "2", "--batch", "8", "--threads", "1",
                "--json", "--data-dir", data.toString()).start();
        String trained = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(t.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, t.exitValue(), trained);
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(trained.lines()
                .reduce((x, y) -> y).orElseThrow()).path("id").asText();
        String[] args = {"attack", "--model", id, "--attack", "pgd", "--steps", "400", "--n", "12", "--eps",
            "0.01,0.03", "--threads", "1", "--data-dir", data.toString()};
        List<String> both = twoAtOnce(args);
        String outA = both.get(0);
        String outB = both.get(1);
        long attacked = java.util.stream.Stream.of(outA, outB).filter(o -> o.contains("INFO  attacking 12 images"))
                .count();
        assertEquals(1, attacked, "one attacked, the other read its records:\n" + outA + "\n---\n" + outB);
        assertEquals(outA.lines().filter(l -> l.contains("0.0300")).toList(),
                outB.lines().filter(l -> l.contains("0.0300")).toList(), "the same records printed by both");
    }

    /** The same command twice at once; the output of each, after both ended well. */
    private List<String> twoAtOnce(String... args) throws Exception {
        Process a = cli(args).start();
        Process b = cli(args).start();
        String outA = new String(a.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String outB = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, a.exitValue(), outA);
        assertEquals(0, b.exitValue(), outB);
        return List.of(outA, outB);
    }
}
