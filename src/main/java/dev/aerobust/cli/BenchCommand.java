package dev.aerobust.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.aerobust.bench.Bench;
import dev.aerobust.nn.Engine;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** {@code aerobust bench}: the speed benchmark, optionally against the PyTorch reference in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time the benchmark workloads (spec/benchmark.md): classifier, VAE and contractive training"
                + " steps (batch 128; the classifier's also with --precision bf16, the contractive one with its"
                + " penalty in fp32 and in bf16), and CW-Linf (fp32"
                + " and bf16) and APGD-CE iterations on VAE + classifier (batch 1000).",
            "Prints one JSON object on stdout with --json; logs go to stderr. Besides the rates: the attacks'"
                + " achieved GFLOP/s and fraction of this CPU's fp32 peak, and sweep_units_per_hour, the quick MNIST"
                + " profile's units per hour estimated from the training and attack rates (all workloads only).",
            "--compare-reference runs the PyTorch reference in the same run and adds the ratios."})
final class BenchCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BenchCommand.class);

    /** The workload names, for --help. */
    static final class WorkloadNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Bench.Workload.names().iterator();
        }
    }

    /** Where the reference sits beside a checkout: {@code ../shared/bench/torch_reference.py}. */
    static final Path DEFAULT_REFERENCE = Path.of("..", "shared", "bench", "torch_reference.py");

    /**
     * aerobust's keys with the reference's key each is compared to: the same workload, and the bf16 ones against
     * the reference's fp32 (the reference runs fp32 only).
     */
    static final String[][] COMPARED = {{"classifier_train_img_s", "classifier_train_img_s"},
        {"classifier_bf16_train_img_s", "classifier_train_img_s"}, {"vae_train_img_s", "vae_train_img_s"},
        {"cw_img_iter_s", "cw_img_iter_s"}, {"cw_bf16_img_iter_s", "cw_img_iter_s"}};

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--warmup", paramLabel = "N", description = "Untimed repetitions first (default 5).")
    int warmup = 5;

    @Option(names = "--reps", paramLabel = "N", description = "Timed repetitions; the median is reported (default 20).")
    int reps = 20;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads (default: all cores).")
    Integer threads;

    @Option(names = "--workload", paramLabel = "NAME", split = ",", completionCandidates = WorkloadNames.class,
            description = "Run only these workloads (repeatable or comma-separated; default: all): "
                    + "${COMPLETION-CANDIDATES} (classifier_bf16_train, cw_bf16: with --precision bf16).")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--compare-reference", description = "Run the PyTorch reference (--reference, default "
            + "../shared/bench/torch_reference.py) after the workloads and print the ratios; where the script or"
            + " Python's torch is missing, say so and print aerobust's numbers alone.")
    boolean compare;

    @Option(names = "--reference", paramLabel = "SCRIPT", description = "The PyTorch reference script (implies"
            + " --compare-reference; an error if it is missing).")
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
        Set<Bench.Workload> which = workloads.isEmpty() ? Bench.defaults() : EnumSet.noneOf(Bench.Workload.class);
        workloads.forEach(w -> which.add(Bench.Workload.parse(w.trim())));
        if (threads != null) {
            Engine.setThreads(threads);
        }
        ObjectNode r = Bench.run(new Bench.Protocol(warmup, reps), which);
        Path script = reference != null ? reference : compare ? DEFAULT_REFERENCE : null;
        if (script != null) {
            compare(r, script);
        }
        if (json) {
            spec.commandLine().getOut().println(Json.MAPPER.writeValueAsString(r));
        } else {
            r.fields().forEachRemaining(e -> spec.commandLine().getOut().println(e.getKey() + ": "
                    + (e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString())));
        }
        return 0;
    }

    /** Runs the reference in this same run and adds its numbers and the ratios; a missing one is reported. */
    private void compare(ObjectNode r, Path script) {
        if (!Files.isRegularFile(script)) {
            LOG.warn("no reference at {}: aerobust's numbers alone", script);
            r.put("reference", "missing: " + script);
            return;
        }
        ObjectNode ref;
        try {
            ref = Bench.reference(script, python, Engine.threads());
        } catch (java.io.IOException e) {
            if (reference != null) {
                throw new AerobustException(ExitCode.USAGE, "the reference failed: " + e.getMessage()
                        + " (is python3-torch installed?)");
            }
            LOG.warn("the reference did not run ({}; is python3-torch installed?): aerobust's numbers alone",
                    e.getMessage());
            r.put("reference", "failed: " + e.getMessage());
            return;
        }
        r.set("reference", ref);
        ObjectNode ratio = r.objectNode();
        for (String[] k : COMPARED) {
            if (r.path(k[0]).isNumber() && ref.path(k[1]).isNumber() && ref.get(k[1]).asDouble() > 0) {
                ratio.put(k[0], Math.round(r.get(k[0]).asDouble() / ref.get(k[1]).asDouble() * 100) / 100.0);
            }
        }
        r.set("speedup_vs_reference", ratio);
        if (!json) {
            ratio.fields().forEachRemaining(e -> LOG.info("{}: {}x the reference", e.getKey(), e.getValue()));
        }
    }
}
