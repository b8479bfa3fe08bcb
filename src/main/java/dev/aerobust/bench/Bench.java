package dev.aerobust.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import dev.aerobust.nn.Scope;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.AutoencoderObjective;
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

    /** Runs every workload; returns the keys of benchmark.md plus threads, versions and peak RSS. */
    public static Map<String, Object> run(Protocol s) {
        Engine.init();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("engine", "libtorch " + Engine.torchVersion() + " (JavaCPP " + Engine.presetVersion() + ")");
        out.put("threads", Engine.threads());
        Engine.seed(0);
        int b = 128;
        Tensor x = torch.rand(b, 1, 28, 28);
        Tensor y = torch.randint(10, new long[] {b});

        Classifier clf = new Classifier(DatasetId.MNIST);
        clf.train(true);
        Optim opt = Optim.adam(clf.parameters(), 1e-3, 0);
        double tClf = median(s, () -> {
            opt.zeroGrad();
            torch.cross_entropy(clf.forward(x), y).backward();
            opt.step();
        }, "classifier_train");
        out.put("classifier_train_img_s", round(b / tClf));

        double tVae1 = aeStep(s, Family.VAE, 1, x, "vae_train (1 sample)");
        out.put("vae_train_img_s", round(b / tVae1));
        double tVae10 = aeStep(s, Family.VAE, 10, x, "vae_train (10 samples, the study's default)");
        out.put("vae_default_train_img_s", round(b / tVae10));
        double tCon = aeStep(s, Family.CVAE, 10, x, "contractive_train (CVAE, exact Jacobian)");
        out.put("contractive_train_img_s", round(b / tCon));
        out.put("contractive_over_vae_step", round(tCon / tVae10));
        out.put("cw_img_iter_s", round(cwRate(s)));
        out.put("apgd_img_iter_s", round(apgdRate(s)));
        out.put("peak_rss_mib", peakRssMib());
        return out;
    }

    private static double aeStep(Protocol s, Family f, int samples, Tensor x, String label) {
        Settings cfg = AutoencoderConfig.defaults(DatasetId.MNIST, f).with(AutoencoderConfig.SAMPLES, samples);
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
     * Image-iterations per second of the real CW-Linf attack (best-iterate tracking, projection, invariant
     * checks included) on the deterministic VAE + classifier stack, batch 1000, one eps.
     */
    private static double cwRate(Protocol s) {
        return attackRate(s, AttackKind.CW_LINF, "cw_iter");
    }

    /**
     * Image-iterations per second of APGD-CE (aerobust's key, beside benchmark.md's): the same stack, batch and
     * eps as {@code cw_img_iter_s}, momentum, checkpoints and best-iterate tracking included. Random labels leave
     * almost every row to attack all the way.
     */
    private static double apgdRate(Protocol s) {
        return attackRate(s, AttackKind.APGD_CE, "apgd_iter");
    }

    private static double attackRate(Protocol s, AttackKind kind, String label) {
        Classifier clf = new Classifier(DatasetId.MNIST);
        Autoencoder vae = new Autoencoder(AutoencoderConfig.spec(AutoencoderConfig.defaults(DatasetId.MNIST, Family.VAE)));
        DefendedClassifier stack = DefendedClassifier.deterministic(clf, vae);
        stack.freeze();
        int n = 1000;
        int steps = 20;
        Tensor x = torch.rand(n, 1, 28, 28);
        Tensor y = torch.randint(10, new long[] {n});
        Attack attack = AttackConfig.create(AttackConfig.of(kind, AttackConfig.STEPS, steps,
                AttackConfig.BATCH_ROWS, n), false);
        Protocol few = new Protocol(Math.min(1, s.warmup()), Math.max(3, s.reps() / 5));
        double t = median(few, () -> attack.run(stack, x, y, new double[] {0.1}), label + " (" + steps + " steps)");
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
    public static Map<String, Object> reference(Path script, String python, int threads) throws IOException {
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
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new com.fasterxml.jackson.databind.ObjectMapper().readValue(last, Map.class);
        return m;
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
