package dev.aerobust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.testing.Synthetic;

/**
 * {@code --spark} on this side of the module: its usage errors, and the dry run's stages. (A run on a cluster is the
 * Spark module's own test, SparkClusterIT.)
 */
class SparkOptionTest {

    @TempDir
    Path tmp;

    private Path data;
    private Path file;

    @BeforeEach
    void files() throws Exception {
        data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        file = tmp.resolve("s.yaml");
        Files.writeString(file, """
                name: s
                datasets: [btsc]
                classifier: {epochs: 1, batch: 8}
                autoencoders:
                  - {family: [ae, vae], stp: 0.4, epochs: 1, batch: 8}
                evaluations:
                  - {n: 4, eps: [0, 0.03]}
                attacks:
                  - {attack: pgd, steps: 10}
                """);
    }

    private CliTest.Run sweep(String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "sweep";
        args[1] = file.toString();
        args[2] = "--data-dir";
        args[3] = data.toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return CliTest.run(args);
    }

    @Test
    void sparkOptionsThatDoNotGoTogetherAreUsageErrors() {
        CliTest.Run jobs = sweep("--spark", "local[2]", "--jobs", "2");
        assertEquals(2, jobs.code());
        assertTrue(jobs.err().startsWith("aerobust: --jobs is for a run on this machine"), jobs.err());
        CliTest.Run limit = sweep("--spark", "local[2]", "--time-limit", "1h");
        assertEquals(2, limit.code());
        assertTrue(limit.err().startsWith("aerobust: --time-limit is for a run on this machine"), limit.err());
        CliTest.Run conf = sweep("--spark-conf", "spark.executor.memory=2g");
        assertEquals(2, conf.code());
        assertEquals("aerobust: --spark-conf goes with --spark", conf.err().strip());
        CliTest.Run blank = sweep("--spark", " ");
        assertEquals(2, blank.code());
        assertTrue(blank.err().contains("--spark takes a Spark master URL"), blank.err());
    }

    /** Without the module built (this JVM has no $AEROBUST_SPARK_CLASSPATH), --spark says how to get it. */
    @Test
    void withoutTheModuleSparkIsAUsageErrorThatSaysHowToBuildIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(SparkRun.CLASSPATH_ENV) == null);
        CliTest.Run r = sweep("--spark", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("aerobust: --spark needs aerobust's Spark module") && r.err().contains(
                "mvn -f spark/pom.xml package"), r.err());
    }

    @Test
    void theDryRunShowsTheStages() {
        CliTest.Run r = sweep("--dry-run", "--spark", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("on Spark (local[2]): 3 stages, each unit a task of 1 core"), r.out());
        assertTrue(r.out().contains("stage 1: 1 unit,") && r.out().contains("stage 2: 3 units,")
                && r.out().contains("stage 3: 2 units,"), r.out());
        // as data: the stages as lists of the plan's unit numbers (1 the classifier; 2 its PGD, 3 the AE, 5 the VAE;
        // then the attacks on the stacks)
        CliTest.Run j = sweep("--dry-run", "--json", "--spark", "local[2]");
        assertEquals(0, j.code(), j.err());
        assertTrue(j.out().contains("\"spark_master\":\"local[2]\"") && j.out().contains(
                "\"stages\":[[1],[2,3,5],[4,6]]") && !j.out().contains("wall_seconds"), j.out());
    }
}
