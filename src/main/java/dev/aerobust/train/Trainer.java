package dev.aerobust.train;

import static dev.aerobust.config.Common.SEED;
import static dev.aerobust.train.TrainParams.BATCH;
import static dev.aerobust.train.TrainParams.CLIP_NORM;
import static dev.aerobust.train.TrainParams.DECAY_NORM;
import static dev.aerobust.train.TrainParams.EPOCHS;
import static dev.aerobust.train.TrainParams.LR;
import static dev.aerobust.train.TrainParams.LR_FACTOR;
import static dev.aerobust.train.TrainParams.LR_PATIENCE;
import static dev.aerobust.train.TrainParams.PATIENCE;
import static dev.aerobust.train.TrainParams.WEIGHT_DECAY;

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

import dev.aerobust.config.Settings;
import dev.aerobust.data.ImageSet;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Net;
import dev.aerobust.nn.Optim;
import dev.aerobust.nn.Scope;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;
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

    /** The outcome: the curve, the best epoch and its validation metric. The model holds the best weights. */
    public record Result(List<ModelMeta.Epoch> curve, int bestEpoch, double bestVal, boolean earlyStopped) {
    }

    /** Resumable state, written after each epoch. */
    record State(int epochsDone, List<ModelMeta.Epoch> curve, int bestEpoch, double bestVal, int badEpochs,
                 double lr, int sinceReduce, Map<String, String> files, Map<String, String> sha256) {
    }

    private Trainer() {
    }

    /**
     * Trains {@code model} with the training settings of {@code s} ({@link TrainParams}): resumes from the
     * checkpoint in {@code workDir} if there is one, runs epochs until the epoch cap or early stopping, and leaves
     * the best weights in the model.
     */
    public static Result fit(Net model, Objective objective, ImageSet train, ImageSet val, Settings s, Path workDir)
            throws IOException {
        Engine.seed(s.get(SEED));
        Optim opt = s.get(DECAY_NORM) ? Optim.adam(model.parameters(), s.get(LR), s.get(WEIGHT_DECAY))
                : Optim.adam(model.parameters(true), model.parameters(false), s.get(LR), s.get(WEIGHT_DECAY));
        Checkpoint ckpt = new Checkpoint(workDir);
        State state = ckpt.resume(model, opt, objective.higherIsBetter(), s.get(LR));
        Schedule schedule = new Schedule(state, objective.higherIsBetter(), s);
        opt.setLr(schedule.lr);
        // a run killed after its early stop, before it was stored, must not train on
        boolean stopped = schedule.bad >= s.get(PATIENCE);
        for (int epoch = state.epochsDone() + 1; epoch <= s.get(EPOCHS) && !stopped; epoch++) {
            long t0 = System.nanoTime();
            Map<String, Double> means = epoch(model, objective, opt, train, s, epoch, schedule.lastVal(),
                    workDir);
            model.train(false);
            double v = objective.validate(val);
            double secs = (System.nanoTime() - t0) / 1e9;
            double lrRan = schedule.lr;
            boolean improved = schedule.observe(epoch, means, v, secs);
            if (improved) {
                ckpt.saveBest(model, epoch);
            }
            LOG.info("epoch {}: {} | val {} {} {} ({} s, {} img/s, lr {})", epoch, format(means),
                    objective.metricName(), String.format("%.5f", v), improved ? "(best)" : "",
                    String.format("%.1f", secs), String.format("%.0f", train.size() / secs),
                    String.format("%.3g", lrRan));
            if (schedule.maybeReduce()) {
                opt.setLr(schedule.lr);
                LOG.info("no improvement for {} epoch(s): learning rate now {}", s.get(LR_PATIENCE),
                        String.format("%.3g", schedule.lr));
            }
            ckpt.save(model, opt, schedule.state(epoch));
            if (schedule.bad >= s.get(PATIENCE)) {
                LOG.info("early stop: no improvement of val {} for {} epoch(s)", objective.metricName(),
                        schedule.bad);
                stopped = true;
            }
        }
        ckpt.loadBest(model);
        model.train(false);
        return new Result(schedule.curve, schedule.bestEpoch, schedule.bestVal, stopped);
    }

    /** One pass over the training set in a seeded order; returns the mean of each loss term. */
    private static Map<String, Double> epoch(Net model, Objective objective, Optim opt, ImageSet train, Settings s,
                                             int epoch, double lastVal, Path workDir) {
        // the noise and dropout stream of each epoch depends on the seed and the epoch only, so a resumed
        // run draws what an uninterrupted one would
        long seed = s.get(SEED);
        int batch = s.get(BATCH);
        Engine.seed(seed * 1_000_003L + epoch);
        int[] order = ImageSet.permutation(train.size(), seed * 31 + epoch);
        model.train(true);
        int steps = (train.size() + batch - 1) / batch;
        Map<String, Double> sums = new LinkedHashMap<>();
        try (Progress bar = new Progress(String.format("epoch %d/%d", epoch, s.get(EPOCHS)), steps)) {
            for (int step = 0; step < steps; step++) {
                int from = step * batch;
                int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(train.size(), from + batch));
                Map<String, Double> terms;
                try (Scope scope = Scope.open()) {
                    opt.zeroGrad();
                    terms = objective.step(train.images(idx), train.labels(idx),
                            epoch - 1 + (double) step / steps);
                    for (Map.Entry<String, Double> t : terms.entrySet()) {
                        if (!Double.isFinite(t.getValue())) {
                            throw new AerobustException(ExitCode.NUMERIC, String.format(
                                    "training diverged at epoch %d, step %d: %s = %s; the last good checkpoint is"
                                            + " kept in %s", epoch, step + 1, t.getKey(), t.getValue(), workDir));
                        }
                    }
                    if (s.get(CLIP_NORM) > 0) {
                        opt.clipGradNorm(s.get(CLIP_NORM));
                    }
                    opt.step();
                }
                for (Map.Entry<String, Double> t : terms.entrySet()) {
                    sums.merge(t.getKey(), t.getValue() * idx.length, Double::sum);
                }
                bar.update(step + 1, status(sums, from + idx.length, objective.metricName(), lastVal));
            }
        }
        Map<String, Double> means = new LinkedHashMap<>();
        sums.forEach((k, v) -> means.put(k, v / train.size()));
        return means;
    }

    /**
     * Early stopping and the plateau schedule: the learning rate is multiplied by {@code lr_factor} after
     * {@code lr_patience} epochs without a better validation metric (since the last improvement or the last
     * reduction); training stops after {@code patience} epochs without improvement.
     */
    private static final class Schedule {
        final List<ModelMeta.Epoch> curve;
        final boolean higherIsBetter;
        final Settings s;
        int bestEpoch;
        double bestVal;
        int bad;
        double lr;
        int sinceReduce;

        Schedule(State state, boolean higherIsBetter, Settings s) {
            this.curve = new ArrayList<>(state.curve());
            this.higherIsBetter = higherIsBetter;
            this.s = s;
            this.bestEpoch = state.bestEpoch();
            this.bestVal = state.bestVal();
            this.bad = state.badEpochs();
            // a checkpoint written before the schedule existed has no rate (0): it ran at the configured one
            this.lr = state.lr() > 0 ? state.lr() : s.get(LR);
            this.sinceReduce = state.sinceReduce();
        }

        double lastVal() {
            return curve.isEmpty() ? Double.NaN : curve.get(curve.size() - 1).val();
        }

        /** Records an epoch; returns whether it is the best so far. */
        boolean observe(int epoch, Map<String, Double> train, double v, double secs) {
            curve.add(new ModelMeta.Epoch(epoch, train, v, secs, lr));
            boolean improved = higherIsBetter ? v > bestVal : v < bestVal;
            if (improved) {
                bestVal = v;
                bestEpoch = epoch;
                bad = 0;
                sinceReduce = 0;
            } else {
                bad++;
                sinceReduce++;
            }
            return improved;
        }

        /** Drops the rate on a plateau that has not yet ended training; returns whether it did. */
        boolean maybeReduce() {
            int lrPatience = s.get(LR_PATIENCE);
            if (lrPatience > 0 && sinceReduce >= lrPatience && bad < s.get(PATIENCE)) {
                lr *= s.get(LR_FACTOR);
                sinceReduce = 0;
                return true;
            }
            return false;
        }

        State state(int epochsDone) {
            return new State(epochsDone, curve, bestEpoch, bestVal, bad, lr, sinceReduce, null, null);
        }
    }

    /**
     * The resumable state on disk, one unit: each epoch writes its weights and optimiser state to files named by
     * the epoch ({@code last-7.pt}, {@code optim-7.pt}, {@code best-5.pt}), then {@code state.json}, which names
     * them with their SHA-256, by one atomic rename; only then are the files of earlier epochs removed. A kill or
     * a full disk at any moment leaves a {@code state.json} whose files are whole; a checkpoint that does not
     * check out (unreadable, a file missing or changed) is discarded with a warning and training starts over,
     * never resumed from a mix of epochs.
     */
    private static final class Checkpoint {
        final Path dir;
        final Path state;
        String bestName;

        Checkpoint(Path workDir) {
            dir = workDir;
            state = workDir.resolve("state.json");
        }

        State resume(Net model, Optim opt, boolean higherIsBetter, double lr) throws IOException {
            State fresh = new State(0, new ArrayList<>(), -1,
                    higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, 0, lr, 0, null, null);
            if (!Files.isRegularFile(state)) {
                return fresh;
            }
            byte[] initial = model.toBytes();
            try {
                State st = JSON.readValue(state.toFile(), State.class);
                Map<String, String> files = st.files() != null ? st.files()
                        // written before checkpoints named their files: the fixed names, unchecked
                        : Map.of("last", "last.pt", "optim", "optim.pt", "best", "best.pt");
                // every file checked before anything is loaded
                Path last = checked(files.get("last"), st.sha256());
                Path optim = checked(files.get("optim"), st.sha256());
                String best = files.get("best");
                bestName = best != null && (st.sha256() != null || Files.isRegularFile(dir.resolve(best))) ? best
                        : null;
                if (bestName != null) {
                    checked(bestName, st.sha256());
                }
                model.load(last);
                opt.load(optim);
                LOG.info("resuming from epoch {} (checkpoint in {})", st.epochsDone(), dir);
                return st;
            } catch (IOException | RuntimeException e) {
                LOG.warn("the checkpoint in {} does not check out ({}); it is discarded and training starts over",
                        dir, Net.firstLine(e.getMessage()));
                model.load(initial, "the initial weights");
                bestName = null;
                discard();
                return fresh;
            }
        }

        /** A file of the checkpoint, checked against its recorded SHA-256 (if recorded). */
        private Path checked(String name, Map<String, String> sha256) throws IOException {
            if (name == null) {
                throw new IOException("the state names no file for a part of the checkpoint");
            }
            Path p = dir.resolve(name);
            if (!Files.isRegularFile(p)) {
                throw new IOException(name + " is missing");
            }
            if (sha256 != null && !Hashing.sha256(Files.readAllBytes(p)).equals(sha256.get(name))) {
                throw new IOException(name + " does not match its checksum");
            }
            return p;
        }

        private void discard() throws IOException {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        void saveBest(Net model, int epoch) throws IOException {
            bestName = "best-" + epoch + ".pt";
            model.save(dir.resolve(bestName));
        }

        void save(Net model, Optim opt, State st) throws IOException {
            int epoch = st.epochsDone();
            Map<String, String> files = new java.util.TreeMap<>();
            files.put("last", "last-" + epoch + ".pt");
            files.put("optim", "optim-" + epoch + ".pt");
            if (bestName != null) {
                files.put("best", bestName);
            }
            model.save(dir.resolve(files.get("last")));
            opt.save(dir.resolve(files.get("optim")));
            Map<String, String> sha = new java.util.TreeMap<>();
            for (String f : files.values()) {
                sha.put(f, Hashing.sha256(Files.readAllBytes(dir.resolve(f))));
            }
            State full = new State(st.epochsDone(), st.curve(), st.bestEpoch(), st.bestVal(), st.badEpochs(), st.lr(),
                    st.sinceReduce(), files, sha);
            Atomic.writeString(state, JSON.writeValueAsString(full));
            // only now are the earlier epochs' files unreferenced
            try (var all = Files.list(dir)) {
                for (Path p : all.toList()) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".pt") && !files.containsValue(n)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }

        void loadBest(Net model) throws IOException {
            if (bestName != null && Files.isRegularFile(dir.resolve(bestName))) {
                model.load(dir.resolve(bestName));
            }
        }
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
