package dev.aerobust.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * SIGKILL at a random moment of a training and of a multi-eps attack (the CLI in a child JVM, on a synthetic BTSC
 * tree): the rerun finishes with the results of a run that was never killed, and the attack redoes at most the
 * chunk of rows it was in.
 */
@Tag("slow")
class KillTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProcessBuilder cli(Path home, String... args) {
        return ChildCli.merged(home, args);
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** Starts {@code args}, kills it (SIGKILL) a random moment after a line containing {@code after}. */
    private void killAfter(Path home, String after, long seed, String... args) throws Exception {
        Process p = cli(home, args).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains(after)) {
                    Thread.sleep(new Random(seed).nextInt(400));
                    p.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }

    @Test
    void aKilledTrainingAndAKilledAttackEndAsUninterruptedOnes() throws Exception {
        Path data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 8, 10, 4);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 8, 2, 1);
        String[] train = {"train", "classifier", "--dataset", "btsc", "--epochs", "6", "--batch", "8", "--threads",
            "1", "--json", "--data-dir", data.toString()};
        Path clean = tmp.resolve("clean");
        Path killed = tmp.resolve("killed");

        JsonNode whole = JSON.readTree(lastLine(finish(cli(clean, train).start())));
        killAfter(killed, "INFO  epoch 2:", 1, train);
        String again = finish(cli(killed, train).start());
        assertTrue(again.contains("resuming from epoch"), "the rerun resumed from the killed run's checkpoint:\n" + again);
        JsonNode resumed = JSON.readTree(lastLine(again));
        assertEquals(whole.path("id"), resumed.path("id"));
        assertEquals(whole.path("weights_sha256"), resumed.path("weights_sha256"),
                "the killed and resumed training stores the uninterrupted run's model");

        String id = whole.path("id").asText();
        String[] attack = {"attack", "--model", id, "--attack", "pgd", "--steps", "60", "--batch-rows", "4", "--n",
            "16", "--eps", "0.01,0.02,0.03", "--threads", "1", "--json", "--data-dir", data.toString()};
        JsonNode a = JSON.readTree(lastLine(finish(cli(clean, attack).start())));
        killAfter(killed, "INFO  attacking", 2, attack);
        killAfter(killed, "rows", 3, attack);
        String out = finish(cli(killed, attack).start());
        JsonNode b = JSON.readTree(lastLine(out));
        for (int e = 0; e < 3; e++) {
            JsonNode ra = a.path("records").get(e);
            JsonNode rb = b.path("records").get(e);
            assertEquals(ra.path("per_image"), rb.path("per_image"), "eps " + ra.path("eps"));
            assertEquals(ra.path("robust_accuracy"), rb.path("robust_accuracy"));
        }
        try (Stream<Path> s = Files.walk(killed.resolve("results"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("partial-")));
        }
    }

    private static String lastLine(String out) {
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertTrue(!lines.isEmpty(), out);
        return lines.get(lines.size() - 1);
    }
}
