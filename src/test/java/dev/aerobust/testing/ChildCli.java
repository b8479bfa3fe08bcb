package dev.aerobust.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CLI in a child JVM, with its own {@code AEROBUST_HOME}: how the tests run aerobust as a user does. Its
 * standard output and standard error are kept apart, so that what a test parses (JSON, CSV) is the output alone:
 * a JVM option such as {@code JAVA_TOOL_OPTIONS} prints on standard error.
 */
public final class ChildCli {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChildCli() {
    }

    /** A finished run: exit code, standard output, standard error. */
    public record Result(int code, String out, String err) {

        /** The lines aerobust itself printed on standard error ("aerobust: ..."), without the log and the bars. */
        public List<String> errors() {
            return err.lines().filter(l -> l.startsWith("aerobust:")).toList();
        }

        /** The one error line; fails if there is not exactly one, or if a stack trace reached the user. */
        public String error() {
            List<String> e = errors();
            assertEquals(1, e.size(), "exactly one error line:\n" + err);
            assertFalse(err.contains("\tat ") || out.contains("\tat "), "no stack trace:\n" + err);
            return e.get(0);
        }

        /** Standard output as one JSON value. */
        public JsonNode json() throws IOException {
            assertFalse(out.isBlank(), "no output; standard error:\n" + err);
            return JSON.readTree(out);
        }

        /** Both streams, for a failure's message. */
        public String all() {
            return out + "\n--- stderr ---\n" + err;
        }
    }

    /**
     * The CLI in a child JVM with home {@code home}, its standard error merged into its output: for a test that
     * watches the log as it comes (to kill the run at a moment). What a test parses it takes from {@link #run}.
     */
    public static ProcessBuilder merged(Path home, String... args) {
        return command(home, args).redirectErrorStream(true);
    }

    /** The CLI's command line in a child JVM with home {@code home}. */
    private static ProcessBuilder command(Path home, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xss4m");
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.aerobust.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AEROBUST_HOME", home.toString());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        return pb;
    }

    /** Runs the CLI to its end (at most {@code seconds}) with extra environment {@code env}. */
    public static Result run(Path home, Map<String, String> env, long seconds, String... args) throws Exception {
        ProcessBuilder pb = command(home, args);
        pb.environment().putAll(env);
        Path err = Files.createTempFile("aerobust-stderr", ".txt");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "ran past " + seconds + " s: " + String.join(" ", args));
            return new Result(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** {@link #run(Path, Map, long, String...)} with no extra environment and five minutes. */
    public static Result run(Path home, String... args) throws Exception {
        return run(home, Map.of(), 300, args);
    }
}
