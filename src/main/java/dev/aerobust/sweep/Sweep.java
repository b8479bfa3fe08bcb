package dev.aerobust.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackConfig;
import dev.aerobust.config.Common;
import dev.aerobust.config.Param;
import dev.aerobust.config.ParamSet;
import dev.aerobust.config.SettingMap;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.ClassifierConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * A sweep file expanded into units: train one model, or attack one model with one attack over its eps values.
 * The file names datasets and seeds, the classifier's settings, a list of autoencoder grids, a list of
 * evaluation grids and a list of attack grids; in a grid, a list of values expands into one unit per value
 * (a setting whose value is itself a list, eps, does not expand). Every key is a setting's name
 * ({@code aerobust settings}); an unknown key or an invalid value is rejected before anything runs, naming the
 * file, the line and the key.
 *
 * <pre>
 * name: fig1-mnist
 * datasets: [mnist]
 * seeds: [0]
 * classifier: {epochs: 80}
 * autoencoders:
 *   - {family: [ae, dae], stp: [0.1, 0.2, 0.3, 0.4], epochs: 10}
 * evaluations:
 *   - {n: 1000, eps: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]}
 * attacks:
 *   - {attack: cw-linf}
 *   - {attack: pgd}
 * </pre>
 *
 * Every model is attacked under every evaluation and attack that fits it: a sampled defense only for
 * variational autoencoders, EOT-PGD only against a sampled defense, the undefended classifier only under the
 * deterministic evaluations (the baseline of every figure). An autoencoder grid may name {@code evaluations}
 * of its own (Figure 3's latent scales for the models at stp 0.4), used for its models instead of the sweep's,
 * and {@code attacks} of its own likewise; two grids naming the same model add their units (one model, trained
 * once, attacked under both).
 * An {@code imported} list names TorchScript modules of the store by id ({@code - {model: ID, classifier: ID}});
 * they are attacked under the sweep's deterministic evaluations and its attacks.
 */
public final class Sweep {

    private static final Set<String> TOP = Set.of("name", "description", "datasets", "seeds", "classifier",
            "autoencoders", "imported", "evaluations", "attacks");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A unit of work: train one model, or attack one. */
    public sealed interface Unit permits TrainUnit, AttackUnit {
        String label();
    }

    /** A model a sweep attacks: one it trains, or a user's module imported into the store. */
    public sealed interface ModelUnit permits TrainUnit, ImportedModel {
        boolean autoencoder();

        DatasetId dataset();

        /** What the model is, in an attack unit's label: "vae stp 0.4", "classifier", an imported id. */
        String describe();
    }

    /**
     * A TorchScript module imported with {@code aerobust import} (its store id), attacked as it is: an
     * autoencoder on the sweep's classifier or on an imported one, or an imported classifier undefended.
     */
    public record ImportedModel(String id, boolean autoencoder, DatasetId dataset) implements ModelUnit {
        @Override
        public String describe() {
            return id;
        }
    }

    /** Train one model. */
    public record TrainUnit(Settings settings) implements ModelUnit, Unit {
        @Override
        public String describe() {
            return autoencoder() ? settings.get(AutoencoderConfig.FAMILY).label() + " " + brief(settings)
                    : "classifier";
        }

        @Override
        public boolean autoencoder() {
            return settings.set() == AutoencoderConfig.PARAMS;
        }

        @Override
        public DatasetId dataset() {
            return settings.get(Common.DATASET);
        }

        @Override
        public String label() {
            if (!autoencoder()) {
                return "train classifier " + dataset() + " seed " + settings.get(Common.SEED);
            }
            return "train " + settings.get(AutoencoderConfig.FAMILY).label() + " " + dataset() + " "
                    + brief(settings);
        }
    }

    /**
     * Attack one model (an autoencoder on its classifier, or a classifier alone: then {@code classifier} is the
     * model) with one attack.
     */
    public record AttackUnit(ModelUnit model, ModelUnit classifier, Settings attack, Settings eval) implements Unit {
        public Attack create(boolean progress) {
            return AttackConfig.create(attack, progress);
        }

        @Override
        public String label() {
            String m = model.describe();
            if (model.autoencoder() && classifier instanceof ImportedModel c) {
                m += " on " + c.id();
            }
            String d = eval.get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED
                    ? " sampled s=" + eval.get(EvalConfig.SCALE) : "";
            return "attack " + AttackConfig.describe(attack) + " on " + m + " " + model.dataset() + d;
        }

        /**
         * What this unit's attack computes when that does not depend on the defense deployed: an attack without
         * EOT on a variational autoencoder trained here runs on its deterministic surrogate, so its rows are the
         * same under the deterministic defense and the sampled one at every latent scale, and only the first such
         * unit attacks ({@code AttackRun} keeps the rows for the others). Empty for every other unit.
         */
        public Optional<String> surrogate() {
            if (!(model instanceof TrainUnit t) || !t.autoencoder()
                    || !t.settings().get(AutoencoderConfig.FAMILY).variational() || create(false).attacksRandomizedModel()) {
                return Optional.empty();
            }
            return Optional.of(t.settings().key() + "|" + classifier + "|" + attack.key() + "|" + attack.speed()
                    + "|" + eval.get(Common.DATASET) + "|" + eval.get(EvalConfig.N) + "|"
                    + eval.get(Common.SEED) + "|" + java.util.Arrays.toString(eval.get(EvalConfig.EPS)));
        }
    }

    private final String name;
    private final List<TrainUnit> classifiers;
    private final List<TrainUnit> autoencoders;
    private final List<AttackUnit> attacks;

    private Sweep(String name, List<TrainUnit> classifiers, List<TrainUnit> autoencoders, List<AttackUnit> attacks) {
        this.name = name;
        this.classifiers = List.copyOf(classifiers);
        this.autoencoders = List.copyOf(autoencoders);
        this.attacks = List.copyOf(attacks);
    }

    public String name() {
        return name;
    }

    public List<TrainUnit> classifiers() {
        return classifiers;
    }

    public List<TrainUnit> autoencoders() {
        return autoencoders;
    }

    public List<AttackUnit> attacks() {
        return attacks;
    }

    /** Every unit: the classifiers, then the autoencoders (stacked accuracy needs the classifier), then attacks. */
    public int size() {
        return classifiers.size() + autoencoders.size() + attacks.size();
    }

    /** The settings that tell models of a kind apart at a glance: a classifier's seed, an autoencoder's stp... */
    public static String brief(Settings s) {
        if (s.set() != AutoencoderConfig.PARAMS) {
            return "seed " + s.get(Common.SEED);
        }
        StringBuilder b = new StringBuilder("stp ").append(s.get(AutoencoderConfig.STP));
        if (s.applies(AutoencoderConfig.ALPHA)) {
            b.append(" alpha ").append(s.get(AutoencoderConfig.ALPHA));
            if (s.get(AutoencoderConfig.DENOISING)) {
                b.append(" denoising");
            }
        }
        return b.toString();
    }

    /** The sweep file {@code sweeps/<name>.yaml} that ships in the jar, if there is one. */
    public static java.util.Optional<Sweep> bundled(String name) {
        String resource = "/sweeps/" + name + ".yaml";
        try (java.io.InputStream in = Sweep.class.getResourceAsStream(resource)) {
            if (in == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                    "sweeps/" + name + ".yaml", name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads and expands a sweep file; any problem is a usage error naming the file, line and key. */
    public static Sweep load(Path file) {
        return load(file, id -> null);
    }

    /** Reads and expands a sweep file whose {@code imported} list names models of {@code store}. */
    public static Sweep load(Path file, ModelStore store) {
        return load(file, id -> store.has(id) ? store.meta(id) : null);
    }

    /**
     * Reads and expands a sweep file; {@code metaOf} gives a stored model's {@code meta.json} (null where there
     * is none), for the models the file's {@code imported} list names.
     */
    public static Sweep load(Path file, java.util.function.Function<String, ModelMeta> metaOf) {
        if (Files.isDirectory(file)) {
            throw new AerobustException(ExitCode.USAGE, file + " is a folder, not a sweep file (sweeps/ holds the"
                    + " study's: sweeps/quick-mnist.yaml, ...)");
        }
        if (!Files.exists(file)) {
            throw new AerobustException(ExitCode.USAGE, file + ": no such sweep file");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AerobustException(Files.exists(file) ? ExitCode.IO : ExitCode.USAGE, file
                    + ": cannot read the sweep file (" + e.getClass().getSimpleName() + ")");
        }
        String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return parse(text, file.toString(), base, metaOf);
    }

    /** Expands a sweep given as YAML text; {@code where} names it in errors. */
    public static Sweep parse(String text, String where, String defaultName) {
        return parse(text, where, defaultName, id -> null);
    }

    /**
     * Expands a sweep given as YAML text; {@code metaOf} as in {@link #load(Path, java.util.function.Function)}:
     * read the file's parts (its name, datasets, seeds, the classifier's settings, the evaluation, attack and
     * autoencoder grids, the imported models), then expand them into units per dataset and seed.
     */
    public static Sweep parse(String text, String where, String defaultName,
                              java.util.function.Function<String, ModelMeta> metaOf) {
        YamlDoc doc = YamlDoc.parse(text, where);
        JsonNode root = doc.root();
        if (!root.isObject()) {
            throw new AerobustException(ExitCode.USAGE, where + ": a sweep file is a mapping of keys (name,"
                    + " datasets, seeds, classifier, autoencoders, imported, evaluations, attacks)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!TOP.contains(k)) {
                throw new AerobustException(ExitCode.USAGE, doc.at("/" + k) + ": unknown key '" + k + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(TOP)) + ")");
            }
        }
        String name = name(root, doc, defaultName);
        List<DatasetId> datasets = datasets(root, doc);
        List<Long> seeds = seeds(root, doc);
        List<SettingMap> clfGrid = grid(root.path("classifier"), doc, "/classifier",
                ClassifierConfig.PARAMS);
        if (clfGrid.size() != 1) {
            throw new AerobustException(ExitCode.USAGE, doc.at("/classifier") + ": the classifier's settings must"
                    + " name one classifier per dataset and seed (no lists)");
        }
        List<SettingMap> evalGrids = grids(root.path("evaluations"), doc, "/evaluations", EvalConfig.PARAMS);
        if (evalGrids.isEmpty()) {
            evalGrids.add(SettingMap.EMPTY);
        }
        List<SettingMap> attackGrids = grids(root.path("attacks"), doc, "/attacks", AttackConfig.PARAMS);
        Scope sweepScope = new Scope(evalGrids, attackGrids);
        List<AutoencoderGrid> aeGrids = autoencoders(root.path("autoencoders"), doc, sweepScope);
        List<ImportedModel[]> imported = imported(root.path("imported"), doc, datasets, metaOf);

        List<TrainUnit> classifiers = new ArrayList<>();
        Set<TrainUnit> aes = new LinkedHashSet<>();
        Set<AttackUnit> attacks = new LinkedHashSet<>();
        for (DatasetId d : datasets) {
            for (long seed : seeds) {
                TrainUnit clf = new TrainUnit(settings(ClassifierConfig.PARAMS, clfGrid.get(0), d, seed,
                        Common.DATASET, Common.SEED, doc, "/classifier"));
                classifiers.add(clf);
                // the models and the evaluations and attacks each is attacked under; the classifier the sweep's
                Map<TrainUnit, List<Scope>> models = new LinkedHashMap<>();
                models.put(clf, new ArrayList<>(List.of(sweepScope)));
                for (AutoencoderGrid g : aeGrids) {
                    TrainUnit ae = new TrainUnit(settings(AutoencoderConfig.PARAMS, g.settings(), d, seed,
                            Common.DATASET, Common.SEED, doc, "/autoencoders"));
                    aes.add(ae);
                    models.computeIfAbsent(ae, k -> new ArrayList<>()).add(g.scope());
                }
                for (Map.Entry<TrainUnit, List<Scope>> e : models.entrySet()) {
                    for (Scope sc : e.getValue()) {
                        units(attacks, e.getKey(), clf, sc.evals(), sc.attacks(), d, seed, doc);
                    }
                }
                // the imported modules, under the sweep's evaluations: on their classifier, or on the sweep's
                for (ImportedModel[] im : imported) {
                    if (im[0].dataset() == d) {
                        ModelUnit under = !im[0].autoencoder() ? im[0] : im[1] != null ? im[1] : clf;
                        units(attacks, im[0], under, evalGrids, attackGrids, d, seed, doc);
                    }
                }
            }
        }
        return new Sweep(name, classifiers, new ArrayList<>(aes), new ArrayList<>(attacks));
    }

    /** The sweep's name: it names the report's folder, one folder under the store, so never a path. */
    private static String name(JsonNode root, YamlDoc doc, String defaultName) {
        String name = root.path("name").asText(defaultName);
        if (!dev.aerobust.store.StorePaths.valid(name)) {
            throw new AerobustException(ExitCode.USAGE, (root.has("name") ? doc.at("/name") : doc.where()) + ": the"
                    + " sweep's name '" + name + "' must be lower-case letters, digits, '.', '_' and '-', starting with"
                    + " a letter or digit (it names the report's folder; never a path)");
        }
        return name;
    }

    private static List<DatasetId> datasets(JsonNode root, YamlDoc doc) {
        List<DatasetId> datasets = new ArrayList<>();
        for (JsonNode d : list(root.path("datasets"), doc, "/datasets", JSON.getNodeFactory().textNode("mnist"))) {
            try {
                datasets.add(Common.DATASET.parse(d.asText()));
            } catch (AerobustException e) {
                throw new AerobustException(ExitCode.USAGE, doc.at("/datasets") + ": unknown dataset '" + d.asText()
                        + "' (known: " + DatasetId.names() + ")");
            }
        }
        return datasets;
    }

    private static List<Long> seeds(JsonNode root, YamlDoc doc) {
        List<Long> seeds = new ArrayList<>();
        for (JsonNode s : list(root.path("seeds"), doc, "/seeds", JSON.getNodeFactory().numberNode(0L))) {
            if (!s.canConvertToLong() || !s.isIntegralNumber()) {
                throw new AerobustException(ExitCode.USAGE, doc.at("/seeds") + ": seeds are integers, got " + s);
            }
            seeds.add(s.asLong());
        }
        return seeds;
    }

    /** One autoencoder's settings (a point of a grid) and the evaluations and attacks it is attacked under. */
    private record AutoencoderGrid(SettingMap settings, Scope scope) {
    }

    /**
     * The {@code autoencoders} list expanded: each grid with the evaluations and attacks of its own (where it
     * names them) or the sweep's.
     */
    private static List<AutoencoderGrid> autoencoders(JsonNode aeNode, YamlDoc doc, Scope sweepScope) {
        if (!aeNode.isMissingNode() && !aeNode.isNull() && !aeNode.isArray()) {
            throw new AerobustException(ExitCode.USAGE, doc.at("/autoencoders") + ": a list of settings maps"
                    + " (- key: value)");
        }
        List<AutoencoderGrid> out = new ArrayList<>();
        for (int i = 0; aeNode.isArray() && i < aeNode.size(); i++) {
            JsonNode g = aeNode.get(i);
            Scope own = sweepScope;
            if (g.isObject() && (g.has("evaluations") || g.has("attacks"))) {
                String at = "/autoencoders/" + i;
                List<SettingMap> evals = g.has("evaluations")
                        ? grids(g.get("evaluations"), doc, at + "/evaluations", EvalConfig.PARAMS) : sweepScope.evals();
                List<SettingMap> attacks = g.has("attacks")
                        ? grids(g.get("attacks"), doc, at + "/attacks", AttackConfig.PARAMS) : sweepScope.attacks();
                own = new Scope(evals, attacks);
                g = g.deepCopy();
                ((com.fasterxml.jackson.databind.node.ObjectNode) g).remove(List.of("evaluations", "attacks"));
            }
            for (SettingMap m : grid(g, doc, "/autoencoders/" + i, AutoencoderConfig.PARAMS)) {
                out.add(new AutoencoderGrid(m, own));
            }
        }
        return out;
    }

    /** Evaluations and the attacks run under them, as an autoencoder grid names them or the sweep does. */
    private record Scope(List<SettingMap> evals, List<SettingMap> attacks) {
    }

    /** The attack units of one model under its evaluations: a sampled defense and EOT only where it samples. */
    private static void units(Set<AttackUnit> out, ModelUnit m, ModelUnit clf, List<SettingMap> evals,
                              List<SettingMap> attackGrids, DatasetId d, long seed, YamlDoc doc) {
        boolean samples = m instanceof TrainUnit t && t.autoencoder()
                && t.settings().get(AutoencoderConfig.FAMILY).variational();
        for (SettingMap eg : evals) {
            Settings eval = settings(EvalConfig.PARAMS, eg, d, seed, Common.DATASET, Common.SEED, doc,
                    "/evaluations");
            boolean sampled = eval.get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED;
            if (sampled && !samples) {
                continue;
            }
            for (SettingMap ag : attackGrids) {
                Settings attack = AttackConfig.PARAMS.fromMap(ag.values(), doc.at("/attacks"), false);
                try {
                    EvalConfig.checkBudgets(eval, attack.get(AttackConfig.ATTACK));
                } catch (AerobustException e) {
                    throw new AerobustException(e.exitCode(), doc.at("/evaluations") + ": " + e.getMessage());
                }
                if (AttackConfig.create(attack, false).attacksRandomizedModel() && !sampled) {
                    continue;
                }
                out.add(new AttackUnit(m, clf, attack, eval));
            }
        }
    }

    /**
     * The {@code imported} list: {@code - {model: ID}} or {@code - {model: ID, classifier: ID}}, each an imported
     * TorchScript module in the store of one of the sweep's datasets; an autoencoder without a classifier of its
     * own is stacked on the sweep's. Returns {model, classifier or null} pairs.
     */
    private static List<ImportedModel[]> imported(JsonNode n, YamlDoc doc, List<DatasetId> datasets,
                                                  java.util.function.Function<String, ModelMeta> metaOf) {
        List<ImportedModel[]> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new AerobustException(ExitCode.USAGE, doc.at("/imported") + ": a list of {model: ID} or {model: ID,"
                    + " classifier: ID} maps");
        }
        for (int i = 0; i < n.size(); i++) {
            String pointer = "/imported/" + i;
            JsonNode e = n.get(i);
            if (!e.isObject() || !e.has("model")) {
                throw new AerobustException(ExitCode.USAGE, doc.at(pointer) + ": each entry is {model: ID} or"
                        + " {model: ID, classifier: ID}");
            }
            for (Iterator<String> it = e.fieldNames(); it.hasNext();) {
                String k = it.next();
                if (!k.equals("model") && !k.equals("classifier")) {
                    throw new AerobustException(ExitCode.USAGE, doc.at(pointer + "/" + k) + ": unknown key '" + k
                            + "' (known: classifier, model)");
                }
            }
            ImportedModel model = importedModel(e.get("model"), doc, pointer + "/model", datasets, metaOf);
            ImportedModel clf = null;
            if (e.has("classifier")) {
                clf = importedModel(e.get("classifier"), doc, pointer + "/classifier", datasets, metaOf);
                if (!model.autoencoder() || clf.autoencoder()) {
                    throw new AerobustException(ExitCode.USAGE, doc.at(pointer + "/classifier") + ": a classifier"
                            + " goes under an imported autoencoder: " + (model.autoencoder() ? clf.id()
                            + " is an autoencoder" : model.id() + " is a classifier"));
                }
                if (clf.dataset() != model.dataset()) {
                    throw new AerobustException(ExitCode.USAGE, doc.at(pointer + "/classifier") + ": " + clf.id()
                            + " is a " + clf.dataset() + " model and " + model.id() + " a " + model.dataset() + " one");
                }
            }
            out.add(new ImportedModel[] {model, clf});
        }
        return out;
    }

    private static ImportedModel importedModel(JsonNode idNode, YamlDoc doc, String pointer,
                                               List<DatasetId> datasets,
                                               java.util.function.Function<String, ModelMeta> metaOf) {
        String at = doc.at(pointer);
        if (!idNode.isTextual()) {
            throw new AerobustException(ExitCode.USAGE, at + ": a model id, got " + idNode);
        }
        String id = idNode.textValue();
        if (!dev.aerobust.store.StorePaths.valid(id)) {
            throw new AerobustException(ExitCode.USAGE, at + ": '" + id + "' is not a model id (an id names one"
                    + " model of the store, never a path; aerobust models list shows them)");
        }
        ModelMeta meta = metaOf.apply(id);
        if (meta == null) {
            throw new AerobustException(ExitCode.USAGE, at + ": no model '" + id + "' in the store (aerobust import"
                    + " classifier|autoencoder FILE.pt --dataset D stores one; aerobust models list shows them)");
        }
        if (!meta.scripted()) {
            throw new AerobustException(ExitCode.USAGE, at + ": " + id + " is a model aerobust trained; a sweep"
                    + " names its own models by their settings (classifier, autoencoders), imported ones by id");
        }
        DatasetId d = meta.dataset();
        if (!datasets.contains(d)) {
            throw new AerobustException(ExitCode.USAGE, at + ": " + id + " is a " + d.cliName() + " model; the sweep's"
                    + " datasets are " + datasets.stream().map(DatasetId::cliName).toList());
        }
        return new ImportedModel(id, meta.autoencoder(), d);
    }

    private static Settings settings(ParamSet set, SettingMap grid, DatasetId d, long seed,
                                     Param<?> datasetParam, Param<?> seedParam, YamlDoc doc, String pointer) {
        SettingMap m = grid.with(datasetParam.name(), Param.spell(d)).with(seedParam.name(), seed);
        return set.fromMap(m.values(), doc.at(pointer), false);
    }

    private static List<JsonNode> list(JsonNode n, YamlDoc doc, String pointer, JsonNode dflt) {
        List<JsonNode> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            out.add(dflt);
        } else if (n.isArray()) {
            n.forEach(out::add);
        } else {
            out.add(n);
        }
        if (out.isEmpty()) {
            throw new AerobustException(ExitCode.USAGE, doc.at(pointer) + ": an empty list");
        }
        return out;
    }

    /** A list of grids (or one grid), each expanded. */
    private static List<SettingMap> grids(JsonNode n, YamlDoc doc, String pointer, ParamSet set) {
        List<SettingMap> out = new ArrayList<>();
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new AerobustException(ExitCode.USAGE, doc.at(pointer) + ": a list of settings maps (- key: value)");
        }
        for (int i = 0; i < n.size(); i++) {
            out.addAll(grid(n.get(i), doc, pointer + "/" + i, set));
        }
        return out;
    }

    /**
     * One grid: a map of setting names to values or lists of values, expanded into every combination. Names
     * are checked here; values when each unit's settings resolve.
     */
    private static List<SettingMap> grid(JsonNode n, YamlDoc doc, String pointer, ParamSet set) {
        List<SettingMap> out = new ArrayList<>();
        out.add(SettingMap.EMPTY);
        if (n.isMissingNode() || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new AerobustException(ExitCode.USAGE, doc.at(pointer) + ": a map of settings (key: value)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String at = doc.at(pointer + "/" + key);
            if (key.equals("dataset") || key.equals("seed")) {
                throw new AerobustException(ExitCode.USAGE, at + ": '" + key + "' is set for the whole sweep (the"
                        + " top-level '" + key + "s' list)");
            }
            Param<?> p;
            try {
                p = set.byName(key);
            } catch (AerobustException ex) {
                throw new AerobustException(ExitCode.USAGE, at + ": " + ex.getMessage());
            }
            if (!set.settable().contains(p) || !set.option(p)) {
                throw new AerobustException(ExitCode.USAGE, at + ": '" + key + "' is not a " + set.kind()
                        + " setting one can set");
            }
            List<Object> values = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray() && p.type() != double[].class) {
                if (v.isEmpty()) {
                    throw new AerobustException(ExitCode.USAGE, at + ": an empty list of values for '" + key + "'");
                }
                v.forEach(x -> values.add(scalar(x, at, key)));
            } else if (v.isArray()) {
                List<Object> items = new ArrayList<>();
                v.forEach(x -> items.add(scalar(x, at, key)));
                values.add(items);
            } else {
                values.add(scalar(v, at, key));
            }
            // check each value now, so a bad one is named with its line
            for (Object x : values) {
                try {
                    p.parse(x);
                } catch (AerobustException ex) {
                    throw new AerobustException(ExitCode.USAGE, at + ": " + ex.getMessage().replace(p.flag(), key));
                }
            }
            List<SettingMap> next = new ArrayList<>();
            for (SettingMap m : out) {
                for (Object x : values) {
                    next.add(m.with(key, x));
                }
            }
            out = next;
        }
        return out;
    }

    private static Object scalar(JsonNode x, String at, String key) {
        if (x.isNumber()) {
            return x.numberValue();
        }
        if (x.isBoolean()) {
            return x.booleanValue();
        }
        if (x.isTextual()) {
            return x.textValue();
        }
        throw new AerobustException(ExitCode.USAGE, at + ": '" + key + "' takes a number, a word or a list, got "
                + x);
    }
}
