package dev.aerobust.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CLI in a child JVM, with its own {@code AEROBUST_HOME}: for tests that kill it or run two at once. */
public final class ChildCli {

    private ChildCli() {
    }

    public static ProcessBuilder of(Path home, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xss4m");
        String cache = System.getProperty("org.bytedeco.javacpp.cachedir");
        if (cache != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + cache);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.aerobust.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AEROBUST_HOME", home.toString());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        return pb;
    }
}
