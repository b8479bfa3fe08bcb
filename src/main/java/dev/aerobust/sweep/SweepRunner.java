package dev.aerobust.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Common;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.Split;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.experiment.AttackRun;
import dev.aerobust.experiment.ModelTraining;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.ResultsStore;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.TrainedModels;
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
        Estimator rates = new Estimator(store, results, threads);
        List<Step> out = new ArrayList<>();
        // attacks on a deterministic surrogate already planned: a later unit of the same one only evaluates
        Set<String> surrogates = new java.util.HashSet<>();
        for (Sweep.Unit o : order()) {
            if (o instanceof Sweep.TrainUnit u) {
                out.add(trainStep(u, rates));
            } else {
                Sweep.AttackUnit u = (Sweep.AttackUnit) o;
                boolean d = done(u);
                out.add(new Step(u.label(), d, d ? 0 : rates.attackSeconds(u, Estimator.shared(u, surrogates)), "attack "
                        + u.attack().get(AttackConfig.ATTACK).label() + (u.model().autoencoder() ? " on a stack"
                        : " undefended")));
            }
        }
        return out;
    }

    private Step trainStep(Sweep.TrainUnit u, Estimator rates) {
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
    public List<PlannedUnit> planData(List<Step> plan) {
        List<Sweep.Unit> units = order();
        int[][] deps = dependencies(units);
        List<PlannedUnit> out = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            Step s = plan.get(i);
            Sweep.ModelUnit model = units.get(i) instanceof Sweep.TrainUnit t ? t : ((Sweep.AttackUnit) units.get(i))
                    .model();
            out.add(new PlannedUnit(i + 1, units.get(i) instanceof Sweep.TrainUnit ? "train" : "attack",
                    units.get(i).label(), s.done(), Math.round(s.seconds() * 10) / 10.0, modelId(model),
                    trainedId(model).isPresent(), units.get(i) instanceof Sweep.AttackUnit a
                    ? modelId(a.classifier()) : null,
                    java.util.Arrays.stream(deps[i]).map(d -> d + 1).boxed().toList()));
        }
        return out;
    }

    /** One unit of the plan as {@link #planData} gives it (written as JSON, so its names are snake_case). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PlannedUnit(int unit, String kind, String label, boolean done, double seconds, String model,
                              boolean modelWeightsStored, String classifier, List<Integer> needs) {
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
                && c.settings().get(Common.SEED).equals(u.settings().get(Common.SEED))).findFirst()
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

}
