package dev.aerobust.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: one unit of the sweep, run in aerobust's unit worker ({@code sweep-unit}), a process of its own,
 * so that libtorch's process-wide generator and thread pool are the unit's alone whatever else the executor runs.
 * The worker writes the store as a local run does (atomic records; a lock per model and per attack run), so a task
 * that Spark retries or runs twice redoes only what is not stored. The worker stops when its standard input
 * closes: a killed executor leaves no unit running. Its output goes to the executor's standard error (the worker's
 * log on a cluster, the console in local mode), each line marked with the unit's number.
 */
final class UnitTask implements Function<Plan.Unit, UnitTask.Done> {

    private static final long serialVersionUID = 1L;

    /** A finished unit: its number, its seconds, and where it ran. */
    record Done(int unit, double seconds, String host) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A unit whose worker ended with a non-zero exit code; the message carries the code and the worker's last line. */
    static final class UnitFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnitFailure(Plan.Unit u, int code, String last) {
            super("unit " + u.number() + " (" + u.label() + ") failed with exit " + code + ": " + last);
        }
    }

    private final ArrayList<String> command;
    private final LinkedHashMap<String, String> env;
    private final int threads;

    UnitTask(List<String> command, Map<String, String> env, int threads) {
        this.command = new ArrayList<>(command);
        this.env = new LinkedHashMap<>(env);
        this.threads = threads;
    }

    @Override
    public Done call(Plan.Unit u) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("--unit", String.valueOf(u.number()), "--label", u.label(), "--threads",
                String.valueOf(threads)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.err.println("  [" + u.number() + "] " + line);
                if (!line.isBlank()) {
                    tail.addLast(line);
                    if (tail.size() > 3) {
                        tail.removeFirst();
                    }
                }
            }
            int code = p.waitFor();
            if (code != 0) {
                throw new UnitFailure(u, code, tail.isEmpty() ? "(no output)" : tail.getLast());
            }
        } finally {
            // a task Spark kills (its job cancelled) takes its worker with it
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Done(u.number(), (System.nanoTime() - t0) / 1e9,
                java.net.InetAddress.getLocalHost().getHostName());
    }
}
