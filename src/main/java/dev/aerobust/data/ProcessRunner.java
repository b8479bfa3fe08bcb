package dev.aerobust.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command (a package client) with a time limit, capturing its output; the command dies with
 * aerobust ({@link dev.aerobust.util.Children#tied}).
 */
final class ProcessRunner {

    record Result(int exitCode, String output) {
    }

    private ProcessRunner() {
    }

    static Result run(Path workDir, long timeoutSeconds, List<String> command) throws IOException {
        Path log = Files.createTempFile(workDir, ".output", ".log");
        try {
            Process p = new ProcessBuilder(dev.aerobust.util.Children.tied(command)).directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                dev.aerobust.util.Children.stop(p);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            if (!done) {
                dev.aerobust.util.Children.stop(p);
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new IOException(command.get(0) + " is not installed", e);
            }
            throw e;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The last non-blank line of a command's output, for one-line error messages. */
    static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
