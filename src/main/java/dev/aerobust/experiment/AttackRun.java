package dev.aerobust.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.attack.Attack;
import dev.aerobust.attack.AttackResult;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.ImageSet;
import dev.aerobust.data.Split;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.LatentStats;
import dev.aerobust.eval.RobustAccuracy;
import dev.aerobust.eval.Sanity;
import dev.aerobust.model.Autoencoder;
import dev.aerobust.model.Classifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Npy;

/**
 * Evaluates a stored model under an attack: loads the defense, picks the attack set, runs the attack on the
 * eps values not yet done, and writes one JSON record per (model, attack, eps) with full provenance. Records
 * already on disk are reused, so a killed run resumes where it stopped.
 */
public final class AttackRun {

    private static final Logger LOG = LoggerFactory.getLogger(AttackRun.class);

    /**
     * What to evaluate.
     *
     * @param modelId      a stored autoencoder (the defense) or classifier (no defense)
     * @param classifierId the classifier under an autoencoder
     * @param defense      deterministic or sampled (for a variational autoencoder)
     * @param scale        latent scale s of the sampled defense
     * @param samples      sampling seeds over which a sampled defense's accuracy is averaged
     * @param n            attack-set size
     * @param seed         the run's seed (sampling seeds, BTSC's attack set)
     */
    public record Spec(String modelId, String classifierId, DefendedClassifier.Mode defense, double scale,
                       int samples, int n, long seed) {
    }

    private AttackRun() {
    }

    /** The attack set: the first n test images (MNIST, Fashion-MNIST), or n drawn with the seed (BTSC). */
    public static ImageSet attackSet(DatasetId d, Path dataDir, int n, long seed) {
        ImageSet test = Datasets.load(d, Split.TEST, dataDir, seed);
        return d == DatasetId.BTSC ? test.sample(n, seed) : test.first(n);
    }

    public static List<Map<String, Object>> run(Spec spec, Attack attack, double[] eps, Path dataDir,
                                               ModelStore store, Path resultsRoot, Path saveAdv)
            throws IOException {
        Engine.init();
        JsonNode meta = store.meta(spec.modelId());
        DatasetId dataset = DatasetId.parse(meta.path("dataset").asText());
        boolean isAe = "autoencoder".equals(meta.path("kind").asText());
        Classifier clf = new Classifier(dataset);
        Autoencoder ae = null;
        String clfId = isAe ? spec.classifierId() : spec.modelId();
        if (clfId == null) {
            throw new AerobustException(ExitCode.USAGE, "no classifier of " + dataset
                    + " in the store to put under the autoencoder; train one or pass --classifier");
        }
        store.loadWeights(clfId, clf);
        DefendedClassifier deployed;
        if (isAe) {
            AutoencoderConfig cfg = ModelStore.JSON.treeToValue(meta.path("config"), AutoencoderConfig.class);
            ae = new Autoencoder(cfg.spec());
            store.loadWeights(spec.modelId(), ae);
            deployed = spec.defense() == DefendedClassifier.Mode.SAMPLED
                    ? DefendedClassifier.sampled(clf, ae, spec.scale()) : DefendedClassifier.deterministic(clf, ae);
        } else {
            if (spec.defense() == DefendedClassifier.Mode.SAMPLED) {
                throw new AerobustException(ExitCode.USAGE, "a bare classifier has no sampled defense");
            }
            deployed = DefendedClassifier.undefended(clf);
        }
        deployed.freeze();
        DefendedClassifier surrogate = deployed.attackSurrogate();

        ImageSet set = attackSet(dataset, dataDir, spec.n(), spec.seed());
        Map<String, Object> runKey = new LinkedHashMap<>();
        runKey.put("model", spec.modelId());
        runKey.put("classifier", clfId);
        runKey.put("defense", spec.defense().name().toLowerCase(Locale.ROOT));
        // scale and sampling seeds only exist for a sampled defense: elsewhere they must not split the key
        boolean sampled = spec.defense() == DefendedClassifier.Mode.SAMPLED;
        runKey.put("scale", sampled ? spec.scale() : 0.0);
        runKey.put("samples", sampled ? spec.samples() : 1);
        runKey.put("n", spec.n());
        runKey.put("seed", spec.seed());
        runKey.put("attack", attack.name());
        runKey.put("attack_config", attack.settings());
        String runId = ModelStore.id(attack.name(), spec.defense().name().toLowerCase(Locale.ROOT), runKey,
                set.checksum());
        Path dir = resultsRoot.resolve(spec.modelId()).resolve(runId);
        List<Double> todo = new ArrayList<>();
        for (double e : eps) {
            if (!Files.isRegularFile(record(dir, e))) {
                todo.add(e);
            }
        }
        if (todo.size() < eps.length) {
            LOG.info("{} of {} eps values already evaluated in {}; running the rest", eps.length - todo.size(),
                    eps.length, dir);
        }
        if (!todo.isEmpty()) {
            int[] all = new int[set.size()];
            java.util.Arrays.setAll(all, i -> i);
            Tensor x = set.images(all);
            Tensor y = set.labels(all);
            long[] labels = Tensors.toLongs(y);
            float[] clean = Tensors.toFloats(x);
            double[] epsTodo = todo.stream().mapToDouble(Double::doubleValue).toArray();
            Engine.seed(spec.seed());
            long t0 = System.nanoTime();
            AttackResult r = attack.run(attack.attacksRandomizedModel() ? deployed : surrogate, x, y, epsTodo);
            double secs = (System.nanoTime() - t0) / 1e9;
            LOG.info("{} on {} images x {} eps: {} s", attack.name(), set.size(), epsTodo.length,
                    String.format("%.1f", secs));
            for (int e = 0; e < epsTodo.length; e++) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("eps", epsTodo[e]);
                rec.putAll(runKey);
                rec.put("dataset", dataset.cliName());
                try (Scope s = Scope.open()) {
                    Tensor adv = r.adversarial(e);
                    RobustAccuracy.Value acc = RobustAccuracy.of(deployed, adv, labels, 500, spec.samples(),
                            spec.seed());
                    rec.put("robust_accuracy", acc.mean());
                    rec.put("robust_accuracy_std", acc.std());
                    rec.put("accuracy_draws", acc.samples());
                    rec.put("attack_success_rate", r.successRate(e));
                    rec.put("max_linf", r.maxLinf(e, clean));
                    rec.put("max_l2", r.maxL2(e, clean));
                    rec.put("nan_count", r.nanCount(e));
                    rec.put("attack_seconds", secs);
                    if (ae != null) {
                        rec.put("latent", LatentStats.of(ae, x, adv));
                    }
                    if (saveAdv != null) {
                        Path npy = saveAdv.resolve(String.format(Locale.ROOT, "%s-%s-eps%.4f.npy", spec.modelId(),
                                attack.name(), epsTodo[e]));
                        Npy.write(npy, r.adversarial()[e], r.shape());
                        rec.put("adversarial_npy", npy.toString());
                    }
                }
                rec.put("provenance", Provenance.now(spec.seed(), dataset.cliName(), set.checksum()));
                Atomic.writeString(record(dir, epsTodo[e]),
                        ModelStore.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rec));
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (deployed.randomized() && !attack.attacksRandomizedModel()) {
            warnings.add("the defense is randomized but " + attack.name() + " attacks its deterministic surrogate;"
                    + " use eot-pgd for the defense as deployed");
        }
        for (double e : eps) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = ModelStore.JSON.readValue(record(dir, e).toFile(), Map.class);
            out.add(m);
        }
        warnings.addAll(Sanity.accuracyNeverRises(out));
        DefendedClassifier attacked = attack.attacksRandomizedModel() ? deployed : surrogate;
        warnings.addAll(Sanity.gradients(attacked, set));
        Map<String, Object> runs = new LinkedHashMap<>();
        if (!todo.isEmpty() || !Files.isRegularFile(dir.resolve("sanity.json"))) {
            warnings.addAll(Sanity.runs(attack, attacked, deployed, set, eps, spec.seed(), runs));
        }
        for (String w : warnings) {
            LOG.warn("sanity: {}", w);
        }
        Map<String, Object> sanity = new LinkedHashMap<>();
        sanity.put("warnings", warnings);
        sanity.put("checks", List.of("accuracy never rises with eps", "input gradients neither zero nor NaN",
                "randomized defense attacked with EOT", "an unbounded attack reaches about 0%",
                "twice the steps changes accuracy by no more than noise"));
        sanity.put("runs", runs);
        Files.createDirectories(dir);
        Atomic.writeString(dir.resolve("sanity.json"), ModelStore.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(sanity));
        for (Map<String, Object> m : out) {
            m.put("sanity_warnings", warnings);
        }
        return out;
    }

    static Path record(Path dir, double eps) {
        return dir.resolve(String.format(Locale.ROOT, "eps-%.4f.json", eps));
    }
}
