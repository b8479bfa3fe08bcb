package dev.aerobust.sweep;

import dev.aerobust.eval.EvalConfig;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.ResultsStore;
import dev.aerobust.train.TrainedModels;

import dev.aerobust.experiment.AttackRun;
import dev.aerobust.experiment.ModelTraining;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.Split;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.Provenance;
import dev.aerobust.eval.Sanity;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.TrainParams;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * Runs a sweep unit by unit: shows what already exists and is reused, estimates the time of the rest from
 * rates measured on this machine (the store's training times and the attack records' wall times), then runs
 * the rest with one progress line for the whole sweep. Each finished unit is on disk (a stored model, or every
 * eps record of an attack run) before the next starts, so a killed sweep, run again, redoes only its
 * unfinished unit (which itself resumes from its last epoch or its finished eps values).
 */
public final class SweepRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SweepRunner.class);

    /**
     * One unit of the plan: its label, whether it is done, the estimated seconds of what is left, and its kind
     * (what trains or attacks at one measured rate: {@code train vae}, {@code attack pgd on a stack}), by which
     * the running sweep corrects its estimates.
     */
    public record Step(String label, boolean done, double seconds, String kind) {
        /** This step to run again (its records set aside since the plan was made). */
        Step undone() {
            return new Step(label, false, seconds, kind);
        }
    }

    /**
     * The sweep's estimate of what is left, corrected kind by kind: a kind's remaining units are scaled by how
     * its finished units' wall times compared with their estimates in this run; a kind not yet run keeps its
     * estimate (made from rates measured on this machine), so one slow kind does not stretch the others.
     */
    static final class Pace {
        private final Map<String, double[]> byKind = new HashMap<>();

        void finished(Step s, double seconds) {
            if (s.seconds() > 0) {
                double[] a = byKind.computeIfAbsent(s.kind(), k -> new double[2]);
                a[0] += seconds;
                a[1] += s.seconds();
            }
        }

        double factor(String kind) {
            double[] a = byKind.get(kind);
            return a == null ? 1 : a[0] / a[1];
        }

        /** The corrected seconds of the steps from index {@code from} on that are not done. */
        double eta(List<Step> plan, int from) {
            double eta = 0;
            for (int i = from; i < plan.size(); i++) {
                Step s = plan.get(i);
                eta += s.done() ? 0 : s.seconds() * factor(s.kind());
            }
            return eta;
        }
    }

    private final Sweep sweep;
    private final Path dataDir;
    private final ModelStore store;
    private final ResultsStore results;
    private final Map<DatasetId, String> checksums = new HashMap<>();
    private final Map<Sweep.TrainUnit, String> found = new HashMap<>();
    /** The id each train unit's model has or will have: hashed once. */
    private final Map<Sweep.TrainUnit, String> ids = new HashMap<>();
    /** The stored records that failed their checks, by file: left out of what is read, named by the caller. */
    private final Map<Path, String> bad = new java.util.LinkedHashMap<>();
    private boolean quarantine;

    public SweepRunner(Sweep sweep, Path dataDir, ModelStore store, ResultsStore results) {
        this.sweep = sweep;
        this.dataDir = dataDir;
        this.store = store;
        this.results = results;
    }

    /** A runner on the store and results folders under {@code $AEROBUST_HOME}. */
    public static SweepRunner atHome(Sweep sweep, Path dataDir) {
        return new SweepRunner(sweep, dataDir, ModelStore.atHome(), ResultsStore.atHome());
    }

    /** Above this many units, a run needs to be told to start ({@link #allowingLarge}): a grid typed wrong. */
    public static final int MAX_UNITS = 10_000;
    /** Above this much estimated time left, likewise: a week. */
    public static final double MAX_SECONDS = 7 * 24 * 3600.0;
    private boolean large;

    /** Lets a run start above {@link #MAX_UNITS} units or {@link #MAX_SECONDS} of estimated time ({@code --yes}). */
    public SweepRunner allowingLarge(boolean yes) {
        this.large = yes;
        return this;
    }

    /**
     * Refuses to start a sweep above {@link #MAX_UNITS} units or {@link #MAX_SECONDS} of estimated time (its
     * {@code plan}) unless {@link #allowingLarge}: a usage error that says what to do.
     */
    public void checkSize(List<Step> plan) {
        double left = plan.stream().mapToDouble(Step::seconds).sum();
        if (!large && (plan.size() > MAX_UNITS || left > MAX_SECONDS)) {
            throw new AerobustException(ExitCode.USAGE, "sweep " + sweep.name() + " has " + plan.size() + " units, "
                    + Progress.seconds(left) + " of estimated compute: above " + MAX_UNITS + " units or a week, a run"
                    + " must be asked for; look at it with --dry-run, then add --yes to start it");
        }
    }

    /**
     * From now on, a stored record that fails its check is moved aside (into the results' {@code .bad/}, never
     * deleted) and its unit counts as not done, to be run again: what a run of the sweep does. A reader of the
     * results ({@code results}, {@code report}) leaves such a record in place and names it ({@link #badRecords}).
     */
    public SweepRunner quarantining() {
        this.quarantine = true;
        return this;
    }

    /** The records that failed their checks, by file, with the check: each one's unit counts as not done. */
    public Map<Path, String> badRecords() {
        return java.util.Collections.unmodifiableMap(bad);
    }

    public ModelStore store() {
        return store;
    }

    private String checksum(DatasetId d) {
        return checksums.computeIfAbsent(d, k -> Datasets.load(k, Split.TEST, dataDir, 0).checksum());
    }

    /**
     * The stored id of a unit's model: a trained one's if the store holds it (its weights perhaps left out), an
     * imported one's if it is stored.
     */
    public Optional<String> storedId(Sweep.ModelUnit m) {
        if (m instanceof Sweep.TrainUnit t) {
            return storedId(t);
        }
        String id = ((Sweep.ImportedModel) m).id();
        return store.has(id) ? Optional.of(id) : Optional.empty();
    }

    /** The id of a unit's model whose weights are stored: what an attack runs on. */
    private Optional<String> trainedId(Sweep.ModelUnit m) {
        return m instanceof Sweep.TrainUnit t ? trainedId(t) : storedId(m);
    }

    /**
     * The stored id of a train unit's model, if the store holds it: trained, or with its weights left out
     * ({@link ModelStore#weightless}), whose records and metadata are read all the same.
     */
    public Optional<String> storedId(Sweep.TrainUnit u) {
        Optional<String> trained = trainedId(u);
        if (trained.isPresent()) {
            return trained;
        }
        String id = modelId(u);
        return store.weightless(id) ? Optional.of(id) : Optional.empty();
    }

    /** The stored id of a train unit's model, if it is trained: its weights are stored and intact. */
    private Optional<String> trainedId(Sweep.TrainUnit u) {
        // a found model stays found; finding it again would hash its weights again (several times a unit)
        String known = found.get(u);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> id = TrainedModels.find(store, modelId(u));
        id.ifPresent(x -> found.put(u, x));
        return id;
    }

    /** The id a train unit's model has, or will have once trained: its settings and the test set's checksum. */
    private String modelId(Sweep.TrainUnit u) {
        return ids.computeIfAbsent(u, k -> TrainedModels.id(k.settings(), checksum(k.dataset())));
    }

    /** The records of an attack unit (null for eps values not done), or empty if its models are not trained. */
    public Optional<List<AttackRecord>> records(Sweep.AttackUnit u) {
        Optional<String> model = storedId(u.model());
        Optional<String> clf = storedId(u.classifier());
        if (model.isEmpty() || clf.isEmpty()) {
            return Optional.empty();
        }
        ResultsStore.Run run = run(u);
        List<AttackRecord> out = new ArrayList<>();
        for (double e : u.eval().get(EvalConfig.EPS)) {
            out.add(read(run, e));
        }
        return Optional.of(out);
    }

    /** A unit's record at {@code eps}, or null where it has none, or one that fails its check (named, or moved). */
    private AttackRecord read(ResultsStore.Run run, double eps) {
        if (!run.has(eps)) {
            return null;
        }
        try {
            return run.read(eps);
        } catch (ResultsStore.BadRecord e) {
            bad.put(e.file(), e.check());
            if (quarantine) {
                try {
                    results.quarantine(e.file(), e.check());
                } catch (IOException io) {
                    throw new AerobustException(ExitCode.IO, e.file() + ": cannot move it aside: " + io.getMessage());
                }
            }
            return null;
        }
    }

    /** The run of an attack unit's records; its models must be stored. */
    public ResultsStore.Run run(Sweep.AttackUnit u) {
        return AttackRun.run(storedId(u.model()).orElseThrow(), storedId(u.classifier()).orElseThrow(),
                u.model().autoencoder(), u.eval(), u.create(false), dataDir, results);
    }

    /** Whether a unit is done now (the plan's flags are as of its making). */
    boolean isDone(Sweep.Unit u) {
        if (u instanceof Sweep.AttackUnit a) {
            return done(a);
        }
        Sweep.TrainUnit t = (Sweep.TrainUnit) u;
        return trainedId(t).isPresent() || storedId(t).isPresent() && !weightsNeeded(t);
    }

    private boolean done(Sweep.AttackUnit u) {
        return records(u).map(r -> r.stream().allMatch(x -> x != null)).orElse(false);
    }

    /**
     * The units in the order they run: each model's training followed by its attacks (the classifiers first, the
     * autoencoders in the file's order), then the attacks on imported models; a figure's units finish together
     * rather than after every training of the sweep.
     */
    List<Sweep.Unit> order() {
        if (order != null) {
            return order;
        }
        Map<Sweep.ModelUnit, List<Sweep.AttackUnit>> byModel = new java.util.LinkedHashMap<>();
        for (Sweep.AttackUnit a : sweep.attacks()) {
            byModel.computeIfAbsent(a.model(), k -> new ArrayList<>()).add(a);
        }
        List<Sweep.Unit> out = new ArrayList<>();
        List<Sweep.TrainUnit> trains = new ArrayList<>(sweep.classifiers());
        trains.addAll(sweep.autoencoders());
        for (Sweep.TrainUnit t : trains) {
            out.add(t);
            List<Sweep.AttackUnit> own = byModel.remove(t);
            if (own != null) {
                out.addAll(own);
            }
        }
        byModel.values().forEach(out::addAll);
        order = List.copyOf(out);
        return order;
    }

    /** The units in their order, made once (a sweep's units do not change). */
    private List<Sweep.Unit> order;

    /**
     * Every unit in the order it runs, with whether it is done and the estimated seconds of what is left, each
     * unit run at the engine's threads.
     */
    public List<Step> plan() {
        return plan(dev.aerobust.nn.Engine.threads());
    }

    /** {@link #plan()} with each unit run at {@code threads} engine threads (a worker's share). */
    public List<Step> plan(int threads) {
        Rates rates = new Rates(store, results, threads);
        List<Step> out = new ArrayList<>();
        // attacks on a deterministic surrogate already planned: a later unit of the same one only evaluates
        Set<String> surrogates = new java.util.HashSet<>();
        for (Sweep.Unit o : order()) {
            if (o instanceof Sweep.TrainUnit u) {
                out.add(trainStep(u, rates));
            } else {
                Sweep.AttackUnit u = (Sweep.AttackUnit) o;
                boolean d = done(u);
                out.add(new Step(u.label(), d, d ? 0 : rates.attackSeconds(u, Rates.shared(u, surrogates)), "attack "
                        + u.attack().get(AttackConfig.ATTACK).label() + (u.model().autoencoder() ? " on a stack"
                        : " undefended")));
            }
        }
        return out;
    }

    private Step trainStep(Sweep.TrainUnit u, Rates rates) {
        Optional<String> trained = trainedId(u);
        boolean done = isDone(u);
        String label = u.label() + (trained.isPresent() ? " (" + trained.get() + ")" : done ? " (" + storedId(u)
                .orElseThrow() + ", weights left out: nothing left to run needs them)" : "");
        return new Step(label, done, done ? 0 : rates.trainSeconds(u), "train "
                + (u.autoencoder() ? u.settings().get(AutoencoderConfig.FAMILY).label() : "classifier"));
    }

    /**
     * Whether a unit still to run needs this model's weights: an attack on it not done, or (a classifier) an
     * autoencoder trained on it that is not stored.
     */
    private boolean weightsNeeded(Sweep.TrainUnit u) {
        for (Sweep.AttackUnit a : sweep.attacks()) {
            if ((a.model().equals(u) || a.classifier().equals(u)) && !done(a)) {
                return true;
            }
        }
        if (!u.autoencoder()) {
            for (Sweep.TrainUnit t : sweep.autoencoders()) {
                if (classifierOf(t).equals(u) && !isDone(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The id a unit's model has, or will have once trained (the settings and the test set's checksum give it). */
    public String modelId(Sweep.ModelUnit m) {
        return m instanceof Sweep.TrainUnit t ? modelId(t)
                : ((Sweep.ImportedModel) m).id();
    }

    /**
     * The plan as data, for scripts: per unit (in run order, numbered from 1) its kind, label, whether it is done,
     * its estimate, the model (and an attack's classifier) by id, whether that model's weights are stored, and
     * the units it needs.
     */
    public List<Map<String, Object>> planData(List<Step> plan) {
        List<Sweep.Unit> units = order();
        int[][] deps = dependencies(units);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            Step s = plan.get(i);
            m.put("unit", i + 1);
            m.put("kind", units.get(i) instanceof Sweep.TrainUnit ? "train" : "attack");
            m.put("label", units.get(i).label());
            m.put("done", s.done());
            m.put("seconds", Math.round(s.seconds() * 10) / 10.0);
            Sweep.ModelUnit model = units.get(i) instanceof Sweep.TrainUnit t ? t : ((Sweep.AttackUnit) units.get(i))
                    .model();
            m.put("model", modelId(model));
            m.put("model_weights_stored", trainedId(model).isPresent());
            if (units.get(i) instanceof Sweep.AttackUnit a) {
                m.put("classifier", modelId(a.classifier()));
            }
            m.put("needs", java.util.Arrays.stream(deps[i]).map(d -> d + 1).boxed().toList());
            out.add(m);
        }
        return out;
    }

    /** Prints the plan: each unit, done or to run with its estimate, and the totals. */
    public static void print(List<Step> plan, PrintWriter out) {
        int done = 0;
        double left = 0;
        for (int i = 0; i < plan.size(); i++) {
            Step s = plan.get(i);
            out.printf("  %3d  %-6s %s%s%n", i + 1, s.done() ? "done" : "to run", s.label(),
                    s.done() ? "" : "  ~" + Progress.seconds(s.seconds()));
            done += s.done() ? 1 : 0;
            left += s.seconds();
        }
        out.printf("%d units: %d done (reused), %d to run, estimated %s on this machine%n", plan.size(), done,
                plan.size() - done, Progress.seconds(left));
        out.flush();
    }

    /** Runs every unit not yet done; returns the seconds it took. */
    public double run(PrintWriter out) throws IOException {
        return run(out, Double.POSITIVE_INFINITY);
    }

    /**
     * Runs the units not yet done, in order, within a sitting of {@code limitSeconds}: a unit starts only if its
     * estimate (corrected by this sitting's pace) ends within the limit and the units it needs are done; the
     * others are left for the next sitting. Returns the seconds it took.
     */
    public double run(PrintWriter out, double limitSeconds) throws IOException {
        List<Step> plan = plan();
        checkSize(plan);
        print(plan, out);
        long t0 = System.nanoTime();
        Pace pace = new Pace();
        List<Sweep.Unit> units = order();
        boolean[] doneBefore = new boolean[units.size()];
        for (int i = 0; i < doneBefore.length; i++) {
            doneBefore[i] = plan.get(i).done();
        }
        Scheduler scheduler = new Scheduler(units, dependencies(units), doneBefore);
        boolean[] ran = new boolean[units.size()];
        int left = 0;
        // one unit at a time, in plan order: a figure's units finish together
        for (int i = 0; i < units.size(); i++) {
            Step s = plan.get(i);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (s.done() && scheduler.dependsOnRunning(i, ran) && !isDone(units.get(i))) {
                // its records were set aside by a training of this sitting (trained again to other weights)
                s = s.undone();
                plan.set(i, s);
                scheduler.redo(i);
            }
            if (!s.done() && (!scheduler.ready(i) || !fits(elapsed, s.seconds() * pace.factor(s.kind()),
                    limitSeconds))) {
                left++;
                continue;
            }
            if (!s.done()) {
                scheduler.start(i);
            }
            if (units.get(i) instanceof Sweep.TrainUnit u) {
                unit(plan, i, out, pace, () -> train(u));
            } else {
                Sweep.AttackUnit u = (Sweep.AttackUnit) units.get(i);
                unit(plan, i, out, pace, () -> attack(u));
            }
            ran[i] = !s.done();
            scheduler.finish(i);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (left > 0) {
            out.println(sittingEnd(sweep.name(), left, limitSeconds, secs));
        } else {
            out.printf("sweep %s: %d units done in %s%n", sweep.name(), plan.size(), Progress.seconds(secs));
        }
        out.flush();
        return secs;
    }

    /** Whether a unit of {@code estimate} seconds, started {@code elapsed} into a sitting, ends within its limit. */
    static boolean fits(double elapsed, double estimate, double limitSeconds) {
        return elapsed + estimate <= limitSeconds;
    }

    /** The last line of a sitting that left units for the next one. */
    static String sittingEnd(String name, int left, double limitSeconds, double secs) {
        return String.format(java.util.Locale.ROOT, "sweep %s: the sitting's time limit (%s) leaves %d unit%s for the"
                + " next sitting (this one ran %s); the same command goes on from here", name,
                Progress.seconds(limitSeconds), left, left == 1 ? "" : "s", Progress.seconds(secs));
    }

    /**
     * Runs unit {@code index} of {@link #order()} alone (a worker of {@link SweepJobs}); {@code label} must be
     * its label, so a worker never runs another unit than the one it was started for.
     */
    public void runUnit(int index, String label) throws IOException {
        List<Sweep.Unit> units = order();
        if (index < 0 || index >= units.size() || !units.get(index).label().equals(label)) {
            throw new AerobustException(ExitCode.USAGE, "sweep " + sweep.name() + " has no unit " + (index + 1)
                    + " '" + label + "' (did the sweep file change since the run started?)");
        }
        if (units.get(index) instanceof Sweep.TrainUnit u) {
            train(u);
        } else {
            attack((Sweep.AttackUnit) units.get(index));
        }
    }

    /**
     * For each unit of {@link #order()}, the units that must be done before it: an attack's trained model and
     * classifier, an autoencoder's classifier (its stacked clean accuracy is part of the stored model).
     */
    int[][] dependencies(List<Sweep.Unit> units) {
        Map<Sweep.Unit, Integer> at = new HashMap<>();
        for (int i = 0; i < units.size(); i++) {
            at.put(units.get(i), i);
        }
        int[][] deps = new int[units.size()][];
        for (int i = 0; i < units.size(); i++) {
            List<Sweep.Unit> before = new ArrayList<>();
            if (units.get(i) instanceof Sweep.TrainUnit t) {
                if (t.autoencoder()) {
                    before.add(classifierOf(t));
                }
            } else {
                Sweep.AttackUnit a = (Sweep.AttackUnit) units.get(i);
                for (Sweep.ModelUnit m : List.of(a.model(), a.classifier())) {
                    if (m instanceof Sweep.TrainUnit t) {
                        before.add(t);
                    }
                }
            }
            deps[i] = before.stream().mapToInt(at::get).distinct().toArray();
        }
        return deps;
    }

    public Sweep sweep() {
        return sweep;
    }

    /** A unit's work; it throws what the unit throws. */
    private interface Work {
        void run() throws IOException;
    }

    private void unit(List<Step> plan, int i, PrintWriter out, Pace pace, Work work) throws IOException {
        Step s = plan.get(i);
        if (s.done()) {
            LOG.info("[{}/{}] reused: {}", i + 1, plan.size(), s.label());
            return;
        }
        out.printf("[sweep %s] unit %d/%d: %s (sweep eta %s)%n", sweep.name(), i + 1, plan.size(), s.label(),
                Progress.seconds(pace.eta(plan, i)));
        out.flush();
        long u0 = System.nanoTime();
        work.run();
        double secs = (System.nanoTime() - u0) / 1e9;
        pace.finished(s, secs);
        LOG.info("[{}/{}] finished in {} s: {}", i + 1, plan.size(), String.format("%.1f", secs), s.label());
    }

    /** The classifier an autoencoder's stacked clean accuracy is measured on: the sweep's of its dataset and seed. */
    private Sweep.TrainUnit classifierOf(Sweep.TrainUnit u) {
        return sweep.classifiers().stream().filter(c -> c.dataset() == u.dataset()
                && c.settings().get(TrainParams.SEED).equals(u.settings().get(TrainParams.SEED))).findFirst()
                .orElseThrow();
    }

    private void train(Sweep.TrainUnit u) throws IOException {
        String id = modelId(u);
        // a model trained again over its weightless metadata: its records hold only if the weights are the same
        String before = store.weightless(id) ? String.valueOf(store.meta(id).weightsSha256()) : null;
        if (u.autoencoder()) {
            String clf = trainedId(classifierOf(u)).orElse(null);
            ModelTraining.autoencoder(u.settings(), dataDir, store, clf);
        } else {
            ModelTraining.classifier(u.settings(), dataDir, store);
        }
        if (before != null && !before.equals(String.valueOf(store.meta(id).weightsSha256()))) {
            Path to = results.setAside(id);
            LOG.warn("model {} was trained again to other weights than its records were made on (another machine or"
                    + " thread count); every record made with it is set aside in {} and its attacks run again", id, to);
        }
    }

    private void attack(Sweep.AttackUnit u) throws IOException {
        String model = trainedId(u.model()).orElseThrow(() -> u.model() instanceof Sweep.ImportedModel i
                ? new AerobustException(ExitCode.USAGE, "imported model " + i.id() + " is no longer in the store")
                : new IllegalStateException("not trained: " + u.label()));
        String clf = trainedId(u.classifier()).orElseThrow(() -> new IllegalStateException("classifier not trained: "
                + u.label()));
        AttackRun.run(model, clf, u.eval(), u.create(true), dataDir, store, results, null);
    }

    /** Rates measured on this machine, from the store and the records; defaults where none exist yet. */
    public static final class Rates {
        /**
         * Seconds an epoch on MNIST at 2 threads, measured here, for families nothing has been trained of; a
         * variational family's grows with its ELBO samples ({@link #PER_SAMPLE} more for each). The contractive
         * ones after the penalty's products went to both cores: a CAE epoch (alpha 0.1) 122.9 s, a CVAE epoch (10
         * samples) 189.6 s, 2026-12-03.
         */
        private static final Map<String, Double> EPOCH_DEFAULTS = Map.of("classifier", 18.0, "ae", 12.0, "dae",
                12.0, "vae", 6.0, "dvae", 6.0, "cae", 123.0, "cvae", 140.0);
        private static final double PER_SAMPLE = 5.0;
        /** Image-iterations per second of an attack on a stack, and undefended, for attacks never run here. */
        private static final double STACK_RATE = 2500;
        private static final double UNDEFENDED_RATE = 6000;

        /** The engine threads the built-in defaults were measured at. */
        private static final int DEFAULTS_THREADS = 2;
        /**
         * How a unit's time grows with fewer threads: {@code (t / t')^THREAD_EXPONENT} from {@code t} threads to
         * {@code t'}. Measured here at one thread (two units side by side) against two (one unit alone): 1.8x the
         * time for CW-Linf, 1.5x for a contractive epoch (docs/performance.md, change 23); 2^0.8 = 1.74.
         */
        static final double THREAD_EXPONENT = 0.8;
        /** The measurements a rate is the median of: the newest, so that a faster build is seen soon. */
        static final int RECENT = 5;

        /** One measurement: when, at how many engine threads, and its value (seconds an epoch, or a rate). */
        record Sample(String created, int threads, double value) {
        }

        private final Map<String, List<Sample>> epoch = new HashMap<>();
        private final Map<String, List<Sample>> rate = new HashMap<>();
        private final Map<String, Double> epochDefaults;
        private final double perSample;
        private final double stackRate;
        private final double undefendedRate;
        private final int threads;
        private final int defaultsThreads;

        /**
         * Rates given directly, at the threads the estimate is for: seconds an MNIST epoch by family (one ELBO
         * sample; each more adds {@code perSample}), and attack image-iterations per second on a stack and
         * undefended (the bench's estimate of a sweep's mix).
         */
        Rates(Map<String, Double> epochSeconds, double perSample, double stackRate, double undefendedRate) {
            // one thread stands for "the estimate's": learned measurements are carried from theirs to it
            this(epochSeconds, perSample, stackRate, undefendedRate, 1, 1);
        }

        private Rates(Map<String, Double> epochSeconds, double perSample, double stackRate, double undefendedRate,
                      int threads, int defaultsThreads) {
            this.epochDefaults = Map.copyOf(epochSeconds);
            this.perSample = perSample;
            this.stackRate = stackRate;
            this.undefendedRate = undefendedRate;
            this.threads = threads;
            this.defaultsThreads = defaultsThreads;
        }

        /**
         * The estimated seconds of every unit of {@code sweep}, none done, at these rates, summed; MNIST-sized
         * epochs.
         */
        public double sweepSeconds(Sweep sweep) {
            double t = 0;
            for (Sweep.TrainUnit u : sweep.classifiers()) {
                t += trainSeconds(u);
            }
            for (Sweep.TrainUnit u : sweep.autoencoders()) {
                t += trainSeconds(u);
            }
            Set<String> surrogates = new java.util.HashSet<>();
            for (Sweep.AttackUnit u : sweep.attacks()) {
                t += attackSeconds(u, shared(u, surrogates));
            }
            return t;
        }

        /**
         * Rates from the benchmark's training steps (images/s at batch 128) and attack iterations on the stack:
         * an MNIST epoch is 55,000 training images; AE and DAE steps are taken at the one-sample VAE's rate (an
         * upper bound on their time), the contractive families at the CVAE's rate less its extra ELBO samples;
         * an undefended attack runs faster than one on the stack in the ratio of their FLOPs.
         */
        public static Rates fromBench(double classifierImgS, double vae1ImgS, double vae10ImgS,
                double contractiveImgS, double stackImgIterS, double undefendedOverStack) {
            double images = 55_000;
            double vae1 = images / vae1ImgS;
            double perSample = Math.max(0, (images / vae10ImgS - vae1) / 9);
            double contractive = Math.max(vae1, images / contractiveImgS - 9 * perSample);
            Map<String, Double> epochs = Map.of("classifier", images / classifierImgS, "ae", vae1, "dae", vae1,
                    "vae", vae1 - perSample, "dvae", vae1 - perSample, "cae", contractive, "cvae",
                    contractive - perSample);
            return new Rates(epochs, perSample, stackImgIterS, stackImgIterS * undefendedOverStack);
        }

        /**
         * Rates for units run at {@code threads} engine threads each, from the store's training times and the
         * attack records' wall times: per kind, the median of the newest {@link #RECENT} measurements (those made at
         * {@code threads} if there are any), each carried to {@code threads} by {@link #THREAD_EXPONENT}.
         */
        Rates(ModelStore store, ResultsStore results, int threads) {
            this(EPOCH_DEFAULTS, PER_SAMPLE, STACK_RATE, UNDEFENDED_RATE, threads, DEFAULTS_THREADS);
            for (ModelMeta m : store.list()) {
                ModelMeta.Training t = m.training();
                if (t != null && t.epochs() > 0 && t.seconds() > 0) {
                    Map<String, Object> cfg = m.config() == null ? Map.of() : m.config();
                    String key = (m.family() != null ? m.family().label() : "classifier") + "/"
                            + m.dataset().cliName() + "/" + (cfg.get(AutoencoderConfig.SAMPLES.name()) instanceof Number
                            n ? n.intValue() : 0) + "/" + cfg.getOrDefault(AutoencoderConfig.JACOBIAN_PRECISION.name(),
                            "fp32");
                    Provenance p = m.provenance();
                    epochSeconds(key, new Sample(p == null ? "" : p.created(), p == null ? DEFAULTS_THREADS
                            : p.threads(), t.seconds() / t.epochs()));
                }
            }
            for (List<AttackRecord> run : results.everyRun()) {
                // the records one attack call wrote share its wall time, which covered all their eps but 0
                // (rows of eps 0 are not attacked)
                List<AttackRecord> recs = new ArrayList<>(run);
                recs.removeIf(r -> !(r.eps() > 0));
                for (List<AttackRecord> call : AttackRecord.byCall(recs)) {
                    AttackRecord r = call.get(0);
                    // rows taken from kept chunks (a resumed run, another latent scale) cost no attack time
                    int reused = r.reusedRows() == null ? 0 : r.reusedRows();
                    double work = ((double) r.n() * call.size() - reused)
                            * iterationsPerImage(r.attack(), r.attackConfig());
                    if (r.attackSeconds() > 0 && work > 0) {
                        Provenance p = r.provenance();
                        attackRate(r.attack() + "/" + !"none".equals(r.defense()), new Sample(p == null ? ""
                                : p.created(), p == null ? DEFAULTS_THREADS : p.threads(), work
                                / r.attackSeconds()));
                    }
                }
            }
        }

        /** Learns the seconds an epoch of the kind {@code key} took ({@code family/dataset/samples/jacobian}). */
        void epochSeconds(String key, Sample s) {
            epoch.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }

        /** Learns an attack's image-iterations per second ({@code attack/defended}). */
        void attackRate(String key, Sample s) {
            rate.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }

        /**
         * The measured value of {@code key} carried to this estimate's threads, or {@code dflt} (measured at
         * {@code defaultsThreads}) carried likewise; {@code faster}: whether more threads raise the value (a rate)
         * rather than lower it (seconds).
         */
        private double value(Map<String, List<Sample>> m, String key, double dflt, boolean faster) {
            Optional<Double> measured = measured(m, key, faster);
            if (measured.isPresent()) {
                return measured.get();
            }
            // a kind not yet run here: the built-in value, as much faster as this machine ran the kinds it has run
            double f = machineFactor();
            return dflt * scale(defaultsThreads, faster) * (faster ? f : 1 / f);
        }

        /**
         * The median of the newest measurements of {@code key} (those at this estimate's threads if any), carried
         * to this estimate's threads; empty if the kind was never measured.
         */
        private Optional<Double> measured(Map<String, List<Sample>> m, String key, boolean faster) {
            List<Sample> all = m.getOrDefault(key, List.of());
            List<Sample> same = all.stream().filter(s -> s.threads() == threads).toList();
            List<Sample> recent = (same.isEmpty() ? all : same).stream()
                    .sorted(java.util.Comparator.comparing(Sample::created).reversed()).limit(RECENT).toList();
            if (recent.isEmpty()) {
                return Optional.empty();
            }
            // the median: one unit slowed by other work on the machine (or stopped a while) does not move it
            return Optional.of(median(recent.stream().mapToDouble(s -> s.value() * scale(s.threads(), faster))
                    .toArray()));
        }

        private static double median(double[] values) {
            double[] v = values.clone();
            java.util.Arrays.sort(v);
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        /**
         * How much faster than the built-in values this machine ran the kinds it has measurements of (the median
         * over those kinds of measured speed over built-in speed; 1 where none): a machine twice as fast trains
         * and attacks about twice as fast across kinds, so the kinds not yet run here are estimated at that speed
         * rather than at another machine's.
         */
        double machineFactor() {
            List<Double> ratios = new ArrayList<>();
            for (String key : epoch.keySet()) {
                String[] k = key.split("/");
                // the built-in epochs are MNIST-sized, fp32 penalties
                if (k.length == 4 && epochDefaults.containsKey(k[0]) && ("mnist".equals(k[1])
                        || "fashion-mnist".equals(k[1])) && "fp32".equals(k[3])) {
                    double dflt = (epochDefaults.get(k[0]) + perSample * Integer.parseInt(k[2]))
                            * scale(defaultsThreads, false);
                    measured(epoch, key, false).ifPresent(v -> ratios.add(dflt / v));
                }
            }
            for (String key : rate.keySet()) {
                double dflt = (key.endsWith("/true") ? stackRate : undefendedRate) * scale(defaultsThreads, true);
                measured(rate, key, true).ifPresent(v -> ratios.add(v / dflt));
            }
            return ratios.isEmpty() ? 1 : median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** The factor that carries a value measured at {@code from} threads to this estimate's. */
        private double scale(int from, boolean faster) {
            double f = Math.pow((double) threads / Math.max(1, from), THREAD_EXPONENT);
            return faster ? f : 1 / f;
        }

        double trainSeconds(Sweep.TrainUnit u) {
            Settings s = u.settings();
            String family = u.autoencoder() ? s.get(AutoencoderConfig.FAMILY).label() : "classifier";
            int samples = u.autoencoder() && s.applies(AutoencoderConfig.SAMPLES) ? s.get(AutoencoderConfig.SAMPLES) : 0;
            double dflt = epochDefaults.get(family) + perSample * samples;
            String jacobian = u.autoencoder() && s.applies(AutoencoderConfig.JACOBIAN_PRECISION)
                    ? AutoencoderConfig.JACOBIAN_PRECISION.display(s.get(AutoencoderConfig.JACOBIAN_PRECISION)) : "fp32";
            double perEpoch = value(epoch, family + "/" + u.dataset().cliName() + "/" + samples + "/" + jacobian, dflt,
                    false);
            return perEpoch * s.get(TrainParams.EPOCHS);
        }

        /**
         * Whether {@code u}'s rows come from an earlier unit's attack on the same surrogate ({@code planned}: the
         * surrogates of the units before it, to which {@code u}'s is added).
         */
        static boolean shared(Sweep.AttackUnit u, Set<String> planned) {
            return u.surrogate().map(k -> !planned.add(k)).orElse(false);
        }

        /**
         * The estimated seconds of an attack unit; {@code shared}: its rows come from an earlier unit's attack on
         * the same surrogate, so only the sanity runs are left (the evaluation of the rows is a few forward passes).
         */
        double attackSeconds(Sweep.AttackUnit u, boolean shared) {
            AttackCost c = costs.computeIfAbsent(u.attack(), s -> {
                Attack a = AttackConfig.create(s, false);
                return new AttackCost(a.name(), iterationsPerImage(a.name(), a.key()), a.doubled() != null ? 4 : 1);
            });
            boolean defended = u.model().autoencoder();
            int n = u.eval().get(EvalConfig.N);
            long eps = java.util.Arrays.stream(u.eval().get(EvalConfig.EPS)).filter(e -> e > 0).count();
            double r = value(rate, c.name() + "/" + defended, defended ? stackRate : undefendedRate, true);
            // the sanity runs: the unbounded attack and the step-doubling check, on their own images
            double sanity = Math.min(n, Sanity.RUN_IMAGES) * c.perImage() * c.sanityRuns();
            return ((shared ? 0 : n * eps * c.perImage()) + sanity) / r;
        }

        /** What an attack's settings cost per image, and its sanity runs' factor: worked out once per setting. */
        private record AttackCost(String name, double perImage, int sanityRuns) {
        }

        private final Map<Settings, AttackCost> costs = new HashMap<>();

        /** Gradient steps an attack spends on one image at one eps. */
        static double iterationsPerImage(String attack, Map<String, Object> cfg) {
            double steps = num(cfg, "steps", 100);
            return switch (AttackConfig.ATTACK.parse(attack)) {
                case PGD, EOT_PGD -> steps * num(cfg, "restarts", 1) * num(cfg, "eot_draws", 1);
                case CW_L2 -> steps * num(cfg, "search_steps", 9);
                case DEEPFOOL -> steps * num(cfg, "candidates", 10);
                case CW_LINF, CW_LINF_AUTHORS -> steps;
                case APGD_CE, APGD_DLR -> steps * num(cfg, "restarts", 1) * num(cfg, "eot_draws", 1);
                case APGD_T -> steps * num(cfg, "restarts", 1) * num(cfg, "eot_draws", 1) * num(cfg, "targets", 9);
                // a query is a forward pass, about a third of a gradient step
                case SQUARE -> steps * num(cfg, "restarts", 1) / 3;
                // two forward passes and one backward an iteration
                case FAB_T -> steps * num(cfg, "targets", 9) * 1.3;
                // at most: every member on every row (the later ones run only on the rows still correct)
                case AUTOATTACK -> switch (String.valueOf(cfg == null ? null : cfg.get("version"))) {
                    case "rand" -> 2 * 100 * 20;
                    case "fast" -> 100 + 900;
                    default -> 100 + 900 + 900 * 1.3 + 5000 / 3.0;
                };
            };
        }

        private static double num(Map<String, Object> cfg, String key, double dflt) {
            Object v = cfg == null ? null : cfg.get(key);
            return v instanceof Number n ? n.doubleValue() : dflt;
        }
    }
}
