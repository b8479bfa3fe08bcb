package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.attack.AttackResult;
import dev.aerobust.config.Common;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.eval.LatentStats;
import dev.aerobust.eval.RobustAccuracy;
import dev.aerobust.eval.Sanity;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.model.Purifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.FileChunkStore;
import dev.aerobust.store.LatentSummary;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.Provenance;
import dev.aerobust.store.ResultsStore;
import dev.aerobust.store.RunKey;
import dev.aerobust.store.SanityReport;
import dev.aerobust.train.TrainedModels;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Npy;

/**
 * Evaluates a stored model under an attack, in steps: assemble the defense ({@link Stack}), pick the attack set,
 * find the eps values not yet done under the run's key, attack them, write one {@link AttackRecord} per eps
 * with full provenance and per-image outcomes, then run the sanity checks that are missing. Records already on
 * disk are reused, so a killed run resumes where it stopped.
 */
public final class AttackRun {

    private static final Logger LOG = LoggerFactory.getLogger(AttackRun.class);

    /**
     * The records of a run, in the order of the eps asked for, its folder, its sanity checks, and per eps the
     * per-image worst case over every attack run on the same model under the same evaluation.
     */
    public record Outcome(Path dir, List<AttackRecord> records, SanityReport sanity,
                          @com.fasterxml.jackson.annotation.JsonProperty("worst_case") List<WorstCaseAt> worstCase) {
    }

    /**
     * The per-image worst case at one eps: the fraction of images that every attack in {@code attacks} (their
     * record folders, under the model's results) left correct.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorstCaseAt(double eps, double robustAccuracy, int images, List<String> attacks,
                              List<String> records, List<String> warnings) {
    }

    /**
     * AutoAttack's check for gradient masking: the score-based Square reads no gradient, so if it leaves fewer
     * images correct than the best gradient attack, the gradients are not to be trusted.
     */
    static List<String> blackBoxCheck(List<AttackRecord> same) {
        List<String> out = new ArrayList<>();
        AttackRecord square = null;
        AttackRecord bestWhite = null;
        for (AttackRecord o : same) {
            if (o.attack() == AttackKind.SQUARE) {
                square = square == null || o.robustAccuracy() < square.robustAccuracy() ? o : square;
            } else if (o.attack() != AttackKind.AUTOATTACK
                    && (bestWhite == null || o.robustAccuracy() < bestWhite.robustAccuracy())) {
                bestWhite = o;
            }
        }
        if (square != null && bestWhite != null
                && square.robustAccuracy() < bestWhite.robustAccuracy() - 1.0 / Math.max(1, square.n())) {
            out.add(String.format(Locale.ROOT, "at eps %.3f the black-box square leaves %.1f%%, below the %.1f%% of"
                    + " the best gradient attack (%s): the gradients may be masked", square.eps(),
                    100 * square.robustAccuracy(), 100 * bestWhite.robustAccuracy(), bestWhite.attack().label()));
        }
        return out;
    }

    /**
     * The worst case at each record's eps over every record of the model's runs with the same classifier, defense,
     * scale, samples, images and seed (records without per-image outcomes, and records that fail their checks,
     * are left out).
     */
    public static List<WorstCaseAt> worstCase(ResultsStore results, List<AttackRecord> records) throws IOException {
        List<WorstCaseAt> out = new ArrayList<>();
        for (AttackRecord r : records) {
            if (!r.hasPerImage()) {
                continue;
            }
            List<AttackRecord> same = new ArrayList<>();
            List<String> where = new ArrayList<>();
            for (Map.Entry<Path, AttackRecord> e : results.recordsAt(r.model(), r.eps())) {
                AttackRecord o = e.getValue();
                if (o.hasPerImage() && java.util.Objects.equals(o.classifier(), r.classifier())
                        && java.util.Objects.equals(o.defense(), r.defense()) && o.scale() == r.scale()
                        && o.samples() == r.samples() && o.n() == r.n() && o.seed() == r.seed()
                        && Arrays.equals(o.perImage().index(), r.perImage().index())) {
                    same.add(o);
                    where.add(e.getKey().getParent().relativize(e.getKey()).toString());
                }
            }
            dev.aerobust.eval.WorstCase.Value w = dev.aerobust.eval.WorstCase.of(same);
            if (w != null) {
                out.add(new WorstCaseAt(r.eps(), w.accuracy(), w.images(), w.attacks(), where, blackBoxCheck(same)));
            }
        }
        return out;
    }

    /**
     * The key of {@code attack}'s runs on a model: an autoencoder ({@code defended}) stacked on
     * {@code classifierId}, or a classifier attacked as it is. Scale and sampling seeds exist only for a sampled
     * defense: elsewhere they must not split the key.
     */
    public static RunKey runKey(String modelId, String classifierId, boolean defended, Settings eval, Attack attack) {
        boolean sampled = eval.get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED;
        String defense = !defended ? "none" : sampled ? "sampled" : "deterministic";
        return new RunKey(modelId, defended ? classifierId : modelId, defense,
                sampled ? eval.get(EvalConfig.SCALE) : 0.0, sampled ? eval.get(EvalConfig.DRAWS) : 1,
                eval.get(EvalConfig.N), eval.get(Common.SEED), attack.name(), attack.key());
    }

    /** The run of an attack in {@code results}, without loading any model. */
    public static ResultsStore.Run run(String modelId, String classifierId, boolean defended, Settings eval,
                                       Attack attack, Path dataDir, ResultsStore results) {
        String key = eval.get(Common.DATASET) + "|" + dataDir.toAbsolutePath() + "|" + eval.get(EvalConfig.N) + "|"
                + eval.get(Common.SEED);
        String checksum = SET_CHECKSUMS.computeIfAbsent(key, k -> attackSet(eval, dataDir).checksum());
        return results.run(runKey(modelId, classifierId, defended, eval, attack), checksum);
    }

    /** The attack sets' checksums, by dataset, folder, size and seed: a sweep's plan asks for each many times. */
    private static final Map<String, String> SET_CHECKSUMS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The attack set of an evaluation: its test images, by the dataset's rule. */
    static ImageSet attackSet(Settings eval, Path dataDir) {
        DatasetId d = eval.get(Common.DATASET);
        long seed = eval.get(Common.SEED);
        ImageSet test = Datasets.load(d, Split.TEST, dataDir, seed);
        return test.subset(attackIndices(d, test, eval.get(EvalConfig.N), seed));
    }

    /** The system under attack: the deployed defense, its deterministic surrogate, and its parts. */
    record Stack(DatasetId dataset, String modelId, String classifierId, DefendedClassifier deployed,
                 Purifier purifier, boolean variational) {

        DefendedClassifier surrogate() {
            return deployed.attackSurrogate();
        }

        /**
         * What the attack differentiates: the defense as deployed (EOT) or its surrogate, through BPDA if asked, in
         * the attack's precision.
         */
        LogitsModel attacked(Attack attack) {
            DefendedClassifier m = attack.attacksRandomizedModel() ? deployed : surrogate();
            LogitsModel through = dev.aerobust.attack.AttackConfig.bpda(attack.settings()) ? m.bpda() : m;
            return dev.aerobust.attack.AttackConfig.inPrecision(attack.settings(), through);
        }

        String defense() {
            return deployed.mode().name().toLowerCase(Locale.ROOT);
        }

        /**
         * Loads a stored model, aerobust's own or imported: an autoencoder is stacked on {@code classifierId}, a
         * classifier attacked as it is. A defense mode the model does not have is a usage error.
         */
        static Stack load(ModelStore store, String modelId, String classifierId, Settings eval) {
            ModelMeta meta = store.meta(modelId);
            DatasetId dataset = eval.get(Common.DATASET);
            boolean sampled = eval.get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED;
            boolean isAe = meta.autoencoder();
            String clfId = isAe ? classifierId : modelId;
            if (clfId == null) {
                throw new AerobustException(ExitCode.USAGE, "no classifier of " + dataset
                        + " in the store to put under the autoencoder; train one or pass --classifier");
            }
            if (sampled && !isAe) {
                throw new AerobustException(ExitCode.USAGE, "a bare classifier has no sampled defense");
            }
            if (sampled && meta.scripted()) {
                throw new AerobustException(ExitCode.USAGE, "--defense sampled needs a variational autoencoder of"
                        + " aerobust's; " + modelId + " is an imported TorchScript module, attacked as it is");
            }
            if (sampled && !TrainedModels.family(meta).variational()) {
                throw new AerobustException(ExitCode.USAGE, "--defense sampled needs a variational autoencoder;"
                        + " " + modelId + " is a " + TrainedModels.family(meta).label());
            }
            LogitsModel clf = dev.aerobust.store.StoredModels.classifier(store, clfId, dataset);
            DefendedClassifier deployed;
            Purifier ae = null;
            if (isAe) {
                ae = dev.aerobust.store.StoredModels.autoencoder(store, modelId, TrainedModels::legacyArchitecture);
                deployed = sampled ? DefendedClassifier.sampled(clf, (Autoencoder) ae, eval.get(EvalConfig.SCALE))
                        : DefendedClassifier.deterministic(clf, ae);
            } else {
                deployed = DefendedClassifier.undefended(clf);
            }
            deployed.freeze();
            boolean variational = isAe && !meta.scripted() && TrainedModels.family(meta).variational();
            return new Stack(dataset, modelId, clfId, deployed, ae, variational);
        }
    }

    private AttackRun() {
    }

    /** The dataset a stored model was trained on. */
    public static DatasetId dataset(ModelStore store, String modelId) {
        return store.meta(modelId).dataset();
    }

    /**
     * The test-set indices of the attack set: the first n (MNIST, Fashion-MNIST), or n drawn with the seed
     * (BTSC).
     */
    public static int[] attackIndices(DatasetId d, ImageSet test, int n, long seed) {
        if (d == DatasetId.BTSC) {
            return test.sampleIndices(n, seed);
        }
        if (n > test.size()) {
            throw new AerobustException(ExitCode.USAGE, "--n " + n + " is more than the " + test.size()
                    + " test images of " + d);
        }
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return idx;
    }

    /**
     * Runs {@code attack} on the model (stacked on {@code classifierId} if it is an autoencoder) with the
     * evaluation settings {@code eval} ({@link EvalConfig}), reusing the records already in {@code results}. The
     * folders it writes are checked before any work; a stored record that fails its check is bad data naming it.
     */
    public static Outcome run(String modelId, String classifierId, Settings eval, Attack attack, Path dataDir,
                              ModelStore store, ResultsStore results, Path saveAdv) throws IOException {
        Engine.init();
        double[] eps = eval.get(EvalConfig.EPS);
        EvalConfig.checkBudgets(eval, attack.settings().get(dev.aerobust.attack.AttackConfig.ATTACK));
        Stack stack = Stack.load(store, modelId, classifierId, eval);
        long seed = eval.get(Common.SEED);
        ImageSet test = Datasets.load(stack.dataset(), Split.TEST, dataDir, seed);
        int[] indices = attackIndices(stack.dataset(), test, eval.get(EvalConfig.N), seed);
        ImageSet set = test.subset(indices);
        RunKey key = runKey(modelId, stack.classifierId(), stack.purifier() != null, eval, attack);
        ResultsStore.Run run = results.run(key, set.checksum());
        run.checkWritable();
        if (saveAdv != null) {
            ModelStore.checkWritable(saveAdv);
        }
        // the same run started twice (two sweeps sharing a store, a retried task) computes once: the second
        // waits here, then finds the first one's records
        try (java.io.Closeable lock = run.lock("attacking " + run.dir().getParent().getFileName() + "/"
                + run.dir().getFileName())) {
            for (double e : eps) {
                if (run.has(e)) {
                    run.read(e);
                }
            }
            double[] todo = Arrays.stream(eps).filter(e -> !run.has(e)).toArray();
            if (saveAdv != null && todo.length < eps.length) {
                throw new AerobustException(ExitCode.USAGE, "--save-adv: " + (eps.length - todo.length) + " of the eps"
                        + " values are already evaluated in " + run.dir() + ", whose records keep no adversarial"
                        + " inputs; move that folder aside to attack them again and save them");
            }
            if (todo.length == 0) {
                LOG.info("every eps value already evaluated in {}", run.dir());
            } else if (todo.length < eps.length) {
                LOG.info("{} of {} eps values already evaluated in {}; running the rest", eps.length - todo.length,
                        eps.length, run.dir());
            }
            if (todo.length > 0) {
                attackAndRecord(stack, attack, run, eval, set, indices, todo, saveAdv);
            }
            List<AttackRecord> records = new ArrayList<>();
            for (double e : eps) {
                records.add(run.read(e));
            }
            SanityReport sanity = sanity(stack, attack, set, eps, seed, records, run);
            return new Outcome(run.dir(), records, sanity, worstCase(results, records));
        }
    }

    /** Attacks every image at the eps values {@code todo} in one batch and writes one record per eps. */
    private static void attackAndRecord(Stack stack, Attack attack, ResultsStore.Run run, Settings eval, ImageSet set,
                                        int[] indices, double[] todo, Path saveAdv) throws IOException {
        RunKey key = run.key();
        int[] all = new int[set.size()];
        Arrays.setAll(all, i -> i);
        Tensor x = set.images(all);
        long[] labels = Tensors.toLongs(set.labels(all));
        float[] clean = Tensors.toFloats(x);
        long seed = eval.get(Common.SEED);
        Engine.seed(seed);
        FileChunkStore chunks = chunkStore(stack, attack, run, todo);
        AttackResult r;
        double secs;
        // rows shared with other runs (a surrogate's) are computed by one run at a time, then read by the others
        try (java.io.Closeable shared = chunks.dir().startsWith(run.dir()) ? null : run.sharedLock(chunks.dir())) {
            LOG.info("attacking {} images x {} eps with {}", set.size(), todo.length, attack.name());
            long t0 = System.nanoTime();
            r = attack.run(stack.attacked(attack), x, set.labels(all), todo, chunks);
            secs = (System.nanoTime() - t0) / 1e9;
        }
        int reused = chunks.reusedRows(todo, set.size());
        LOG.info("{} on {} images x {} eps: {} s{}", attack.name(), set.size(), todo.length,
                String.format("%.1f", secs), reused == 0 ? "" : " (" + reused + " of the rows taken from "
                        + chunks.dir().getFileName() + ")");
        Provenance provenance = Provenance.now(seed, stack.dataset().cliName(), set.checksum());
        for (int e = 0; e < todo.length; e++) {
            try (Scope s = Scope.open()) {
                Tensor adv = r.adversarial(e);
                RobustAccuracy.Value acc = RobustAccuracy.of(stack.deployed(), adv, labels, 500, key.samples(), seed);
                LatentSummary latent = stack.purifier() == null ? null : LatentStats.of(stack.purifier(), x, adv);
                String npy = null;
                if (saveAdv != null) {
                    Path p = saveAdv.resolve(String.format(Locale.ROOT, "%s-%s-eps%.4f.npy", stack.modelId(),
                            attack.name(), todo[e]));
                    Npy.write(p, r.adversarial()[e], r.shape());
                    npy = p.toString();
                }
                AttackRecord.PerImage perImage = new AttackRecord.PerImage(indices, acc.robust(), r.margin()[e],
                        stack.deployed().randomized() ? acc.correct() : null);
                run.write(new AttackRecord(AttackRecord.SCHEMA, todo[e], key.model(), key.classifier(),
                        DefendedClassifier.Mode.parse(key.defense()), key.scale(), key.samples(), key.n(), key.seed(),
                        attack.settings().get(AttackConfig.ATTACK), key.attackConfig(), stack.dataset(), acc.mean(), acc.std(), acc.samples(),
                        r.successRate(e), r.maxLinf(e, clean), r.maxL2(e, clean), r.nanCount(e), secs,
                        reused == 0 ? null : reused, r.attacked()[e], latent, npy, provenance,
                        attack.settings().speed(), perImage, null));
            }
        }
        chunks.clear();
    }

    /**
     * Where the attack keeps its finished chunks. An attack on a variational autoencoder's deterministic
     * surrogate ({@code z = mu}: every attack on the deterministic defense, and every attack without EOT on a
     * sampled one, at any latent scale) computes the same rows whatever the defense deployed, so its chunks are
     * kept beside the model's runs under what decides them (classifier, attack and its settings, speed settings
     * included, images, seed, eps): the sampled defense's runs at each scale take their adversarial inputs from
     * there and only evaluate them. Other runs keep theirs in their own folder (these eps, this chunking) until
     * the records are written. Either way the chunks survive a kill.
     */
    private static FileChunkStore chunkStore(Stack stack, Attack attack, ResultsStore.Run run, double[] todo) {
        RunKey key = run.key();
        String batch = Arrays.toString(todo) + "|" + attack.settings().speed();
        RunKey surrogate = stack.variational() && !attack.attacksRandomizedModel()
                ? new RunKey(key.model(), key.classifier(), "deterministic", 0.0, 1, key.n(), key.seed(), key.attack(),
                        key.attackConfig()) : null;
        return run.chunks(batch, key.seed(), surrogate);
    }

    /**
     * The sanity checks: the cheap ones every time, the small runs only where {@code sanity.json} does not yet
     * hold them (a rerun keeps what an earlier run measured).
     */
    private static SanityReport sanity(Stack stack, Attack attack, ImageSet set, double[] eps, long seed,
                                       List<AttackRecord> records, ResultsStore.Run run) throws IOException {
        List<String> warnings = new ArrayList<>();
        if (stack.deployed().randomized() && !attack.attacksRandomizedModel()) {
            warnings.add("the defense is randomized but " + attack.name() + " attacks its deterministic surrogate;"
                    + " use eot-pgd, apgd with --eot-draws or autoattack --version rand for the defense as deployed");
        }
        warnings.addAll(Sanity.accuracyNeverRises(records));
        LogitsModel attacked = stack.attacked(attack);
        warnings.addAll(Sanity.gradients(attacked, set));
        double maxEps = Arrays.stream(eps).max().orElse(0);
        SanityReport.Runs runs = SanityReport.Runs.NONE;
        List<String> runWarnings = List.of();
        SanityReport old = run.sanity().orElse(null);
        if (old != null && old.runs() != null && old.runs().doneFor(maxEps)) {
            runs = old.runs();
            runWarnings = Sanity.runWarnings(attack.name(), runs);
        }
        if (!runs.doneFor(maxEps)) {
            Sanity.RunChecks c = Sanity.runs(attack, attacked, stack.deployed(), set, eps, seed);
            runs = c.runs();
            runWarnings = c.warnings();
        }
        warnings.addAll(runWarnings);
        for (String w : warnings) {
            LOG.warn("sanity: {}", w);
        }
        SanityReport report = new SanityReport(warnings, SanityReport.CHECKS, runs);
        run.writeSanity(report);
        return report;
    }
}
