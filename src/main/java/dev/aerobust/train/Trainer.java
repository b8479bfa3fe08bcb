package dev.aerobust.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.data.ImageSet;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Net;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * The training loop shared by every model: seeded shuffling, Adam, optional gradient clipping, validation after
 * each epoch, early stopping on the validation metric, and a checkpoint after each epoch from which a killed run
 * resumes. A NaN or Inf loss stops training with a clear message; the last good checkpoint stays on disk.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a model's training computes on a batch, and how it is validated. */
    public interface Objective {

        /**
         * Runs forward and backward on one batch (gradients accumulate into the parameters) and returns the loss
         * terms, the total first. {@code epochs} is the fractional number of epochs done, for warm-ups.
         */
        Map<String, Double> step(Tensor x, Tensor y, double epochs);

        /** The validation metric on {@code val}, computed in eval mode without gradients. */
        double validate(ImageSet val);

        String metricName();

        boolean higherIsBetter();
    }

    /**
     * The loop's settings. The learning rate is multiplied by {@code lrFactor} after {@code lrPatience} epochs
     * without a better validation metric (since the last improvement or the last reduction); {@code lrPatience}
     * 0 keeps it constant. Training stops after {@code patience} epochs without improvement. The weight decay
     * applies to the batch-norm scale and shift too only with {@code decayNorm}.
     */
    public record Settings(int batch, double lr, double weightDecay, boolean decayNorm, double clipNorm,
                           int maxEpochs, int patience, double lrFactor, int lrPatience, long seed) {
        public Settings {
            if (batch <= 0 || maxEpochs <= 0 || patience <= 0 || lrPatience < 0) {
                throw new AerobustException(ExitCode.USAGE,
                        "batch, epochs and patience must be positive, the lr patience >= 0");
            }
            if (!(lr > 0) || !(weightDecay >= 0) || !(clipNorm >= 0)) {
                throw new AerobustException(ExitCode.USAGE, "lr must be > 0, weight decay and clip norm >= 0");
            }
            if (!(lrFactor > 0 && lrFactor <= 1)) {
                throw new AerobustException(ExitCode.USAGE, "the lr factor must be in (0, 1], got " + lrFactor);
            }
        }

        /** Constant learning rate. */
        public static Settings constantLr(int batch, double lr, double weightDecay, double clipNorm, int maxEpochs,
                                          int patience, long seed) {
            return new Settings(batch, lr, weightDecay, false, clipNorm, maxEpochs, patience, 1, 0, seed);
        }
    }

    /** One epoch of the training curve, with the learning rate it ran at. */
    public record EpochRecord(int epoch, Map<String, Double> train, double val, double seconds, double lr) {
    }

    /** The outcome: the curve, the best epoch and its validation metric. The model holds the best weights. */
    public record Result(List<EpochRecord> curve, int bestEpoch, double bestVal, boolean earlyStopped) {
    }

    /** Resumable state, written after each epoch. */
    record State(int epochsDone, List<EpochRecord> curve, int bestEpoch, double bestVal, int badEpochs,
                 double lr, int sinceReduce) {
    }

    private Trainer() {
    }

    public static Result fit(Net model, Objective objective, ImageSet train, ImageSet val, Settings s, Path workDir)
            throws IOException {
        Engine.seed(s.seed());
        Optim opt = s.decayNorm() ? Optim.adam(model.parameters(), s.lr(), s.weightDecay())
                : Optim.adam(model.parameters(true), model.parameters(false), s.lr(), s.weightDecay());
        Path last = workDir.resolve("last.pt");
        Path best = workDir.resolve("best.pt");
        Path optPath = workDir.resolve("optim.pt");
        Path statePath = workDir.resolve("state.json");
        State state = new State(0, new ArrayList<>(), -1,
                objective.higherIsBetter() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, 0, s.lr(), 0);
        if (Files.isRegularFile(statePath) && Files.isRegularFile(last) && Files.isRegularFile(optPath)) {
            state = JSON.readValue(statePath.toFile(), State.class);
            model.load(last);
            opt.load(optPath);
            LOG.info("resuming from epoch {} (checkpoint in {})", state.epochsDone(), workDir);
        }
        int steps = (train.size() + s.batch() - 1) / s.batch();
        List<EpochRecord> curve = new ArrayList<>(state.curve());
        int bestEpoch = state.bestEpoch();
        double bestVal = state.bestVal();
        int bad = state.badEpochs();
        // a checkpoint written before the schedule existed has no rate (0): it ran at the configured one
        double lr = state.lr() > 0 ? state.lr() : s.lr();
        int sinceReduce = state.sinceReduce();
        opt.setLr(lr);
        // a run killed after its early stop, before it was stored, must not train on
        boolean stopped = bad >= s.patience();
        for (int epoch = state.epochsDone() + 1; epoch <= s.maxEpochs() && !stopped; epoch++) {
            // the noise and dropout stream of each epoch depends on the seed and the epoch only, so a resumed
            // run draws what an uninterrupted one would
            Engine.seed(s.seed() * 1_000_003L + epoch);
            int[] order = ImageSet.permutation(train.size(), s.seed() * 31 + epoch);
            model.train(true);
            long t0 = System.nanoTime();
            Map<String, Double> sums = new LinkedHashMap<>();
            Progress bar = new Progress(String.format("epoch %d/%d", epoch, s.maxEpochs()), steps);
            for (int step = 0; step < steps; step++) {
                int from = step * s.batch();
                int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(train.size(), from + s.batch()));
                Map<String, Double> terms;
                try (Scope scope = Scope.open()) {
                    opt.zeroGrad();
                    terms = objective.step(train.images(idx), train.labels(idx),
                            epoch - 1 + (double) step / steps);
                    for (Map.Entry<String, Double> t : terms.entrySet()) {
                        if (!Double.isFinite(t.getValue())) {
                            bar.close();
                            throw new AerobustException(ExitCode.NUMERIC, String.format(
                                    "training diverged at epoch %d, step %d: %s = %s; the last good checkpoint is"
                                            + " kept in %s", epoch, step + 1, t.getKey(), t.getValue(), workDir));
                        }
                    }
                    if (s.clipNorm() > 0) {
                        opt.clipGradNorm(s.clipNorm());
                    }
                    opt.step();
                }
                for (Map.Entry<String, Double> t : terms.entrySet()) {
                    sums.merge(t.getKey(), t.getValue() * idx.length, Double::sum);
                }
                bar.update(step + 1, status(sums, from + idx.length, objective.metricName(),
                        curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).val()));
            }
            bar.close();
            Map<String, Double> means = new LinkedHashMap<>();
            sums.forEach((k, v) -> means.put(k, v / train.size()));
            model.train(false);
            double v = objective.validate(val);
            double secs = (System.nanoTime() - t0) / 1e9;
            curve.add(new EpochRecord(epoch, means, v, secs, lr));
            boolean improved = objective.higherIsBetter() ? v > bestVal : v < bestVal;
            if (improved) {
                bestVal = v;
                bestEpoch = epoch;
                bad = 0;
                sinceReduce = 0;
                model.save(best);
            } else {
                bad++;
                sinceReduce++;
            }
            LOG.info("epoch {}: {} | val {} {} {} ({} s, {} img/s, lr {})", epoch, format(means),
                    objective.metricName(), String.format("%.5f", v), improved ? "(best)" : "",
                    String.format("%.1f", secs), String.format("%.0f", train.size() / secs), String.format("%.3g", lr));
            if (s.lrPatience() > 0 && sinceReduce >= s.lrPatience() && bad < s.patience()) {
                lr *= s.lrFactor();
                sinceReduce = 0;
                opt.setLr(lr);
                LOG.info("no improvement for {} epoch(s): learning rate now {}", s.lrPatience(),
                        String.format("%.3g", lr));
            }
            model.save(last);
            opt.save(optPath);
            State st = new State(epoch, curve, bestEpoch, bestVal, bad, lr, sinceReduce);
            Atomic.writeString(statePath, JSON.writeValueAsString(st));
            if (bad >= s.patience()) {
                LOG.info("early stop: no improvement of val {} for {} epoch(s)", objective.metricName(), bad);
                stopped = true;
                break;
            }
        }
        if (Files.isRegularFile(best)) {
            model.load(best);
        }
        model.train(false);
        return new Result(curve, bestEpoch, bestVal, stopped);
    }

    private static String status(Map<String, Double> sums, int seen, String metric, double lastVal) {
        StringBuilder b = new StringBuilder();
        sums.forEach((k, v) -> b.append(k).append(' ').append(String.format("%.4g", v / seen)).append("  "));
        if (!Double.isNaN(lastVal)) {
            b.append("val ").append(metric).append(' ').append(String.format("%.4f", lastVal));
        }
        return b.toString();
    }

    private static String format(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append('=').append(String.format("%.5g", v)).append(' '));
        return b.toString().trim();
    }
}
