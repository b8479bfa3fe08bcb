package dev.aerobust.experiment;

import dev.aerobust.eval.EvalConfig;
import dev.aerobust.store.FileChunkStore;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;

import java.io.IOException;
import java.nio.file.Files;
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
import dev.aerobust.attack.AttackResult;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DataException;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.AttackRecord;
import dev.aerobust.eval.LatentStats;
import dev.aerobust.store.Provenance;
import dev.aerobust.eval.RobustAccuracy;
import dev.aerobust.eval.Sanity;
import dev.aerobust.eval.SanityReport;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.LogitsModel;
import dev.aerobust.model.Purifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.train.TrainedModels;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.Hashing;
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
            if ("square".equals(o.attack())) {
                square = square == null || o.robustAccuracy() < square.robustAccuracy() ? o : square;
            } else if (!"autoattack".equals(o.attack())
                    && (bestWhite == null || o.robustAccuracy() < bestWhite.robustAccuracy())) {
                bestWhite = o;
            }
        }
        if (square != null && bestWhite != null
                && square.robustAccuracy() < bestWhite.robustAccuracy() - 1.0 / Math.max(1, square.n())) {
            out.add(String.format(Locale.ROOT, "at eps %.3f the black-box square leaves %.1f%%, below the %.1f%% of"
                    + " the best gradient attack (%s): the gradients may be masked", square.eps(),
                    100 * square.robustAccuracy(), 100 * bestWhite.robustAccuracy(), bestWhite.attack()));
        }
        return out;
    }

    /**
     * The worst case at each record's eps over every record in {@code modelDir}'s run folders with the same
     * classifier, defense, scale, samples, images and seed (records without per-image outcomes are left out).
     */
    public static List<WorstCaseAt> worstCase(Path modelDir, List<AttackRecord> records) throws IOException {
        List<WorstCaseAt> out = new ArrayList<>();
        List<Path> runs;
        try (java.util.stream.Stream<Path> s = Files.list(modelDir)) {
            runs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (AttackRecord r : records) {
            if (!r.hasPerImage()) {
                continue;
            }
            List<AttackRecord> same = new ArrayList<>();
            List<String> where = new ArrayList<>();
            for (Path run : runs) {
                Path f = record(run, r.eps());
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                AttackRecord o;
                try {
                    o = read(f);
                } catch (DataException e) {
                    LOG.warn("left out of the worst case: {}", e.getMessage());
                    continue;
                }
                if (o.hasPerImage() && java.util.Objects.equals(o.classifier(), r.classifier())
                        && java.util.Objects.equals(o.defense(), r.defense()) && o.scale() == r.scale()
                        && o.samples() == r.samples() && o.n() == r.n() && o.seed() == r.seed()
                        && Arrays.equals(o.perImage().index(), r.perImage().index())) {
                    same.add(o);
                    where.add(modelDir.relativize(run).toString());
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
     * What determines a run's records apart from eps: the folder they live in is named by its hash. Earlier
     * versions hashed the same keys, so their records are found again.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RunKey(String model, String classifier, String defense, double scale, int samples, int n, long seed,
                  String attack, Map<String, Object> attackConfig) {

        /**
         * The key of {@code attack} on a model: an autoencoder ({@code defended}) stacked on {@code classifierId},
         * or a classifier attacked as it is. Scale and sampling seeds exist only for a sampled defense: elsewhere
         * they must not split the key.
         */
        static RunKey of(String modelId, String classifierId, boolean defended, Settings eval, Attack attack) {
            boolean sampled = eval.get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED;
            String defense = !defended ? "none" : sampled ? "sampled" : "deterministic";
            return new RunKey(modelId, defended ? classifierId : modelId, defense,
                    sampled ? eval.get(EvalConfig.SCALE) : 0.0, sampled ? eval.get(EvalConfig.SAMPLES) : 1,
                    eval.get(EvalConfig.N), eval.get(EvalConfig.SEED), attack.name(), attack.key());
        }

        /** The folder of the run's records: named by the key's hash and the attack set's checksum. */
        Path dir(Path resultsRoot, String setChecksum) {
            return resultsRoot.resolve(model).resolve(ModelStore.hashId(attack, defense, this, setChecksum));
        }
    }

    /** The folder of a run's records, without loading any model. */
    public static Path dir(String modelId, String classifierId, boolean defended, Settings eval, Attack attack,
                           Path dataDir, Path resultsRoot) {
        String key = eval.get(EvalConfig.DATASET) + "|" + dataDir.toAbsolutePath() + "|" + eval.get(EvalConfig.N) + "|"
                + eval.get(EvalConfig.SEED);
        String checksum = SET_CHECKSUMS.computeIfAbsent(key, k -> attackSet(eval, dataDir).checksum());
        return RunKey.of(modelId, classifierId, defended, eval, attack).dir(resultsRoot, checksum);
    }

    /** The attack sets' checksums, by dataset, folder, size and seed: a sweep's plan asks for each many times. */
    private static final Map<String, String> SET_CHECKSUMS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The records of a finished run (null where an eps has none yet), in the order of the eps asked for. */
    public static List<AttackRecord> records(String modelId, String classifierId, boolean defended, Settings eval,
                                             Attack attack, Path dataDir, Path resultsRoot) {
        Path dir = dir(modelId, classifierId, defended, eval, attack, dataDir, resultsRoot);
        List<AttackRecord> out = new ArrayList<>();
        for (double e : eval.get(EvalConfig.EPS)) {
            Path f = record(dir, e);
            out.add(Files.isRegularFile(f) ? read(f) : null);
        }
        return out;
    }

    /** The attack set of an evaluation: its test images, by the dataset's rule. */
    static ImageSet attackSet(Settings eval, Path dataDir) {
        DatasetId d = eval.get(EvalConfig.DATASET);
        long seed = eval.get(EvalConfig.SEED);
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
            DatasetId dataset = eval.get(EvalConfig.DATASET);
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
            LogitsModel clf = ModelImport.classifier(store, clfId, dataset);
            DefendedClassifier deployed;
            Purifier ae = null;
            if (isAe) {
                ae = ModelImport.autoencoder(store, modelId);
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
     * evaluation settings {@code eval} ({@link EvalConfig}), reusing the records already in {@code resultsRoot}.
     */
    public static Outcome run(String modelId, String classifierId, Settings eval, Attack attack, Path dataDir,
                              ModelStore store, Path resultsRoot, Path saveAdv) throws IOException {
        Engine.init();
        double[] eps = eval.get(EvalConfig.EPS);
        EvalConfig.checkBudgets(eval, attack.settings().get(dev.aerobust.attack.AttackConfig.ATTACK));
        Stack stack = Stack.load(store, modelId, classifierId, eval);
        long seed = eval.get(EvalConfig.SEED);
        ImageSet test = Datasets.load(stack.dataset(), Split.TEST, dataDir, seed);
        int[] indices = attackIndices(stack.dataset(), test, eval.get(EvalConfig.N), seed);
        ImageSet set = test.subset(indices);
        RunKey key = RunKey.of(modelId, stack.classifierId(), stack.purifier() != null, eval, attack);
        Path dir = key.dir(resultsRoot, set.checksum());
        ModelStore.checkWritable(resultsRoot);
        // the same run started twice (two sweeps sharing a store, a retried task) computes once: the second
        // waits here, then finds the first one's records
        try (java.io.Closeable lock = lock(resultsRoot, dir, "attacking " + dir.getParent().getFileName() + "/"
                + dir.getFileName())) {
            double[] todo = Arrays.stream(eps).filter(e -> !Files.isRegularFile(record(dir, e))).toArray();
            if (todo.length == 0) {
                LOG.info("every eps value already evaluated in {}", dir);
            } else if (todo.length < eps.length) {
                LOG.info("{} of {} eps values already evaluated in {}; running the rest", eps.length - todo.length,
                        eps.length, dir);
            }
            if (todo.length > 0) {
                if (saveAdv != null) {
                    ModelStore.checkWritable(saveAdv);
                }
                attackAndRecord(stack, attack, key, eval, set, indices, todo, dir, saveAdv, resultsRoot);
            }
            List<AttackRecord> records = new ArrayList<>();
            for (double e : eps) {
                records.add(read(record(dir, e)));
            }
            SanityReport sanity = sanity(stack, attack, set, eps, seed, records, dir);
            return new Outcome(dir, records, sanity, worstCase(dir.getParent(), records));
        }
    }

    /**
     * Moves every results folder of a model out of the way, into {@code <results>/.stale/<time>/}: its own, and
     * (a classifier) every model's whose records name it, with the rows computed on it. Called when the model was
     * trained again to other weights than those records were made on. Returns the folder they went to.
     */
    public static Path setAside(Path resultsRoot, String modelId) throws IOException {
        Path to = resultsRoot.resolve(".stale").resolve(java.time.Instant.now().toString().replace(':', '-'));
        if (!Files.isDirectory(resultsRoot)) {
            return to;
        }
        List<Path> folders = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.list(resultsRoot)) {
            for (Path f : s.filter(Files::isDirectory).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                if (f.getFileName().toString().equals(modelId) || names(f, modelId)) {
                    folders.add(f);
                }
            }
        }
        for (Path f : folders) {
            Files.createDirectories(to);
            Files.move(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return to;
    }

    /** Whether a record under {@code folder} was made with {@code modelId} as its model or classifier. */
    private static boolean names(Path folder, String modelId) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(folder, 2)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("eps-.*\\.json")).toList()) {
                com.fasterxml.jackson.databind.JsonNode r = ModelStore.JSON.readTree(p.toFile());
                if (modelId.equals(r.path("classifier").asText()) || modelId.equals(r.path("model").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The lock of a folder of results ({@code <model>/<run>}), in {@code <results>/.locks}. */
    private static java.io.Closeable lock(Path resultsRoot, Path dir, String what) throws IOException {
        return dev.aerobust.util.FileLocks.exclusive(resultsRoot.resolve(".locks"), dir.getParent().getFileName()
                + "--" + dir.getFileName(), what);
    }

    /** Attacks every image at the eps values {@code todo} in one batch and writes one record per eps. */
    private static void attackAndRecord(Stack stack, Attack attack, RunKey key, Settings eval, ImageSet set,
                                        int[] indices, double[] todo, Path dir, Path saveAdv, Path resultsRoot)
            throws IOException {
        int[] all = new int[set.size()];
        Arrays.setAll(all, i -> i);
        Tensor x = set.images(all);
        long[] labels = Tensors.toLongs(set.labels(all));
        float[] clean = Tensors.toFloats(x);
        long seed = eval.get(EvalConfig.SEED);
        Engine.seed(seed);
        FileChunkStore chunks = chunkStore(stack, attack, key, dir, set, todo);
        AttackResult r;
        double secs;
        // rows shared with other runs (a surrogate's) are computed by one run at a time, then read by the others
        try (java.io.Closeable shared = chunks.dir().startsWith(dir) ? null : lock(resultsRoot, chunks.dir(),
                "computing the rows of " + chunks.dir().getFileName())) {
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
                LatentStats.Summary latent = stack.purifier() == null ? null
                        : LatentStats.of(stack.purifier(), x, adv);
                String npy = null;
                if (saveAdv != null) {
                    Path p = saveAdv.resolve(String.format(Locale.ROOT, "%s-%s-eps%.4f.npy", stack.modelId(),
                            attack.name(), todo[e]));
                    Npy.write(p, r.adversarial()[e], r.shape());
                    npy = p.toString();
                }
                AttackRecord.PerImage perImage = new AttackRecord.PerImage(indices, acc.robust(), r.margin()[e],
                        stack.deployed().randomized() ? acc.correct() : null);
                AttackRecord rec = new AttackRecord(AttackRecord.SCHEMA, todo[e], key.model(), key.classifier(),
                        key.defense(), key.scale(), key.samples(), key.n(), key.seed(), key.attack(),
                        key.attackConfig(), stack.dataset().cliName(), acc.mean(), acc.std(), acc.samples(),
                        r.successRate(e), r.maxLinf(e, clean), r.maxL2(e, clean), r.nanCount(e), secs,
                        reused == 0 ? null : reused, r.attacked()[e], latent, npy, provenance, attack.settings().speed(), perImage);
                Atomic.writeString(record(dir, todo[e]),
                        ModelStore.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rec));
            }
        }
        chunks.clear();
    }

    /**
     * Where the attack keeps its finished chunks. An attack on a variational autoencoder's deterministic
     * surrogate ({@code z = mu}: every attack on the deterministic defense, and every attack without EOT on a
     * sampled one, at any latent scale) computes the same rows whatever the defense deployed, so its chunks are
     * kept, beside the model's run folders, under the hash of what decides them (classifier, attack and its
     * settings, speed settings included, images, seed, eps): the sampled defense's runs at each scale take their
     * adversarial inputs from there and only evaluate them. Other runs keep theirs in their own folder (these eps,
     * this chunking) until the records are written. Either way the chunks survive a kill.
     */
    private static FileChunkStore chunkStore(Stack stack, Attack attack, RunKey key, Path dir, ImageSet set,
                                             double[] todo) {
        long seed = key.seed();
        String batch = Arrays.toString(todo) + "|" + attack.settings().speed();
        Path own = dir.resolve("partial-" + Hashing.sha256(batch.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 12));
        if (stack.variational() && !attack.attacksRandomizedModel()) {
            RunKey surrogate = new RunKey(key.model(), key.classifier(), "deterministic", 0.0, 1, key.n(), seed,
                    key.attack(), key.attackConfig());
            String id = ModelStore.hashId("surrogate", key.attack(), surrogate, set.checksum() + "|" + batch);
            // a run killed under an earlier version kept its chunks in its own folder: still read
            return new FileChunkStore(dir.getParent().resolve(id), seed, true, own);
        }
        return new FileChunkStore(own, seed);
    }

    /**
     * The sanity checks: the cheap ones every time, the small runs only where {@code sanity.json} does not yet
     * hold them (a rerun keeps what an earlier run measured).
     */
    private static SanityReport sanity(Stack stack, Attack attack, ImageSet set, double[] eps, long seed,
                                       List<AttackRecord> records, Path dir) throws IOException {
        List<String> warnings = new ArrayList<>();
        if (stack.deployed().randomized() && !attack.attacksRandomizedModel()) {
            warnings.add("the defense is randomized but " + attack.name() + " attacks its deterministic surrogate;"
                    + " use eot-pgd, apgd with --eot-draws or autoattack --version rand for the defense as deployed");
        }
        warnings.addAll(Sanity.accuracyNeverRises(records));
        LogitsModel attacked = stack.attacked(attack);
        warnings.addAll(Sanity.gradients(attacked, set));
        Path file = dir.resolve("sanity.json");
        double maxEps = Arrays.stream(eps).max().orElse(0);
        SanityReport.Runs runs = SanityReport.Runs.NONE;
        List<String> runWarnings = List.of();
        if (Files.isRegularFile(file)) {
            SanityReport old = readSanity(file);
            if (old.runs() != null && old.runs().doneFor(maxEps)) {
                runs = old.runs();
                runWarnings = Sanity.runWarnings(attack.name(), runs);
            }
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
        Files.createDirectories(dir);
        Atomic.writeString(file, ModelStore.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return report;
    }

    /** Reads a record written by this or an earlier version; an unreadable one is bad data naming the file. */
    public static AttackRecord read(Path file) {
        try {
            return ModelStore.JSON.readValue(file.toFile(), AttackRecord.class);
        } catch (IOException e) {
            throw new DataException(file, "unreadable attack record (delete it to recompute it): "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static SanityReport readSanity(Path file) {
        try {
            return ModelStore.JSON.readValue(file.toFile(), SanityReport.class);
        } catch (IOException e) {
            LOG.warn("{} is unreadable; the sanity runs are made again", file);
            return new SanityReport(List.of(), List.of(), SanityReport.Runs.NONE);
        }
    }

    /** The record file of one eps in a run's folder. */
    public static Path record(Path dir, double eps) {
        return dir.resolve(String.format(Locale.ROOT, "eps-%.4f.json", eps));
    }
}
