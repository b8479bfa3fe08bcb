package dev.aerobust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Results;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * A sweep with AutoAttack's standard ensemble beside PGD, then {@code results --robustbench}: one RobustBench
 * model_info entry per defense and eps, its numbers those of the records, the worst case over every attack beside
 * them.
 */
@Tag("slow")
class RobustBenchTest {

    @TempDir
    Path tmp;

    private static final String SWEEP = """
            name: rb
            datasets: [btsc]
            classifier: {epochs: 2, batch: 8}
            autoencoders:
              - {family: ae, stp: 0.4, epochs: 2, batch: 8}
            evaluations:
              - {n: 6, eps: [0, 0.02]}
            attacks:
              - {attack: autoattack, version: standard}
              - {attack: pgd, steps: 20}
            """;

    @Test
    void autoAttackRecordsBecomeRobustBenchEntries() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        Path file = tmp.resolve("rb.yaml");
        Files.writeString(file, SWEEP);
        Path home = tmp.resolve("home");
        Process p = ChildCli.merged(home, "sweep", file.toString(), "--data-dir", data.toString(), "--threads", "1")
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("autoattack standard: apgd-ce fooled"), "the ensemble says what each member fooled:\n"
                + log);

        Sweep sweep = Sweep.load(file);
        SweepRunner runner = new SweepRunner(sweep, data, new ModelStore(home.resolve("models")),
                new dev.aerobust.store.ResultsStore(home.resolve("results")));
        List<Results.Row> rows = Results.of(sweep, runner);
        List<Results.RobustBenchEntry> rb = Results.robustBench(rows, runner.store());
        long aaRows = rows.stream().filter(r -> r.attack() == dev.aerobust.attack.AttackKind.AUTOATTACK).count();
        assertEquals(aaRows, rb.size(), "one entry per AutoAttack row");
        assertTrue(rb.size() >= 2, rows.toString());
        for (Results.RobustBenchEntry e : rb) {
            Results.Row aa = rows.stream().filter(r -> r.attack() == dev.aerobust.attack.AttackKind.AUTOATTACK && r.record().equals(e.record()))
                    .findFirst().orElseThrow();
            assertEquals("Linf", e.threatModel());
            assertEquals("standard", e.version());
            assertEquals(100 * aa.robustAccuracy(), Double.parseDouble(e.autoattackAcc()), 0.005);
            Results.Row clean = rows.stream().filter(r -> r.model().equals(aa.model()) && r.eps() == 0
                    && r.attack() == dev.aerobust.attack.AttackKind.PGD).findFirst().orElseThrow();
            assertEquals(100 * clean.robustAccuracy(), Double.parseDouble(e.cleanAcc()), 0.005);
            if (aa.eps() > 0) {
                assertTrue(e.worstCaseAcc() != null, "the worst case over autoattack and pgd is beside it");
                assertTrue(Double.parseDouble(e.worstCaseAcc()) <= Double.parseDouble(e.autoattackAcc()));
            }
        }

        Process q = ChildCli.merged(home, "results", file.toString(), "--robustbench", "--data-dir", data.toString())
                .start();
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(q.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, q.exitValue(), out);
        JsonNode arr = new ObjectMapper().readTree(out.substring(out.indexOf('[')));
        assertEquals(rb.size(), arr.size());
        assertTrue(arr.get(0).has("autoattack_acc") && arr.get(0).has("clean_acc") && arr.get(0).has("eps"));
    }
}
