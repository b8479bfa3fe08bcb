package dev.aerobust.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's python3-torch for interop tests. On CI ({@code CI=true}) .ci/run installs it, so its absence is
 * a failure there; elsewhere those tests are skipped without it.
 */
public final class Python {

    public static final String PYTHON = "/usr/bin/python3";

    private Python() {
    }

    public static void requireTorch() throws Exception {
        boolean ok = Files.isExecutable(Path.of(PYTHON)) && run("-c", "import torch").exitCode == 0;
        if (!ok && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("python3-torch is missing on CI: .ci/run must install it");
        }
        assumeTrue(ok, "Debian's python3-torch is not installed");
    }

    /** Exit code and stdout of {@code python3 args...}. */
    public record Result(int exitCode, String out) {
    }

    public static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Result(-1, out);
        }
        return new Result(p.exitValue(), out);
    }

    public static Path script() {
        return Path.of("src/test/resources/python/interop.py");
    }
}
