package dev.aerobust.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.model.Family;
import dev.aerobust.sweep.Results;

/**
 * The study's five findings (system.md section 6), each tested on the records by a stated rule, under one attack
 * column (the study's CW-Linf, or the per-image worst case). Nothing here is typed by hand: every number and
 * verdict is computed from the rows.
 */
public final class Findings {

    /** A difference in mean robust accuracy below this is no difference. */
    public static final double MARGIN = 0.01;
    /** The most a contractive penalty may add to count as "a little". */
    public static final double LITTLE = 0.05;

    /** The verdicts. */
    public enum Verdict {
        HOLDS("holds"), MIXED("mixed"), DOES_NOT_HOLD("does not hold"), NOT_RUN("not in these runs");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One finding under one attack column.
     *
     * @param claim    the study's finding
     * @param test     the comparison that tests it
     * @param rule     how the verdict follows from the numbers
     * @param measured the numbers, in words
     * @param verdict  the verdict
     */
    public record Finding(String claim, String test, String rule, String measured, Verdict verdict) {
    }

    private Findings() {
    }

    /** Mean robust accuracy over the eps > 0 of the rows that pass {@code p}; NaN if none. */
    static double meanAcc(List<Results.Row> rows, Predicate<Results.Row> p) {
        return rows.stream().filter(p).filter(r -> r.eps() > 0).mapToDouble(Results.Row::robustAccuracy).average()
                .orElse(Double.NaN);
    }

    static Predicate<Results.Row> family(Family f) {
        return r -> f == r.family();
    }

    static Predicate<Results.Row> stp(double s) {
        return r -> r.stp() != null && Math.abs(r.stp() - s) < 1e-9;
    }

    static final Predicate<Results.Row> DETERMINISTIC = r -> r.defense() == DefendedClassifier.Mode.DETERMINISTIC;

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%+.3f", v);
    }

    private static Verdict count(int ok, int total) {
        if (total == 0) {
            return Verdict.NOT_RUN;
        }
        return ok == total ? Verdict.HOLDS : ok == 0 ? Verdict.DOES_NOT_HOLD : Verdict.MIXED;
    }

    /** The five findings over {@code rows} (one dataset, one attack column). */
    public static List<Finding> of(List<Results.Row> rows) {
        List<Finding> out = new ArrayList<>();
        out.add(denoising(rows));
        out.add(noise(rows));
        out.add(scale(rows));
        out.add(contractive(rows));
        out.add(diameter(rows));
        return out;
    }

    static Finding denoising(List<Results.Row> rows) {
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int total = 0;
        for (Family[] pair : new Family[][] {{Family.AE, Family.DAE}, {Family.VAE, Family.DVAE}}) {
            for (double s : stps(rows, pair[0])) {
                double a = meanAcc(rows, family(pair[0]).and(stp(s)).and(DETERMINISTIC));
                double d = meanAcc(rows, family(pair[1]).and(stp(s)).and(DETERMINISTIC));
                if (Double.isNaN(a) || Double.isNaN(d)) {
                    continue;
                }
                total++;
                ok += d - a > MARGIN ? 1 : 0;
                parts.add(upper(pair[1]) + " - " + upper(pair[0]) + " at stp " + s + ": " + pct(d - a));
            }
        }
        return new Finding("Denoising helps (DAE on MNIST and Fashion-MNIST, DVAE on MNIST).",
                "Denoising against not, same family kind and stp, deterministic defense: difference in mean robust"
                        + " accuracy over eps > 0.",
                "holds if every difference is above +" + MARGIN + ", does not hold if none is, mixed otherwise.",
                parts.isEmpty() ? "no pair of models at equal stp" : String.join("; ", parts), count(ok, total));
    }

    static Finding noise(List<Results.Row> rows) {
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int total = 0;
        for (Family f : List.of(Family.DAE, Family.VAE, Family.DVAE, Family.AE)) {
            TreeSet<Double> s = stps(rows, f);
            if (s.size() < 2) {
                continue;
            }
            double lo = meanAcc(rows, family(f).and(stp(s.first())).and(DETERMINISTIC));
            double hi = meanAcc(rows, family(f).and(stp(s.last())).and(DETERMINISTIC));
            if (Double.isNaN(lo) || Double.isNaN(hi)) {
                continue;
            }
            parts.add(upper(f) + " stp " + s.last() + " - stp " + s.first() + ": " + pct(hi - lo));
            if (f != Family.AE) {
                total++;
                ok += hi - lo > MARGIN ? 1 : 0;
            }
        }
        return new Finding("A larger stp makes the stack more robust, most of all for VAE, DVAE and DAE.",
                "Largest against smallest stp of each family, deterministic defense: difference in mean robust"
                        + " accuracy over eps > 0 (AE shown, not counted).",
                "holds if DAE, VAE and DVAE all gain more than " + MARGIN + ", does not hold if none does, mixed"
                        + " otherwise.",
                parts.isEmpty() ? "no family at two stp values" : String.join("; ", parts), count(ok, total));
    }

    /**
     * Largest against smallest latent scale of the sampled defense, each family at each stp where two scales ran:
     * only the scale differs between the two (the study's Figure 3 compares scales at stp 0.4).
     */
    static Finding scale(List<Results.Row> rows) {
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int total = 0;
        for (Family f : List.of(Family.VAE, Family.DVAE)) {
            Map<Double, TreeMap<Double, List<Results.Row>>> byStp = new TreeMap<>();
            for (Results.Row r : rows) {
                if (f == r.family() && r.defense() == DefendedClassifier.Mode.SAMPLED && r.scale() != null
                        && r.stp() != null) {
                    byStp.computeIfAbsent(r.stp(), k -> new TreeMap<>()).computeIfAbsent(r.scale(),
                            k -> new ArrayList<>()).add(r);
                }
            }
            for (Map.Entry<Double, TreeMap<Double, List<Results.Row>>> at : byStp.entrySet()) {
                TreeMap<Double, List<Results.Row>> byScale = at.getValue();
                if (byScale.size() < 2) {
                    continue;
                }
                double sLo = byScale.firstKey();
                double sHi = byScale.lastKey();
                double maxEps = byScale.get(sLo).stream().mapToDouble(Results.Row::eps).max().orElse(0);
                Double bigLo = at(byScale.get(sLo), maxEps);
                Double bigHi = at(byScale.get(sHi), maxEps);
                Double cleanLo = at(byScale.get(sLo), 0);
                Double cleanHi = at(byScale.get(sHi), 0);
                if (bigLo == null || bigHi == null) {
                    continue;
                }
                boolean helps = bigHi - bigLo > MARGIN;
                boolean costs = cleanLo != null && cleanHi != null && cleanLo - cleanHi > 0.001;
                total += 2;
                ok += (helps ? 1 : 0) + (costs ? 1 : 0);
                parts.add(String.format(Locale.ROOT, "%s stp %s, s %s vs %s: at eps %s %s%s", upper(f), at.getKey(), sHi, sLo, maxEps, pct(bigHi - bigLo), cleanLo != null
                        && cleanHi != null ? ", clean " + pct(cleanHi - cleanLo) : ", no clean (eps 0) point"));
            }
        }
        Verdict v = count(ok, total);
        return new Finding("A larger latent scale s helps at large eps but costs clean accuracy.",
                "Largest against smallest s of the sampled defense, same family and stp: accuracy at the largest eps"
                        + " and at eps 0.",
                "holds if, for every family, the larger s gains more than " + MARGIN + " at the largest eps and loses"
                        + " clean accuracy; does not hold if no family shows either; mixed otherwise.",
                parts.isEmpty() ? "no sampled defense at two scales and one stp" : String.join("; ", parts), v);
    }

    private static Double at(List<Results.Row> rows, double eps) {
        return rows.stream().filter(r -> Math.abs(r.eps() - eps) < 1e-9).mapToDouble(Results.Row::robustAccuracy)
                .average().stream().boxed().findFirst().orElse(null);
    }

    /**
     * The contractive family against its twin without the penalty, every other setting pinned: a plain CAE (CVAE)
     * against the AE (VAE), a denoising one against the DAE (DVAE), at the same stp, deterministic defense; its
     * best alpha there. Where the twin did not run, the smallest alpha at that stp stands in for it.
     */
    static Finding contractive(List<Results.Row> rows) {
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int total = 0;
        for (Family[] kin : new Family[][] {{Family.CVAE, Family.VAE, Family.DVAE}, {Family.CAE, Family.AE, Family.DAE}}) {
            for (boolean denoising : new boolean[] {false, true}) {
                Predicate<Results.Row> penalised = family(kin[0]).and(DETERMINISTIC)
                        .and(r -> Boolean.valueOf(denoising).equals(r.denoising()));
                Family twin = denoising ? kin[2] : kin[1];
                String name = (denoising ? "denoising " : "") + upper(kin[0]);
                for (double s : stps(rows.stream().filter(penalised).toList(), kin[0])) {
                    Map<Double, Double> byAlpha = new TreeMap<>();
                    rows.stream().filter(penalised.and(stp(s))).map(Results.Row::alpha).filter(Objects::nonNull)
                            .distinct().forEach(a -> byAlpha.put(a, meanAcc(rows, penalised.and(stp(s))
                                    .and(r -> a.equals(r.alpha())))));
                    double base = meanAcc(rows, family(twin).and(stp(s)).and(DETERMINISTIC));
                    String baseName = upper(twin);
                    if (Double.isNaN(base) && byAlpha.size() >= 2) {
                        double smallest = ((TreeMap<Double, Double>) byAlpha).firstKey();
                        base = byAlpha.remove(smallest);
                        baseName = name + " alpha " + smallest;
                    }
                    if (Double.isNaN(base) || byAlpha.isEmpty()) {
                        continue;
                    }
                    Map.Entry<Double, Double> best = byAlpha.entrySet().stream().max(Map.Entry.comparingByValue())
                            .orElseThrow();
                    total++;
                    ok += best.getValue() - base <= LITTLE ? 1 : 0;
                    parts.add(String.format(Locale.ROOT, "%s alpha %s - %s at stp %s: %s", name, best.getKey(),
                            baseName, s, pct(best.getValue() - base)));
                }
            }
        }
        return new Finding("The contractive penalty helps a little at most (CVAE on MNIST and Fashion-MNIST).",
                "A contractive model's best alpha against its twin without the penalty (the plain CAE and CVAE against"
                        + " AE and VAE, the denoising ones against DAE and DVAE) at the same stp: difference in mean"
                        + " robust accuracy over eps > 0.",
                "holds if no gain exceeds " + LITTLE + ", does not hold if every gain does, mixed otherwise.",
                parts.isEmpty() ? "no contractive model with a baseline" : String.join("; ", parts), count(ok, total));
    }

    static Finding diameter(List<Results.Row> rows) {
        List<String> parts = new ArrayList<>();
        int ok = 0;
        int total = 0;
        Verdict worst = Verdict.HOLDS;
        for (double s : stps(rows, Family.AE)) {
            double ae = rows.stream().filter(family(Family.AE).and(stp(s))).map(Results.Row::diameterMu)
                    .filter(Objects::nonNull).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double vae = rows.stream().filter(family(Family.VAE).and(stp(s))).map(Results.Row::diameterMu)
                    .filter(Objects::nonNull).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            if (Double.isNaN(ae) || Double.isNaN(vae) || vae == 0) {
                continue;
            }
            double ratio = ae / vae;
            total++;
            Verdict v = ratio >= 2 && ratio <= 4.5 ? Verdict.HOLDS : ratio >= 1.5 && ratio <= 6 ? Verdict.MIXED
                    : Verdict.DOES_NOT_HOLD;
            ok += v == Verdict.HOLDS ? 1 : 0;
            if (v.ordinal() > worst.ordinal()) {
                worst = v;
            }
            parts.add(String.format(Locale.ROOT, "stp %s: AE %.1f / VAE %.1f = %.2fx", s, ae, vae, ratio));
        }
        return new Finding("The diameter of the set of mu is about 3 times larger for AE than for VAE.",
                "Diameter (largest pairwise distance) of the clean latent means mu on the attack set, AE over VAE at"
                        + " the same stp.",
                "holds if every ratio is in [2, 4.5], mixed if one is in [1.5, 6] but not [2, 4.5], does not hold"
                        + " otherwise.",
                parts.isEmpty() ? "no AE and VAE at equal stp" : String.join("; ", parts),
                total == 0 ? Verdict.NOT_RUN : worst);
    }

    static TreeSet<Double> stps(List<Results.Row> rows, Family family) {
        TreeSet<Double> s = new TreeSet<>();
        rows.stream().filter(family(family)).map(Results.Row::stp).filter(Objects::nonNull).forEach(s::add);
        return s;
    }

    /** A family's name in a finding's words: DAE. */
    private static String upper(Family f) {
        return f.label().toUpperCase(Locale.ROOT);
    }

    /** The rows grouped by dataset, in order of appearance. */
    public static Map<DatasetId, List<Results.Row>> byDataset(List<Results.Row> rows) {
        Map<DatasetId, List<Results.Row>> m = new LinkedHashMap<>();
        for (Results.Row r : rows) {
            m.computeIfAbsent(r.dataset(), k -> new ArrayList<>()).add(r);
        }
        return m;
    }
}
