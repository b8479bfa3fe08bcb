package dev.aerobust.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.aerobust.data.DataException;
import dev.aerobust.data.DataHome;
import dev.aerobust.data.DatasetId;
import dev.aerobust.model.Family;
import dev.aerobust.nn.Net;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;

/**
 * Trained models on disk: {@code <home>/models/<id>/} holds {@code weights.pt} (a TorchScript archive that
 * Python reads with {@code torch.jit.load(p).state_dict()}) and {@code meta.json} (configuration, provenance,
 * training curve, final metrics). The id is {@code <kind>-<dataset>-<hash>}, the hash taken over everything that
 * determines the model (its identity settings, which hold the seed, and the dataset checksum), so asking for the
 * same model twice finds the first. A run in progress keeps its checkpoints in {@code <id>/work/}.
 */
public final class ModelStore {

    public static final String WEIGHTS = "weights.pt";
    public static final String META = "meta.json";

    /**
     * Sorted keys make the hash independent of field order; datasets and families are written as the command line
     * names them ({@code fashion-mnist}, {@code cvae}).
     */
    public static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .registerModule(names());

    private static com.fasterxml.jackson.databind.module.SimpleModule names() {
        com.fasterxml.jackson.databind.module.SimpleModule m = new com.fasterxml.jackson.databind.module.SimpleModule();
        m.addSerializer(DatasetId.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase(
                DatasetId.class) {
            @Override
            public String valueToString(Object value) {
                return ((DatasetId) value).cliName();
            }
        });
        m.addSerializer(Family.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase(Family.class) {
            @Override
            public String valueToString(Object value) {
                return ((Family) value).label();
            }
        });
        m.addSerializer(dev.aerobust.attack.AttackKind.class, new com.fasterxml.jackson.databind.ser.std
                .ToStringSerializerBase(dev.aerobust.attack.AttackKind.class) {
            @Override
            public String valueToString(Object value) {
                return ((dev.aerobust.attack.AttackKind) value).label();
            }
        });
        m.addSerializer(dev.aerobust.defense.DefendedClassifier.Mode.class, new com.fasterxml.jackson.databind.ser.std
                .ToStringSerializerBase(dev.aerobust.defense.DefendedClassifier.Mode.class) {
            @Override
            public String valueToString(Object value) {
                return ((dev.aerobust.defense.DefendedClassifier.Mode) value).label();
            }
        });
        m.addDeserializer(DatasetId.class, new Named<>(DatasetId.class, DatasetId::parse));
        m.addDeserializer(Family.class, new Named<>(Family.class, Family::parse));
        m.addDeserializer(dev.aerobust.attack.AttackKind.class, new Named<>(dev.aerobust.attack.AttackKind.class,
                dev.aerobust.attack.AttackKind::parse));
        m.addDeserializer(dev.aerobust.defense.DefendedClassifier.Mode.class, new Named<>(
                dev.aerobust.defense.DefendedClassifier.Mode.class, dev.aerobust.defense.DefendedClassifier.Mode::parse));
        return m;
    }

    /** A value read by its name; a name the parser refuses is a mapping error (bad data to the reader). */
    private static final class Named<T> extends com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer<T> {
        private final java.util.function.Function<String, T> parse;

        Named(Class<T> type, java.util.function.Function<String, T> parse) {
            super(type);
            this.parse = parse;
        }

        @Override
        public T deserialize(com.fasterxml.jackson.core.JsonParser p,
                             com.fasterxml.jackson.databind.DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return parse.apply(text);
            } catch (AerobustException e) {
                throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(), text,
                        handledType());
            }
        }
    }

    /** Ids are {@code <kind>-<dataset>-<hash>} (or a user's name of the same characters): no path separators. */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    /** Schema of the {@code meta.json} this version writes; a file without one is from an earlier version. */
    public static final int SCHEMA = 2;

    private final Path root;
    private int version;

    public ModelStore(Path root) {
        this.root = root;
    }

    public static ModelStore atHome() {
        return new ModelStore(DataHome.home().resolve("models"));
    }

    public Path root() {
        return root;
    }

    /** {@code <prefix>-<dataset>-<12 hex digits>}: the hash of {@code key} (sorted keys) and a checksum. */
    public static String hashId(String prefix, String dataset, Object key, String checksum) {
        try {
            String canonical = JSON.writeValueAsString(JSON.valueToTree(key)) + "|" + checksum;
            return prefix + "-" + dataset + "-" + Hashing.sha256(canonical.getBytes(StandardCharsets.UTF_8))
                    .substring(0, 12);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The stored model with this id, if it is whole: its weights match their checksum (a damaged model is left
     * out, with a warning, and trained again).
     */
    public Optional<String> find(String id) {
        if (!has(id)) {
            return Optional.empty();
        }
        if (intact(id)) {
            return Optional.of(id);
        }
        LOG.warn("model {}: its weights do not match their checksum; it is trained again", id);
        return Optional.empty();
    }

    /** A number that changes whenever this store saves a model: what a cache of its listing is valid for. */
    public int version() {
        return version;
    }

    /**
     * The folder of a model; an id that is not of the form the store gives is a usage error, a link in its place
     * (or a folder that resolves outside the store) a file error naming it.
     */
    public Path dir(String id) {
        path(id);
        return StorePaths.inside(root, "model id", id);
    }

    public Path workDir(String id) {
        return StorePaths.inside(root, "model id", id, "work");
    }

    /** Whether a finished model with this id is stored. */
    public boolean has(String id) {
        Path d = path(id);
        return Files.isRegularFile(d.resolve(META)) && Files.isRegularFile(d.resolve(WEIGHTS));
    }

    /** A model's folder by its id, unchecked on disk: for asking whether something is there. */
    private Path path(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new AerobustException(ExitCode.USAGE, "'" + id + "' is not a model id (see: aerobust models list)");
        }
        return StorePaths.named(root, "model id", id);
    }

    /**
     * Whether the store holds this model's metadata without its weights: a store shared for its results (the
     * weights left out to keep it small). Its records and metadata are read as any model's; what needs the
     * weights (an attack still to run, an autoencoder still to train on a classifier) trains it again first.
     */
    public boolean weightless(String id) {
        Path d = path(id);
        return Files.isRegularFile(d.resolve(META)) && !Files.exists(d.resolve(WEIGHTS));
    }

    /**
     * Saves weights, then metadata, each atomically; the metadata's presence marks the model complete, and it
     * holds the SHA-256 of the weights, checked by every load.
     */
    public void save(String id, Net model, ModelMeta meta) throws IOException {
        saveBytes(id, model.toBytes(), meta);
    }

    /** As {@link #save}, for weights already serialised (an imported TorchScript file). */
    public void saveBytes(String id, byte[] weights, ModelMeta meta) throws IOException {
        version++;
        Path dir = dir(id);
        Atomic.writeBytes(dir.resolve(WEIGHTS), weights);
        Atomic.writeString(dir.resolve(META), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                meta.withWeightsSha256(Hashing.sha256(weights))));
    }

    /**
     * An exclusive lock on one model id, across processes: a second training of the same settings waits for the
     * first and then finds its model, instead of doing the same work beside it.
     */
    public java.io.Closeable lock(String id) throws IOException {
        return dev.aerobust.util.FileLocks.exclusive(root.resolve(".locks"), dir(id).getFileName().toString(),
                "training " + id);
    }

    /** Removes the checkpoints of a stored model's training: the model itself is whole in its folder. */
    public void discardWork(String id) throws IOException {
        Path work = workDir(id);
        if (Files.isDirectory(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Checks that {@code dir} can be written, creating it if needed, before any long work: an unwritable home is
     * a file error at once, not after an hour of training.
     */
    public static void checkWritable(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
        Files.delete(probe);
    }

    /** The metadata of a stored model, checked: a file of the wrong shape is bad data naming it. */
    public ModelMeta meta(String id) {
        Path p = dir(id).resolve(META);
        if (!Files.isRegularFile(p)) {
            throw new AerobustException(ExitCode.USAGE, "no model '" + id + "' in " + root
                    + " (see: aerobust models list)");
        }
        ModelMeta m;
        try {
            m = JSON.readValue(p.toFile(), ModelMeta.class);
        } catch (IOException e) {
            throw new DataException(p, "not the metadata of model " + id + " (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); delete the folder to retrain the model");
        }
        if (m == null || !id.equals(m.id()) || m.kind() == null || m.dataset() == null) {
            throw new DataException(p, "not the metadata of model " + id + " (it needs its id, kind and dataset);"
                    + " delete the folder to retrain the model");
        }
        return m;
    }

    /**
     * Whether the stored weights are the ones the metadata was written with. Models of earlier versions carry
     * no checksum and are taken as they are.
     */
    public boolean intact(String id) {
        ModelMeta m = meta(id);
        if (m.weightsSha256() == null) {
            return true;
        }
        try {
            return m.weightsSha256().equals(Hashing.sha256(Files.readAllBytes(dir(id).resolve(WEIGHTS))));
        } catch (IOException e) {
            return false;
        }
    }

    /** Loads a stored model's weights into {@code model}, after checking them against their checksum. */
    public void loadWeights(String id, Net model) {
        Path p = dir(id).resolve(WEIGHTS);
        byte[] bytes = checkedBytes(id);
        try {
            model.load(bytes, p.toString());
        } catch (IOException e) {
            throw new DataException(e.getMessage());
        }
    }

    /** The path of a stored model's weights file, after checking it against its checksum (exit 3 if damaged). */
    public Path checkedWeights(String id) {
        checkedBytes(id);
        return dir(id).resolve(WEIGHTS);
    }

    /** A stored model's weights, checked against the checksum in its metadata: a mismatch is bad data. */
    private byte[] checkedBytes(String id) {
        Path p = dir(id).resolve(WEIGHTS);
        ModelMeta m = meta(id);
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (m.weightsSha256() != null && !m.weightsSha256().equals(Hashing.sha256(bytes))) {
                throw new DataException(p, "the weights do not match the checksum in meta.json: the file is damaged;"
                        + " delete " + dir(id) + " to train or import the model again");
            }
            return bytes;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(p, "missing weights file: this store holds the model's metadata without its"
                    + " weights (a store shared for its records); a sweep that needs them trains the model again");
        } catch (IOException e) {
            throw new DataException(e.getMessage());
        }
    }

    /** The metadata of every stored model (its weights perhaps left out: {@link #weightless}), by id. */
    public List<ModelMeta> list() {
        List<ModelMeta> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                String id = d.getFileName().toString();
                // every stored model's metadata, weights or not (a store shared without them still says what it
                // trained and how long it took)
                if (ID.matcher(id).matches() && Files.isRegularFile(d.resolve(META))) {
                    try {
                        out.add(meta(id));
                    } catch (AerobustException e) {
                        LOG.warn("skipping {}: {}", id, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new AerobustException(ExitCode.IO, root + ": cannot list models: " + e.getMessage());
        }
        return out;
    }
}
