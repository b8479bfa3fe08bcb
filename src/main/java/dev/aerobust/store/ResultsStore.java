package dev.aerobust.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.data.DataException;
import dev.aerobust.data.DataHome;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.Hashing;

/**
 * Attack results on disk, and the one place that knows their layout: {@code <results>/<model>/<run>/} holds a
 * run's records, one per eps ({@code eps-<eps>.json}), its sanity checks ({@code sanity.json}) and, while it runs,
 * its finished chunks of rows ({@code partial-<hash>/}); the rows an attack on a variational autoencoder's
 * deterministic surrogate computes are kept beside the runs ({@code <model>/surrogate-<hash>/}) for the runs at
 * other latent scales; {@code .locks/} holds the locks of runs in progress, {@code .stale/} the records set aside
 * when their model was trained again to other weights, {@code .bad/} the files that failed their checks.
 *
 * <p>A record proves itself: it carries its run's key and a checksum of its content, and every read checks the
 * checksum, that the key names the folder it sits in, and that its summary numbers are what its per-image outcomes
 * give ({@link AttackRecord#inconsistencies}). A record of an earlier version (no checksum) is checked for the rest
 * and read as unchecked. A record that fails is {@link BadRecord}: bad data naming the file and the check.
 */
public final class ResultsStore {

    private static final Logger LOG = LoggerFactory.getLogger(ResultsStore.class);

    /** A run's sanity checks, beside its records. */
    public static final String SANITY = "sanity.json";
    private static final String LOCKS = ".locks";
    private static final String STALE = ".stale";
    private static final String BAD = ".bad";
    private static final String CHECKSUM = "checksum";

    private final Path root;

    public ResultsStore(Path root) {
        this.root = root;
    }

    /** The results of the aerobust home ({@code $AEROBUST_HOME/results}). */
    public static ResultsStore atHome() {
        return new ResultsStore(DataHome.home().resolve("results"));
    }

    public Path root() {
        return root;
    }

    /** A record that failed a check: bad data naming its file and the check. */
    public static final class BadRecord extends DataException {
        private final Path file;
        private final String check;

        BadRecord(Path file, String check) {
            super(file, "attack record fails its check: " + check);
            this.file = file;
            this.check = check;
        }

        public Path file() {
            return file;
        }

        public String check() {
            return check;
        }
    }

    /** The name of a run's folder: the hash of its key and of the attack set's checksum. */
    public static String runId(RunKey key, String setChecksum) {
        return ModelStore.hashId(key.attack(), key.defense(), key, setChecksum);
    }

    /** The run of {@code key} on the attack set of checksum {@code setChecksum}. */
    public Run run(RunKey key, String setChecksum) {
        return new Run(key, setChecksum);
    }

    /** One run's folder: its records, sanity checks, chunks and lock. */
    public final class Run {
        private final RunKey key;
        private final String setChecksum;
        private final Path dir;

        private Run(RunKey key, String setChecksum) {
            this.key = key;
            this.setChecksum = setChecksum;
            this.dir = StorePaths.named(root, "model id", key.model(), runId(key, setChecksum));
        }

        public Path dir() {
            return dir;
        }

        public RunKey key() {
            return key;
        }

        /** The file of the record at {@code eps}. */
        public Path recordFile(double eps) {
            return dir.resolve(recordName(eps));
        }

        /** Whether a record at {@code eps} is on disk (checked or not: {@link #read} checks it). */
        public boolean has(double eps) {
            return Files.isRegularFile(recordFile(eps));
        }

        /** The record at {@code eps}, checked; a record that fails a check is {@link BadRecord}. */
        public AttackRecord read(double eps) {
            return ResultsStore.read(recordFile(eps));
        }

        /** Writes a record of this run, with its checksum, atomically. */
        public void write(AttackRecord r) throws IOException {
            if (!runId(r.runKey(), setChecksum).equals(dir.getFileName().toString())) {
                throw new IllegalArgumentException("a record of another run: " + r.runKey());
            }
            StorePaths.inside(root, "model id", key.model(), dir.getFileName().toString());
            AttackRecord sealed = r.withChecksum(null);
            sealed = sealed.withChecksum(checksum(ModelStore.JSON.valueToTree(sealed)));
            Files.createDirectories(dir);
            Atomic.writeString(recordFile(r.eps()), ModelStore.JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(sealed));
        }

        /** The sanity checks a run of the same key stored, if they hold (a file that fails is left for new runs). */
        public Optional<SanityReport> sanity() {
            Path f = dir.resolve(SANITY);
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            try {
                JsonNode tree = ModelStore.JSON.readTree(f.toFile());
                SanityReport s = ModelStore.JSON.treeToValue(tree, SanityReport.class);
                String problem = tree.has(CHECKSUM) && !tree.path(CHECKSUM).asText().equals(checksum(tree))
                        ? "its checksum does not match its content"
                        : s.runId() != null && !s.runId().equals(dir.getFileName().toString())
                        ? "it is the sanity of run " + s.runId() : null;
                if (problem != null) {
                    LOG.warn("{}: {}; the sanity runs are made again", f, problem);
                    return Optional.empty();
                }
                return Optional.of(s);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("{} is unreadable; the sanity runs are made again", f);
                return Optional.empty();
            }
        }

        /** Writes the run's sanity checks, bound to the run and with their checksum. */
        public void writeSanity(SanityReport s) throws IOException {
            SanityReport bound = new SanityReport(s.warnings(), s.checks(), s.runs(), dir.getFileName().toString(),
                    null);
            ObjectNode tree = ModelStore.JSON.valueToTree(bound);
            Files.createDirectories(dir);
            Atomic.writeString(dir.resolve(SANITY), ModelStore.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                    new SanityReport(s.warnings(), s.checks(), s.runs(), bound.runId(), checksum(tree))));
        }

        /** The lock of rows shared with other runs (a surrogate's folder of chunks), held while they are computed. */
        public java.io.Closeable sharedLock(Path shared) throws IOException {
            return dev.aerobust.util.FileLocks.exclusive(root.resolve(LOCKS), dir.getParent().getFileName() + "--"
                    + shared.getFileName(), "computing the rows of " + shared.getFileName());
        }

        /** The lock of this run (in {@code .locks/}), held while it computes. */
        public java.io.Closeable lock(String what) throws IOException {
            return dev.aerobust.util.FileLocks.exclusive(root.resolve(LOCKS), dir.getParent().getFileName() + "--"
                    + dir.getFileName(), what);
        }

        /**
         * Where the run keeps its finished chunks of rows while it attacks ({@code batch}: what splits them, eps and
         * speed settings). With a {@code surrogate} key, the chunks are the surrogate's, kept beside the model's runs
         * for the runs of other latent scales; otherwise the run's own, removed once its records are written.
         */
        public FileChunkStore chunks(String batch, long seed, RunKey surrogate) {
            String tag = Hashing.sha256(batch.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
            Path own = dir.resolve("partial-" + tag);
            if (surrogate != null) {
                String id = ModelStore.hashId("surrogate", surrogate.attack(), surrogate, setChecksum + "|" + batch);
                Path shared = StorePaths.inside(root, "run id", key.model(), id);
                // a run killed under an earlier version kept its chunks in its own folder: still read
                return new FileChunkStore(shared, seed, true, own, id);
            }
            return new FileChunkStore(own, seed, false, null, dir.getFileName() + "|" + tag);
        }

        /**
         * Whether the run's folder is a folder of the store that can be written, through no link (checked before the
         * work).
         */
        public void checkWritable() throws IOException {
            StorePaths.inside(root, "model id", key.model(), dir.getFileName().toString());
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.IO, dir + " is not a folder;"
                        + " the run's records go there");
            }
            if (Files.exists(dir.getParent()) && !Files.isDirectory(dir.getParent())) {
                throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.IO, dir.getParent()
                        + " is not a folder; the model's results go there");
            }
            ModelStore.checkWritable(dir);
        }
    }

    /** A record's file name: {@code eps-0.1000.json}; -0 is 0. */
    static String recordName(double eps) {
        return epsName(eps == 0 ? 0.0 : eps) + ".json";
    }

    /** The name of what belongs to one eps of a run: {@code eps-0.1000} (its record, its chunks). */
    static String epsName(double eps) {
        return String.format(Locale.ROOT, "eps-%.4f", eps);
    }

    /** Reads a record file and checks it ({@link ResultsStore}); a record that fails is {@link BadRecord}. */
    public static AttackRecord read(Path file) {
        JsonNode tree;
        AttackRecord r;
        try {
            tree = ModelStore.JSON.readTree(file.toFile());
            if (tree == null || !tree.isObject()) {
                throw new BadRecord(file, "it is not a record (" + (tree == null ? "empty" : tree.getNodeType()) + ")");
            }
            r = ModelStore.JSON.treeToValue(tree, AttackRecord.class);
        } catch (BadRecord e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new BadRecord(file, "unreadable: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (tree.has(CHECKSUM) && !tree.path(CHECKSUM).asText().equals(checksum(tree))) {
            throw new BadRecord(file, "its checksum does not match its content (edited or damaged)");
        }
        List<String> wrong = new ArrayList<>(r.inconsistencies());
        if (wrong.isEmpty()) {
            wrong.addAll(misplaced(file, r));
        }
        if (!wrong.isEmpty()) {
            throw new BadRecord(file, String.join("; ", wrong));
        }
        return r;
    }

    /** Where a record's own key and eps disagree with the folder and file it sits in. */
    private static List<String> misplaced(Path file, AttackRecord r) {
        List<String> out = new ArrayList<>();
        Path dir = file.getParent();
        if (!file.getFileName().toString().equals(recordName(r.eps()))) {
            out.add("it is the record of eps " + r.eps() + ", in the file of another eps");
        }
        if (dir == null || dir.getParent() == null || !r.model().equals(dir.getParent().getFileName().toString())) {
            out.add("it is a record of model " + r.model() + ", in another model's results");
        } else if (r.provenance() != null && r.provenance().datasetChecksum() != null
                && !runId(r.runKey(), r.provenance().datasetChecksum()).equals(dir.getFileName().toString())) {
            out.add("its run key (" + r.attack() + " on " + r.model() + ", " + r.defense() + ") is not the run of the"
                    + " folder it sits in");
        }
        return out;
    }

    /** Whether a record file carries a checksum (records of earlier versions do not: read unchecked). */
    public static boolean checked(Path file) {
        try {
            return ModelStore.JSON.readTree(file.toFile()).has(CHECKSUM);
        } catch (IOException e) {
            return false;
        }
    }

    /** The SHA-256 of a stored JSON object's content, its own checksum left out, keys sorted at every level. */
    static String checksum(JsonNode tree) {
        try {
            return Hashing.sha256(ModelStore.JSON.writeValueAsBytes(canonical(tree, true)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode canonical(JsonNode n, boolean top) {
        if (n.isObject()) {
            ObjectNode out = ModelStore.JSON.createObjectNode();
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!(top && CHECKSUM.equals(e.getKey())) && !e.getValue().isNull()) {
                    sorted.put(e.getKey(), canonical(e.getValue(), false));
                }
            }
            sorted.forEach(out::set);
            return out;
        }
        if (n.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = ModelStore.JSON.createArrayNode();
            n.forEach(x -> out.add(canonical(x, false)));
            return out;
        }
        return n;
    }

    /**
     * Every record of {@code modelId}'s runs at {@code eps}, with its run's folder (for the per-image worst case
     * over the attacks run on a model); a record that fails its check is left out, with a warning.
     */
    public List<Map.Entry<Path, AttackRecord>> recordsAt(String modelId, double eps) throws IOException {
        List<Map.Entry<Path, AttackRecord>> out = new ArrayList<>();
        Path model = StorePaths.inside(root, "model id", modelId);
        if (!Files.isDirectory(model)) {
            return out;
        }
        List<Path> runs;
        try (Stream<Path> s = Files.list(model)) {
            runs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path run : runs) {
            Path f = run.resolve(recordName(eps));
            if (Files.isRegularFile(f)) {
                try {
                    out.add(Map.entry(run, read(f)));
                } catch (DataException e) {
                    LOG.warn("left out of the worst case: {}", e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * The records of every run, each run's readable ones together (for the estimates of a sweep's time, which are
     * taken from the wall time of the records); a file that fails its check is passed over.
     */
    public List<List<AttackRecord>> everyRun() {
        List<List<AttackRecord>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> dirs = Files.walk(root, 2)) {
            dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".")).limit(5000)
                    .forEach(dir -> {
                        List<AttackRecord> recs = new ArrayList<>();
                        try (Stream<Path> files = Files.list(dir)) {
                            files.filter(p -> p.getFileName().toString().startsWith("eps-")).forEach(p -> {
                                try {
                                    recs.add(read(p));
                                } catch (DataException e) {
                                    // a record that fails its check says nothing about speed
                                }
                            });
                        } catch (IOException e) {
                            return;
                        }
                        if (!recs.isEmpty()) {
                            out.add(recs);
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            // no records yet
        }
        return out;
    }

    /**
     * Moves a file that failed its check out of the way, never deleting it: into {@code .bad/<time>/} under its
     * path in the store, with a note of why. Returns where it went.
     */
    public Path quarantine(Path file, String why) throws IOException {
        Path to = root.resolve(BAD).resolve(java.time.Instant.now().toString().replace(':', '-'))
                .resolve(root.relativize(file));
        Files.createDirectories(to.getParent());
        Files.move(file, to, StandardCopyOption.ATOMIC_MOVE);
        Atomic.writeString(to.resolveSibling(to.getFileName() + ".why"), why + "\n");
        LOG.warn("{} failed its check ({}); moved to {}", file, why, to);
        return to;
    }

    /**
     * Moves every results folder of a model out of the way, into {@code .stale/<time>/}: its own, and (a
     * classifier) every model's whose records name it, with the rows computed on it. Called when the model was
     * trained again to other weights than those records were made on. Returns the folder they went to.
     */
    public Path setAside(String modelId) throws IOException {
        Path to = root.resolve(STALE).resolve(java.time.Instant.now().toString().replace(':', '-'));
        if (!Files.isDirectory(root)) {
            return to;
        }
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path f : s.filter(Files::isDirectory).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                if (f.getFileName().toString().equals(modelId) || names(f, modelId)) {
                    folders.add(f);
                }
            }
        }
        for (Path f : folders) {
            Files.createDirectories(to);
            Files.move(f, to.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        return to;
    }

    /** Whether a record under {@code folder} was made with {@code modelId} as its model or classifier. */
    private static boolean names(Path folder, String modelId) throws IOException {
        try (Stream<Path> s = Files.walk(folder, 2)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("eps-.*\\.json")).toList()) {
                JsonNode r = ModelStore.JSON.readTree(p.toFile());
                if (modelId.equals(r.path("classifier").asText()) || modelId.equals(r.path("model").asText())) {
                    return true;
                }
            }
        }
        return false;
    }
}
