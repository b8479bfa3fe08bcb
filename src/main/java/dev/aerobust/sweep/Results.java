package dev.aerobust.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Settings;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.eval.WorstCase;
import dev.aerobust.model.Family;
import dev.aerobust.store.AttackRecord;
import dev.aerobust.store.LatentSummary;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.ResultsStore;
import dev.aerobust.train.AutoencoderConfig;

/**
 * A sweep's results as a tidy table: one row per (dataset, model, settings, attack, eps, seed) of every finished
 * attack unit, and one {@code worst-case} row per (model, evaluation, eps) where two or more attacks ran, the
 * per-image worst case over them.
 */
public final class Results {

    /**
     * One row, typed: its dataset, the autoencoder's family (none for the undefended classifier; an imported
     * module has none either), the defense, and the attack (none for the per-image worst case over the attacks it
     * {@code covers}). Empty fields (a classifier's stp, an old record's latent statistics) are null.
     */
    public record Row(String sweep, DatasetId dataset, String model, Family family, boolean imported, Double stp,
                      Double alpha, Boolean denoising, String classifier, DefendedClassifier.Mode defense, Double scale,
                      AttackKind attack, double eps, long seed, int n, double robustAccuracy, Double robustAccuracyStd,
                      Double attackSuccessRate, Double maxLinf, Double maxL2, Double cosMuMuAdv, Double normRatio,
                      Double diameterMu, Double diameterMuAdv, Double attackSeconds, Integer reusedRows, String covers,
                      String record, Boolean checked) {

        /** The columns, in order, as the CSV header and the JSON objects write them. */
        public static final List<String> COLUMNS = List.of("sweep", "dataset", "model", "family", "stp", "alpha",
                "denoising", "classifier", "defense", "scale", "attack", "eps", "seed", "n", "robust_accuracy",
                "robust_accuracy_std", "attack_success_rate", "max_linf", "max_l2", "cos_mu_mu_adv", "norm_ratio",
                "diameter_mu", "diameter_mu_adv", "attack_seconds", "reused_rows", "covers", "record", "checked");

        /** Whether the row is the per-image worst case over several attacks. */
        public boolean worstCase() {
            return attack == null;
        }

        /** The family column: the autoencoder's family, {@link #IMPORTED}, or none (the undefended classifier). */
        public String familyName() {
            return imported ? IMPORTED : family == null ? "none" : family.label();
        }

        /** The attack column: the attack's name, or {@link #WORST_CASE}. */
        public String attackName() {
            return attack == null ? WORST_CASE : attack.label();
        }

        /** Each column's value (null where empty), in {@link #COLUMNS}' order. */
        List<Object> values() {
            return java.util.Arrays.asList(sweep, dataset.cliName(), model, familyName(), stp, alpha, denoising,
                    classifier, defense.label(), scale, attackName(), eps, seed, n, robustAccuracy, robustAccuracyStd,
                    attackSuccessRate, maxLinf, maxL2, cosMuMuAdv, normRatio, diameterMu, diameterMuAdv,
                    attackSeconds, reusedRows, covers, record, checked);
        }
    }

    /** The attack column of a worst-case row. */
    public static final String WORST_CASE = "worst-case";

    private Results() {
    }

    /**
     * RobustBench's {@code model_info} entry for one defense at one eps, from an AutoAttack record (accuracies in
     * percent, as strings, as RobustBench writes them), with aerobust's own fields after RobustBench's: the
     * ensemble's version, the images, the per-image worst case over every attack run, and the record.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RobustBenchEntry(String name, String dataset, String threatModel, String eps, String cleanAcc,
                                   String autoattackAcc, boolean additionalData, int numberForwardPasses,
                                   String architecture, String version, int nExamples, String worstCaseAcc,
                                   String worstCaseCovers, String record) {
    }

    /**
     * One RobustBench entry per AutoAttack row of {@code rows} (standard or rand; the fast version is not
     * AutoAttack's and is left out). The clean accuracy is the eps-0 row of the same model and evaluation when
     * the sweep has one, else the model's clean accuracy from its metadata (on the whole test set).
     */
    public static List<RobustBenchEntry> robustBench(List<Row> rows, ModelStore store) {
        List<RobustBenchEntry> out = new ArrayList<>();
        for (Row r : rows) {
            if (r.attack() != AttackKind.AUTOATTACK || r.record() == null) {
                continue;
            }
            AttackRecord rec = ResultsStore.read(Path.of(r.record()));
            String version = String.valueOf(rec.attackConfig().get("version"));
            if ("fast".equals(version)) {
                continue;
            }
            Double clean = null;
            Row worst = null;
            for (Row o : rows) {
                boolean same = o.model().equals(r.model()) && o.defense() == r.defense()
                        && java.util.Objects.equals(o.scale(), r.scale()) && o.seed() == r.seed() && o.n() == r.n();
                if (same && o.eps() == 0 && !o.worstCase()) {
                    clean = o.robustAccuracy();
                }
                if (same && o.eps() == r.eps() && o.worstCase()) {
                    worst = o;
                }
            }
            if (clean == null) {
                ModelMeta.Metrics m = store.meta(r.model()).metrics();
                clean = m == null ? null : m.headline();
            }
            String name = r.defense() == DefendedClassifier.Mode.SAMPLED ? r.model() + " sampled s=" + r.scale()
                    : r.defense() == DefendedClassifier.Mode.NONE ? r.model() : r.model() + " + " + r.classifier();
            String arch = r.defense() == DefendedClassifier.Mode.NONE ? "classifier"
                    : r.familyName() + " autoencoder + classifier (" + r.defense().label() + ")";
            out.add(new RobustBenchEntry(name, r.dataset().cliName(), "Linf", trim(r.eps()), clean == null ? null
                    : pct(clean), pct(r.robustAccuracy()), false, r.defense() == DefendedClassifier.Mode.SAMPLED
                    ? rec.samples() : 1, arch, version,
                    r.n(), worst == null ? null : pct(worst.robustAccuracy()), worst == null ? null : worst.covers(),
                    r.record()));
        }
        return out;
    }

    private static String pct(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", 100 * v);
    }

    private static String trim(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /**
     * The gradient-free check of one defense at one eps (AutoAttack's check for gradient masking): Square, which
     * reads no gradient, on its images (often a subset of the evaluation), against the per-image worst case of the
     * gradient attacks on those same images. Square leaving fewer images correct than the gradient attacks would
     * mean their gradients are not to be trusted.
     *
     * @param square     Square's row
     * @param whiteBox   the fraction of Square's images every gradient attack left correct
     * @param covers     the gradient attacks
     */
    public record BlackBoxCheck(Row square, double whiteBox, String covers) {

        /** Whether Square found more than the gradient attacks (beyond one image): gradients may be masked. */
        public boolean masked() {
            return square.robustAccuracy() < whiteBox - 1.0 / Math.max(1, square.n());
        }
    }

    /**
     * The gradient-free checks of {@code sweep}: for every finished Square unit, each eps against the gradient
     * attacks run on the same model, classifier, defense and seed over as many images or more (the worst case
     * taken on Square's images).
     */
    public static List<BlackBoxCheck> blackBoxChecks(Sweep sweep, SweepRunner runner) {
        List<BlackBoxCheck> out = new ArrayList<>();
        Map<Sweep.AttackUnit, List<AttackRecord>> done = new LinkedHashMap<>();
        for (Sweep.AttackUnit u : sweep.attacks()) {
            runner.records(u).filter(r -> r.stream().allMatch(java.util.Objects::nonNull)).ifPresent(r -> done.put(u,
                    r));
        }
        for (Map.Entry<Sweep.AttackUnit, List<AttackRecord>> sq : done.entrySet()) {
            Sweep.AttackUnit u = sq.getKey();
            if (u.attack().get(dev.aerobust.attack.AttackConfig.ATTACK) != dev.aerobust.attack.AttackKind.SQUARE) {
                continue;
            }
            for (AttackRecord s : sq.getValue()) {
                if (!(s.eps() > 0) || !s.hasPerImage()) {
                    continue;
                }
                List<AttackRecord> white = new ArrayList<>();
                done.forEach((v, recs) -> {
                    if (v.model().equals(u.model()) && v.attack().get(dev.aerobust.attack.AttackConfig.ATTACK)
                            != dev.aerobust.attack.AttackKind.SQUARE && sameButImages(u.eval(), v.eval())) {
                        recs.stream().filter(r -> r.eps() == s.eps() && r.hasPerImage()
                                && java.util.Objects.equals(r.classifier(), s.classifier())).forEach(white::add);
                    }
                });
                WorstCase.Value w = WorstCase.on(white, s.perImage().index());
                if (w != null) {
                    out.add(new BlackBoxCheck(row(sweep, u, s, null, runner.run(u).recordFile(s.eps())), w.accuracy(),
                            String.join("+", w.attacks())));
                }
            }
        }
        return out;
    }

    /** Whether two evaluations differ at most in their number of images, the second holding the first's. */
    private static boolean sameButImages(Settings a, Settings b) {
        return b.get(EvalConfig.N) >= a.get(EvalConfig.N)
                && a.with(EvalConfig.N, b.get(EvalConfig.N)).identity().equals(b.identity());
    }

    /** The rows of every finished attack unit of {@code sweep}; units not finished are left out. */
    public static List<Row> of(Sweep sweep, SweepRunner runner) {
        List<Row> rows = new ArrayList<>();
        // worst case: the units of one model under one evaluation, over their attacks
        Map<String, List<Sweep.AttackUnit>> groups = new LinkedHashMap<>();
        Map<Sweep.AttackUnit, List<AttackRecord>> done = new LinkedHashMap<>();
        for (Sweep.AttackUnit u : sweep.attacks()) {
            Optional<List<AttackRecord>> recs = runner.records(u);
            if (recs.isEmpty() || recs.get().stream().anyMatch(r -> r == null)) {
                continue;
            }
            done.put(u, recs.get());
            groups.computeIfAbsent(u.model() + "|" + u.eval().identity(), k -> new ArrayList<>()).add(u);
            ResultsStore.Run run = runner.run(u);
            for (AttackRecord r : recs.get()) {
                rows.add(row(sweep, u, r, null, run.recordFile(r.eps())));
            }
        }
        for (List<Sweep.AttackUnit> g : groups.values()) {
            if (g.size() < 2) {
                continue;
            }
            double[] eps = g.get(0).eval().get(EvalConfig.EPS);
            for (int e = 0; e < eps.length; e++) {
                List<AttackRecord> at = new ArrayList<>();
                for (Sweep.AttackUnit u : g) {
                    at.add(done.get(u).get(e));
                }
                WorstCase.Value w = WorstCase.of(at);
                if (w == null || w.attacks().size() < 2) {
                    continue;
                }
                AttackRecord first = at.get(0);
                rows.add(new Row(sweep.name(), first.dataset(), first.model(), family(g.get(0)),
                        imported(g.get(0)), stp(g.get(0)), alpha(g.get(0)), denoising(g.get(0)), first.classifier(),
                        first.defense(), scale(g.get(0)), null, eps[e], first.seed(), w.images(), w.accuracy(), null,
                        null, null, null, null, null, null, null, null, null, String.join("+", w.attacks()), null,
                        null));
            }
        }
        return rows;
    }

    private static Row row(Sweep sweep, Sweep.AttackUnit u, AttackRecord r, String covers, Path file) {
        String path = file.toString();
        LatentSummary l = r.latent();
        return new Row(sweep.name(), r.dataset(), r.model(), family(u), imported(u), stp(u), alpha(u), denoising(u),
                r.classifier(), r.defense(), scale(u), r.attack(), r.eps(), r.seed(), r.n(), r.robustAccuracy(), r.robustAccuracyStd(),
                r.attackSuccessRate(), r.maxLinf(), r.maxL2(), l == null ? null : l.cosMuMuAdv().mean(),
                l == null ? null : l.normRatio().mean(), l == null ? null : l.diameterMu(),
                l == null ? null : l.diameterMuAdv(), r.attackSeconds(), r.reusedRows(), covers, path,
                r.checksum() != null);
    }

    /** The family of a trained autoencoder; none for the sweep's classifier and for an imported module. */
    static Family family(Sweep.AttackUnit u) {
        return u.model() instanceof Sweep.TrainUnit t && t.autoencoder() ? t.settings().get(AutoencoderConfig.FAMILY)
                : null;
    }

    static boolean imported(Sweep.AttackUnit u) {
        return u.model() instanceof Sweep.ImportedModel;
    }

    /** The family column of an imported TorchScript module's rows (no figure of the study draws them). */
    public static final String IMPORTED = "imported";

    static Double stp(Sweep.AttackUnit u) {
        return u.model() instanceof Sweep.TrainUnit t && t.autoencoder() ? t.settings().get(AutoencoderConfig.STP)
                : null;
    }

    static Double alpha(Sweep.AttackUnit u) {
        return u.model() instanceof Sweep.TrainUnit t && t.autoencoder() && t.settings().applies(AutoencoderConfig.ALPHA)
                ? t.settings().get(AutoencoderConfig.ALPHA) : null;
    }

    static Boolean denoising(Sweep.AttackUnit u) {
        return u.model() instanceof Sweep.TrainUnit t && t.autoencoder()
                ? t.settings().get(AutoencoderConfig.DENOISING) : null;
    }

    static Double scale(Sweep.AttackUnit u) {
        return u.eval().get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED
                ? u.eval().get(EvalConfig.SCALE) : null;
    }

    /** The rows as JSON: an array of objects, a member per column, empty fields null. */
    public static com.fasterxml.jackson.databind.node.ArrayNode json(List<Row> rows) {
        com.fasterxml.jackson.databind.node.ArrayNode out = ModelStore.JSON.createArrayNode();
        for (Row r : rows) {
            com.fasterxml.jackson.databind.node.ObjectNode o = out.addObject();
            List<Object> v = r.values();
            for (int i = 0; i < Row.COLUMNS.size(); i++) {
                o.set(Row.COLUMNS.get(i), ModelStore.JSON.valueToTree(v.get(i)));
            }
        }
        return out;
    }

    /** The rows as CSV (RFC 4180 quoting where a field needs it; empty fields empty). */
    public static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder(String.join(",", Row.COLUMNS)).append('\n');
        for (Row r : rows) {
            List<String> f = new ArrayList<>();
            for (Object v : r.values()) {
                String s = v == null ? "" : v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d).replaceFirst("\\.?0+(e|$)",
                        "$1") : String.valueOf(v);
                f.add(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            b.append(String.join(",", f)).append('\n');
        }
        return b.toString();
    }
}
