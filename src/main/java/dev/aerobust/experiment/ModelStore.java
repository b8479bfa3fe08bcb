package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aerobust.data.DataException;
import dev.aerobust.data.DataHome;
import dev.aerobust.nn.Net;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;

/**
 * Trained models on disk: {@code <home>/models/<id>/} holds {@code weights.pt} (a TorchScript archive that
 * Python reads with {@code torch.jit.load(p).state_dict()}) and {@code meta.json} (configuration, provenance,
 * training curve, final metrics). The id is {@code <kind>-<dataset>-<hash>}, the hash taken over everything that
 * determines the model (its configuration, which holds the seed, and the dataset checksum), so asking for the
 * same model twice finds the first. A run in progress keeps its checkpoints in {@code <id>/work/}.
 */
public final class ModelStore {

    public static final String WEIGHTS = "weights.pt";
    public static final String META = "meta.json";

    /** Sorted keys make the hash independent of field order. */
    static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

    private final Path root;

    public ModelStore(Path root) {
        this.root = root;
    }

    public static ModelStore atHome() {
        return new ModelStore(DataHome.home().resolve("models"));
    }

    public Path root() {
        return root;
    }

    /** The id of the model that {@code config} and the dataset checksum determine. */
    public static String id(String kind, String dataset, Object config, String datasetChecksum) {
        try {
            String canonical = JSON.writeValueAsString(JSON.valueToTree(config)) + "|" + datasetChecksum;
            return kind + "-" + dataset + "-" + Hashing.sha256(canonical.getBytes(StandardCharsets.UTF_8))
                    .substring(0, 12);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public Path workDir(String id) {
        return dir(id).resolve("work");
    }

    /** Whether a finished model with this id is stored. */
    public boolean has(String id) {
        return Files.isRegularFile(dir(id).resolve(META)) && Files.isRegularFile(dir(id).resolve(WEIGHTS));
    }

    /** Saves weights, then metadata, each atomically; the metadata's presence marks the model complete. */
    public void save(String id, Net model, Object meta) throws IOException {
        model.save(dir(id).resolve(WEIGHTS));
        Atomic.writeString(dir(id).resolve(META),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    public JsonNode meta(String id) {
        Path p = dir(id).resolve(META);
        if (!Files.isRegularFile(p)) {
            throw new AerobustException(ExitCode.USAGE, "no model '" + id + "' in " + root
                    + " (see: aerobust models list)");
        }
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new DataException(p, "unreadable model metadata: " + e.getMessage());
        }
    }

    /** Loads a stored model's weights into {@code model}. */
    public void loadWeights(String id, Net model) {
        try {
            model.load(dir(id).resolve(WEIGHTS));
        } catch (IOException e) {
            throw new DataException(e.getMessage());
        }
    }

    /** The metadata of every finished model, by id. */
    public List<ObjectNode> list() {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : s.sorted().toList()) {
                String id = d.getFileName().toString();
                if (has(id)) {
                    JsonNode m = meta(id);
                    if (m instanceof ObjectNode o) {
                        out.add(o);
                    }
                }
            }
        } catch (IOException e) {
            throw new AerobustException(ExitCode.IO, root + ": cannot list models: " + e.getMessage());
        }
        return out;
    }
}
