package dev.aerobust.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Precision;
import dev.aerobust.nn.Scope;
import dev.aerobust.sweep.Estimator;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.AutoencoderObjective;
import dev.aerobust.train.ClassifierObjective;
import dev.aerobust.train.TrainParams;

/**
 * The speed benchmark of spec/benchmark.md: fixed workloads on random weights and inputs, warmed up, then the
 * median of several timed repetitions.
 */
public final class Bench {

    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

    /** Repetition counts. */
    public record Protocol(int warmup, int reps) {
    }

    private Bench() {
    }

    /** The workloads; each fills its keys, which start with its name. */
    public enum Workload {
        CLASSIFIER_TRAIN, CLASSIFIER_BF16_TRAIN, VAE_TRAIN, VAE_DEFAULT_TRAIN, CONTRACTIVE_TRAIN, CONTRACTIVE_BF16_TRAIN, CW, CW_BF16, APGD;

        /** Whether it times bfloat16 arithmetic. */
        public boolean bf16() {
            return name().contains("BF16");
        }

        /** The name on the command line and in the keys: {@code classifier_train}. */
        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The workload named {@code name}, or a usage error listing the names. */
        public static Workload parse(String name) {
            for (Workload w : values()) {
                if (w.cliName().equals(name)) {
                    return w;
                }
            }
            throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE, "--workload: no workload '"
                    + name + "' (workloads: " + String.join(", ", names()) + ")");
        }

        /** Every workload's name, in order. */
        public static List<String> names() {
            return java.util.Arrays.stream(values()).map(Workload::cliName).toList();
        }
    }

    /** Runs every workload; returns the keys of benchmark.md plus threads, versions and peak RSS. */
    public static ObjectNode run(Protocol s) {
        return run(s, defaults());
    }

    /**
     * The workloads a plain run times: all of them, but the bf16 ones on a CPU without bfloat16 arithmetic
     * ({@link Precision#nativeBf16}), where the engine emulates it many times slower than fp32; {@code --workload}
     * names them to time them anyway.
     */
    public static java.util.Set<Workload> defaults() {
        java.util.Set<Workload> all = java.util.EnumSet.allOf(Workload.class);
        if (!Precision.nativeBf16()) {
            all.removeIf(Workload::bf16);
        }
        return all;
    }

    /** Runs {@code which}; returns their keys, the derived ones they allow, threads, versions and peak RSS. */
    public static ObjectNode run(Protocol s, java.util.Set<Workload> which) {
        Engine.init();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("engine", "libtorch " + Engine.torchVersion() + " (JavaCPP " + Engine.presetVersion() + ")");
        out.put("threads", Engine.threads());
        out.put("cpu", Peak.cpuName());
        out.put("native_bf16", Precision.nativeBf16());
        if (!Precision.nativeBf16() && java.util.Arrays.stream(Workload.values()).filter(Workload::bf16)
                .noneMatch(which::contains)) {
            LOG.info("this CPU has no bfloat16 arithmetic ({}): the bf16 workloads are left out (--workload names"
                    + " them)", String.join(", ", Precision.NATIVE_BF16_FLAGS));
        }
        Engine.seed(0);
        int b = 128;
        Tensor x = torch.rand(b, 1, 28, 28);
        Tensor y = torch.randint(10, new long[] {b});

        for (Workload w : new Workload[] {Workload.CLASSIFIER_TRAIN, Workload.CLASSIFIER_BF16_TRAIN}) {
            if (which.contains(w)) {
                // the training loop's own step: forward in the training's precision, the loss in fp32
                Classifier clf = new Classifier(DatasetId.MNIST);
                clf.train(true);
                ClassifierObjective obj = new ClassifierObjective(clf, w == Workload.CLASSIFIER_TRAIN ? Precision.FP32
                        : Precision.BF16);
                Optim opt = Optim.adam(clf.parameters(), 1e-3, 0);
                double t = median(s, () -> {
                    opt.zeroGrad();
                    obj.step(x, y, 0);
                    opt.step();
                }, w.cliName());
                out.put(w.cliName() + "_img_s", round(b / t));
            }
        }
        if (which.contains(Workload.VAE_TRAIN)) {
            out.put("vae_train_img_s", round(b / aeStep(s, Family.VAE, 1, Precision.FP32, x, "vae_train (1 sample)")));
        }
        double tVae10 = Double.NaN;
        if (which.contains(Workload.VAE_DEFAULT_TRAIN) || which.contains(Workload.CONTRACTIVE_TRAIN)
                || which.contains(Workload.CONTRACTIVE_BF16_TRAIN)) {
            tVae10 = aeStep(s, Family.VAE, 10, Precision.FP32, x, "vae_train (10 samples, the study's default)");
            out.put("vae_default_train_img_s", round(b / tVae10));
        }
        for (Workload w : new Workload[] {Workload.CONTRACTIVE_TRAIN, Workload.CONTRACTIVE_BF16_TRAIN}) {
            if (which.contains(w)) {
                Precision p = w == Workload.CONTRACTIVE_TRAIN ? Precision.FP32 : Precision.BF16;
                double tCon = aeStep(s, Family.CVAE, 10, p, x, w.cliName() + " (CVAE, exact Jacobian in "
                        + AutoencoderConfig.JACOBIAN_PRECISION.display(p) + ")");
                String key = w.cliName().replace("_train", "");
                out.put(key + "_train_img_s", round(b / tCon));
                out.put(key + "_over_vae_step", round(tCon / tVae10));
            }
        }
        double peak = Peak.fp32GflopS(Engine.threads());
        for (Workload w : new Workload[] {Workload.CW, Workload.CW_BF16, Workload.APGD}) {
            if (which.contains(w)) {
                double rate = attackRate(s, w == Workload.APGD ? AttackKind.APGD_CE : AttackKind.CW_LINF,
                        w == Workload.CW_BF16 ? Precision.BF16 : Precision.FP32, w.cliName() + "_iter");
                String key = w.cliName();
                out.put(key + "_img_iter_s", round(rate));
                double gflops = rate * Peak.stackIterationFlops() / 1e9;
                out.put(key + "_gflop_s", round(gflops));
                if (peak > 0) {
                    out.put(key + "_fraction_of_peak", Math.round(gflops / peak * 1000) / 1000.0);
                }
            }
        }
        if (peak > 0) {
            out.put("fp32_peak_gflop_s", round(peak));
        }
        sweepUnitsPerHour(out);
        out.put("peak_rss_mib", peakRssMib());
        return out;
    }

    /** The bundled sweep whose mix {@code sweep_units_per_hour} estimates: the quick MNIST profile. */
    public static final String SWEEP_MIX = "quick-mnist";

    /**
     * {@code sweep_units_per_hour}: the units of the quick MNIST profile per hour at this run's training and
     * attack rates ({@link Estimator#fromBench}), where every workload it needs ran. An estimate from the
     * workloads, not a timed sweep: {@code aerobust reproduce} prints the measured wall time of the real one.
     */
    private static void sweepUnitsPerHour(ObjectNode out) {
        String[] need = {"classifier_train_img_s", "vae_train_img_s", "vae_default_train_img_s",
            "contractive_train_img_s", "cw_img_iter_s"};
        for (String k : need) {
            if (!out.path(k).isNumber()) {
                return;
            }
        }
        Sweep sweep = Sweep.bundled(SWEEP_MIX).orElseThrow();
        double undefendedOverStack = Peak.stackIterationFlops() / Peak.classifierIterationFlops();
        Estimator r = Estimator.fromBench(out.get(need[0]).asDouble(), out.get(need[1]).asDouble(),
                out.get(need[2]).asDouble(), out.get(need[3]).asDouble(), out.get(need[4]).asDouble(), undefendedOverStack);
        out.put("sweep_units_per_hour", round(sweep.size() / r.sweepSeconds(sweep) * 3600));
        out.put("sweep_mix", SWEEP_MIX + " (" + sweep.size() + " units)");
    }

    private static double aeStep(Protocol s, Family f, int samples, Precision jacobian, Tensor x, String label) {
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, f).with(AutoencoderConfig.SAMPLES, samples);
        if (f.contractive()) {
            cfg = cfg.with(AutoencoderConfig.JACOBIAN_PRECISION, jacobian);
        }
        Autoencoder m = new Autoencoder(AutoencoderConfig.spec(cfg));
        m.train(true);
        AutoencoderObjective obj = new AutoencoderObjective(m, cfg);
        Optim opt = Optim.adam(m.parameters(), 1e-3, cfg.get(TrainParams.WEIGHT_DECAY));
        return median(s, () -> {
            opt.zeroGrad();
            obj.step(x, null, 10);
            opt.step();
        }, label);
    }

    /**
     * Image-iterations per second of the real attack ({@code CW_LINF}: best-iterate tracking, projection, invariant
     * checks included; {@code APGD_CE}: momentum, checkpoints and best-iterate tracking too) on the deterministic VAE
     * + classifier stack, batch 1000, one eps. Random labels leave almost every row to attack all the way.
     */
    private static double attackRate(Protocol s, AttackKind kind, Precision precision, String label) {
        Classifier clf = new Classifier(DatasetId.MNIST);
        Autoencoder vae = new Autoencoder(AutoencoderConfig.spec(AutoencoderConfig.defaults(DatasetId.MNIST, Family.VAE)));
        DefendedClassifier stack = DefendedClassifier.deterministic(clf, vae);
        stack.freeze();
        int n = 1000;
        int steps = 20;
        Tensor x = torch.rand(n, 1, 28, 28);
        // the stack's own predictions: every row starts correct, and a random stack barely moves, so every row is
        // attacked at every step (a fooled row would leave the batch)
        Tensor y = dev.aerobust.nn.Autograd.noGrad(() -> dev.aerobust.nn.Ops.argmaxRows(stack.logits(x)));
        dev.aerobust.config.Settings cfg = AttackConfig.of(kind, AttackConfig.STEPS, steps, AttackConfig.BATCH_ROWS,
                n, AttackConfig.PRECISION, precision);
        Attack attack = AttackConfig.create(cfg, false);
        dev.aerobust.model.LogitsModel attacked = AttackConfig.inPrecision(cfg, stack);
        Protocol few = new Protocol(Math.min(1, s.warmup()), Math.max(3, s.reps() / 5));
        double t = median(few, () -> attack.run(attacked, x, y, new double[] {0.1}), label + " (" + steps + " steps)");
        return (double) n * steps / t;
    }

    /** Median seconds of one call of {@code body}, each inside its own scope. */
    static double median(Protocol s, Runnable body, String label) {
        for (int i = 0; i < s.warmup(); i++) {
            try (Scope sc = Scope.open()) {
                body.run();
            }
        }
        double[] t = new double[s.reps()];
        for (int i = 0; i < s.reps(); i++) {
            long t0 = System.nanoTime();
            try (Scope sc = Scope.open()) {
                body.run();
            }
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        double med = t[t.length / 2];
        LOG.info("{}: median {} ms over {} reps", label, String.format("%.2f", med * 1e3), s.reps());
        return med;
    }

    /** Peak resident memory of this process, from /proc (VmHWM), in MiB. */
    public static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("no /proc/self/status: {}", e.getMessage());
        }
        return Double.NaN;
    }

    /**
     * Runs the PyTorch reference script with {@code python} in this same run, so the two are compared on the
     * same machine at the same time. Returns its JSON object, parsed.
     */
    public static ObjectNode reference(Path script, String python, int threads) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + rc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String last = out.substring(out.lastIndexOf('\n') + 1);
        com.fasterxml.jackson.databind.JsonNode m = new com.fasterxml.jackson.databind.ObjectMapper().readTree(last);
        if (!(m instanceof ObjectNode o)) {
            throw new IOException(String.join(" ", cmd) + " did not print a JSON object last: " + last);
        }
        return o;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
