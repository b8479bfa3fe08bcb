package dev.aerobust.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver on Spark's local master, with a shell command standing in for aerobust's unit worker: the stages run
 * in order, each unit once with its number, label and threads; a unit whose worker fails ends the run with the
 * worker's exit code and last line.
 */
class SparkSweepTest {

    @TempDir
    Path tmp;

    private static Plan plan(List<String> command, List<List<Plan.Unit>> stages) {
        return new Plan("t", "local[2]", 1, 4, Map.of("spark.ui.enabled", "false"), command,
                Map.of("UNIT_ENV", "set"), stages);
    }

    private static final List<List<Plan.Unit>> STAGES = List.of(List.of(new Plan.Unit(1, "train classifier")),
            List.of(new Plan.Unit(2, "train ae"), new Plan.Unit(3, "attack pgd on classifier")),
            List.of(new Plan.Unit(4, "attack pgd on ae")));

    private record Run(int code, String out) {
    }

    private static Run run(Plan p) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int code = new SparkSweep(p).run(new PrintStream(b, true, StandardCharsets.UTF_8));
        return new Run(code, b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theStagesRunInOrderEachUnitOnceWithItsArguments() throws Exception {
        Path log = tmp.resolve("units.log");
        // the task appends: --unit K --label L --threads T
        Run r = run(plan(List.of("sh", "-c", "echo \"$2|$4|$6|$UNIT_ENV\" >> " + log + "; sleep 0.3", "sh"), STAGES));
        assertEquals(0, r.code(), r.out());
        List<String> lines = Files.readAllLines(log);
        assertEquals(4, lines.size(), "each unit once:\n" + lines);
        assertEquals("1|train classifier|1|set", lines.get(0));
        assertEquals(Set.of("2|train ae|1|set", "3|attack pgd on classifier|1|set"), Set.copyOf(lines.subList(1, 3)));
        assertEquals("4|attack pgd on ae|1|set", lines.get(3));
        assertTrue(r.out().contains("[sweep t] stage 3/3: 1 unit"),
                r.out());
        assertTrue(r.out().contains("[sweep t] 4 units run on Spark in"), r.out());
    }

    @Test
    void aUnitWhoseWorkerFailsEndsTheRunWithItsExitCodeAndLastLine() {
        Run r = run(plan(List.of("sh", "-c", "if [ \"$2\" = 2 ]; then echo 'aerobust: the data is bad'; exit 3; fi",
                "sh"), STAGES));
        assertEquals(3, r.code(), r.out());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("aerobust: exit 3: unit 2 (train ae) failed on Spark: aerobust: the data is bad", last);
        assertTrue(!r.out().contains("stage 3/3"), "the next stage never starts:\n" + r.out());
    }
}
