package dev.aerobust.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.aerobust.bench.Bench;
import dev.aerobust.nn.Engine;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code aerobust bench}: the speed benchmark, optionally against the PyTorch reference in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the benchmark workloads (spec/benchmark.md): classifier, VAE and contractive training"
                + " steps (batch 128), and CW-Linf iterations on VAE + classifier (batch 1000).",
            "Prints one JSON object on stdout with --json; logs go to stderr.",
            "--reference runs the PyTorch reference script in the same run and adds the ratios."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed repetitions first (default 5).")
    int warmup = 5;

    @Option(names = "--reps", paramLabel = "N", description = "Timed repetitions; the median is reported (default 20).")
    int reps = 20;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads (default: all cores).")
    Integer threads;

    @Option(names = "--reference", paramLabel = "SCRIPT", description = "The PyTorch reference, e.g. ../shared/bench/torch_reference.py.")
    Path reference;

    @Option(names = "--python", paramLabel = "EXE", description = "Python for the reference (default /usr/bin/python3, Debian's python3-torch).")
    String python = "/usr/bin/python3";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || reps <= 0) {
            throw new AerobustException(ExitCode.USAGE, "--warmup must be >= 0 and --reps > 0");
        }
        if (reference != null && !Files.isRegularFile(reference)) {
            throw new AerobustException(ExitCode.USAGE, reference + ": no such reference script");
        }
        if (threads != null) {
            Engine.setThreads(threads);
        }
        Map<String, Object> r = Bench.run(new Bench.Protocol(warmup, reps));
        if (reference != null) {
            Map<String, Object> ref = Bench.reference(reference, python, Engine.threads());
            r.put("reference", ref);
            Map<String, Object> ratio = new LinkedHashMap<>();
            for (String k : new String[] {"classifier_train_img_s", "vae_train_img_s", "cw_img_iter_s"}) {
                if (r.get(k) instanceof Number a && ref.get(k) instanceof Number b && b.doubleValue() > 0) {
                    ratio.put(k, Math.round(a.doubleValue() / b.doubleValue() * 100) / 100.0);
                }
            }
            r.put("speedup_vs_reference", ratio);
        }
        if (json) {
            spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(r));
        } else {
            r.forEach((k, v) -> spec.commandLine().getOut().println(k + ": " + v));
        }
        return 0;
    }
}
