package dev.aerobust.experiment;

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

import dev.aerobust.config.Settings;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.AttackRecord;
import dev.aerobust.eval.LatentStats;
import dev.aerobust.eval.WorstCase;
import dev.aerobust.train.AutoencoderConfig;

/**
 * A sweep's results as a tidy table: one row per (dataset, model, settings, attack, eps, seed) of every finished
 * attack unit, and one {@code worst-case} row per (model, evaluation, eps) where two or more attacks ran, the
 * per-image worst case over them.
 */
public final class Results {

    /** One row. Empty fields (a classifier's stp, an old record's latent statistics) are null. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Row(String sweep, String dataset, String model, String family, Double stp, Double alpha,
                      Boolean denoising, String classifier, String defense, Double scale, String attack, double eps,
                      long seed, int n, double robustAccuracy, Double robustAccuracyStd, Double attackSuccessRate,
                      Double maxLinf, Double maxL2, Double cosMuMuAdv, Double normRatio, Double diameterMu,
                      Double diameterMuAdv, Double attackSeconds, String covers, String record) {

        /** The columns, in order, as the CSV header writes them. */
        public static final List<String> COLUMNS = List.of("sweep", "dataset", "model", "family", "stp", "alpha",
                "denoising", "classifier", "defense", "scale", "attack", "eps", "seed", "n", "robust_accuracy",
                "robust_accuracy_std", "attack_success_rate", "max_linf", "max_l2", "cos_mu_mu_adv", "norm_ratio",
                "diameter_mu", "diameter_mu_adv", "attack_seconds", "covers", "record");

        List<Object> values() {
            return List.of(sweep, dataset, model, family, opt(stp), opt(alpha), opt(denoising), classifier, defense,
                    opt(scale), attack, eps, seed, n, robustAccuracy, opt(robustAccuracyStd), opt(attackSuccessRate),
                    opt(maxLinf), opt(maxL2), opt(cosMuMuAdv), opt(normRatio), opt(diameterMu), opt(diameterMuAdv),
                    opt(attackSeconds), opt(covers), opt(record));
        }

        private static Object opt(Object o) {
            return o == null ? "" : o;
        }
    }

    private Results() {
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
            Path dir = runner.dir(u);
            for (AttackRecord r : recs.get()) {
                rows.add(row(sweep, u, r, null, AttackRun.record(dir, r.eps()).toString()));
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
                rows.add(new Row(sweep.name(), first.dataset(), first.model(), family(g.get(0)), stp(g.get(0)),
                        alpha(g.get(0)), denoising(g.get(0)), first.classifier(), first.defense(), scale(g.get(0)),
                        "worst-case", eps[e], first.seed(), w.images(), w.accuracy(), null, null, null, null, null,
                        null, null, null, null, String.join("+", w.attacks()), null));
            }
        }
        return rows;
    }

    private static Row row(Sweep sweep, Sweep.AttackUnit u, AttackRecord r, String covers, String path) {
        LatentStats.Summary l = r.latent();
        return new Row(sweep.name(), r.dataset(), r.model(), family(u), stp(u), alpha(u), denoising(u), r.classifier(),
                r.defense(), scale(u), r.attack(), r.eps(), r.seed(), r.n(), r.robustAccuracy(), r.robustAccuracyStd(),
                r.attackSuccessRate(), r.maxLinf(), r.maxL2(), l == null ? null : l.cosMuMuAdv().mean(),
                l == null ? null : l.normRatio().mean(), l == null ? null : l.diameterMu(),
                l == null ? null : l.diameterMuAdv(), r.attackSeconds(), covers, path);
    }

    static String family(Sweep.AttackUnit u) {
        return u.model().autoencoder() ? u.model().settings().get(AutoencoderConfig.FAMILY).label() : "none";
    }

    static Double stp(Sweep.AttackUnit u) {
        return u.model().autoencoder() ? u.model().settings().get(AutoencoderConfig.STP) : null;
    }

    static Double alpha(Sweep.AttackUnit u) {
        Settings s = u.model().settings();
        return u.model().autoencoder() && s.applies(AutoencoderConfig.ALPHA) ? s.get(AutoencoderConfig.ALPHA) : null;
    }

    static Boolean denoising(Sweep.AttackUnit u) {
        return u.model().autoencoder() ? u.model().settings().get(AutoencoderConfig.DENOISING) : null;
    }

    static Double scale(Sweep.AttackUnit u) {
        return u.eval().get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED
                ? u.eval().get(EvalConfig.SCALE) : null;
    }

    /** The rows as CSV (RFC 4180 quoting where a field needs it). */
    public static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder(String.join(",", Row.COLUMNS)).append('\n');
        for (Row r : rows) {
            List<String> f = new ArrayList<>();
            for (Object v : r.values()) {
                String s = v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d).replaceFirst("\\.?0+(e|$)",
                        "$1") : String.valueOf(v);
                f.add(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
            b.append(String.join(",", f)).append('\n');
        }
        return b.toString();
    }
}
