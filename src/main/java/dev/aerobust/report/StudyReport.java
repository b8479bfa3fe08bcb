package dev.aerobust.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.aerobust.attack.AttackKind;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier.Mode;
import dev.aerobust.model.Family;
import dev.aerobust.store.ModelMeta;
import dev.aerobust.store.ModelStore;
import dev.aerobust.store.Provenance;
import dev.aerobust.sweep.Results;
import dev.aerobust.util.Atomic;

/**
 * The study's report: Figures 1 to 5, the diameters of the sets of mu, and the findings table, each figure drawn
 * for the study's attack (CW-Linf) and for the per-image worst case over every attack run, with the undefended
 * classifier as baseline; then the sanity warnings and the provenance of every model and run. One self-contained
 * HTML page (figures embedded), plus each figure as PNG and SVG beside it. Every number comes from the records.
 */
public final class StudyReport {

    /** The study's attack. */
    public static final AttackKind STUDY_ATTACK = AttackKind.CW_LINF;

    /** Whether a row is the study's attack's. */
    static boolean study(Results.Row r) {
        return r.attack() == STUDY_ATTACK;
    }

    /**
     * What the report is made of.
     *
     * @param title    the page's title
     * @param rows     the tidy results ({@link Results})
     * @param models   the {@code meta.json} of every model, with its folder
     * @param warnings sanity warnings, each with the run it came from
     * @param notes    lines shown under the title (profile, wall time)
     * @param fig5Eps  the eps of Figure 5
     * @param checks   the gradient-free checks (Square against the gradient attacks on the same images)
     */
    public record Input(String title, List<Results.Row> rows, Map<String, ModelMeta> models,
                        Map<String, List<String>> warnings, List<String> notes, double fig5Eps,
                        List<Results.BlackBoxCheck> checks) {

        /** A report without gradient-free checks. */
        public Input(String title, List<Results.Row> rows, Map<String, ModelMeta> models,
                     Map<String, List<String>> warnings, List<String> notes, double fig5Eps) {
            this(title, rows, models, warnings, notes, fig5Eps, List.of());
        }
    }

    /** A figure drawn into the report: its dataset, file stem, caption and PNG. */
    record Figure(String dataset, String stem, String caption, byte[] png) {
    }

    private StudyReport() {
    }

    /** The Markdown summary written beside the page ({@link Summary}). */
    public static final String SUMMARY = "summary.md";

    /** Writes {@code report.html}, the figures and {@code summary.md} into {@code dir}; returns the page's path. */
    public static Path write(Input in, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(in.title()))
                .append("</title><style>body{font-family:sans-serif;max-width:1340px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                        + "text-align:left;vertical-align:top}th{background:#f4f4f4}.fig{display:inline-block;"
                        + "margin:4px}.holds{background:#e3f4e3}.mixed{background:#fff4d6}.does-not-hold{background:"
                        + "#fbe1e1}.not-in-these-runs{color:#888}small{color:#666}</style></head><body>");
        h.append("<h1>").append(esc(in.title())).append("</h1>");
        for (String n : in.notes()) {
            h.append("<p>").append(esc(n)).append("</p>");
        }
        classifiers(h, in.models());
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<DatasetId, List<Results.Row>> ds : Findings.byDataset(in.rows()).entrySet()) {
            String d = ds.getKey().cliName();
            List<Results.Row> rows = ds.getValue();
            h.append("<h2>").append(esc(d)).append("</h2>");
            section(h, figures, dir, d, rows, "1", "AE and DAE: robust accuracy against eps, one curve per stp",
                    List.of(Family.AE, Family.DAE), DETERMINISTIC, r -> "stp " + r.stp());
            section(h, figures, dir, d, rows, "2", "VAE and DVAE: robust accuracy against eps, one curve per stp ("
                    + (fig2Sampled(rows) ? "the sampled defense at s = 1, a band of one std over sampling seeds"
                            : "the deterministic defense z = mu: the sampled one at s = 1 was not run at two stp values")
                    + ")", List.of(Family.VAE, Family.DVAE), fig2(rows), r -> "stp " + r.stp());
            section(h, figures, dir, d, rows, "3", "VAE and DVAE at stp 0.4: one curve per latent scale s",
                    List.of(Family.VAE, Family.DVAE), r -> r.defense() == Mode.SAMPLED && r.stp() != null
                            && Math.abs(r.stp() - 0.4) < 1e-9, r -> "s " + r.scale());
            section(h, figures, dir, d, rows, "4", "CAE and CVAE at stp 0.1: one curve per penalty alpha",
                    List.of(Family.CAE, Family.CVAE), r -> r.defense() == Mode.DETERMINISTIC && r.stp() != null
                            && Math.abs(r.stp() - 0.1) < 1e-9, r -> "alpha " + r.alpha());
            figure5(h, figures, dir, d, rows, in.fig5Eps());
            diameters(h, rows);
            findings(h, rows);
            blackBox(h, in.checks().stream().filter(c -> ds.getKey() == c.square().dataset()).toList());
            imported(h, figures, dir, d, rows);
        }
        warnings(h, in.warnings());
        provenance(h, in.models(), in.rows());
        // a browser marks how many figures it decoded: a check for whoever opens (or tests) the page
        h.append("<p id=\"figure-check\"><small>").append(figures.size()).append(" figures</small></p><script>"
                + "window.addEventListener('load',function(){var im=document.querySelectorAll('img.figure'),ok=0;"
                + "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0){ok++;}}"
                + "document.body.setAttribute('data-figures-loaded',ok);"
                + "document.body.setAttribute('data-figures',im.length);});</script>");
        h.append("</body></html>\n");
        Path out = dir.resolve("report.html");
        Atomic.writeString(out, h.toString());
        Atomic.writeString(dir.resolve(SUMMARY), Summary.markdown(in, figures));
        return out;
    }

    /** The classifiers' clean test accuracy per dataset: each seed's, and the mean and std over seeds. */
    private static void classifiers(StringBuilder h, Map<String, ModelMeta> models) {
        Map<String, List<double[]>> byDataset = new TreeMap<>();
        for (ModelMeta m : models.values()) {
            if (m.kind() == ModelMeta.Kind.CLASSIFIER && m.metrics() != null && m.metrics().cleanAccuracy() != null) {
                double seed = m.provenance() == null ? 0 : m.provenance().seed();
                byDataset.computeIfAbsent(m.dataset().cliName(), k -> new ArrayList<>()).add(new double[] {seed,
                    m.metrics().cleanAccuracy()});
            }
        }
        if (byDataset.isEmpty()) {
            return;
        }
        h.append("<h2>Classifiers</h2><table><tr><th>dataset</th><th>clean test accuracy by seed</th>"
                + "<th>mean</th><th>std over seeds</th></tr>");
        byDataset.forEach((d, v) -> {
            v.sort(Comparator.comparingDouble(x -> x[0]));
            double mean = v.stream().mapToDouble(x -> x[1]).average().orElse(0);
            double std = v.size() > 1 ? Math.sqrt(v.stream().mapToDouble(x -> (x[1] - mean) * (x[1] - mean)).sum()
                    / (v.size() - 1)) : 0;
            h.append("<tr><td>").append(esc(d)).append("</td><td>").append(esc(v.stream().map(x -> String.format(
                    Locale.ROOT, "seed %d: %.4f", (long) x[0], x[1])).collect(java.util.stream.Collectors.joining(
                    ", ")))).append(String.format(Locale.ROOT, "</td><td>%.4f</td><td>%s</td></tr>", mean,
                    v.size() > 1 ? String.format(Locale.ROOT, "%.4f", std) : "(one seed)"));
        });
        h.append("</table>");
    }

    /**
     * Figure 2 uses the sampled defense at s = 1 where it was run at two stp values or more, else the
     * deterministic one.
     */
    private static boolean fig2Sampled(List<Results.Row> rows) {
        return rows.stream().filter(r -> (r.family() == Family.VAE || r.family() == Family.DVAE)
                && r.defense() == Mode.SAMPLED && r.scale() != null && r.scale() == 1.0).map(Results.Row::stp)
                .distinct().count() >= 2;
    }

    private static Predicate<Results.Row> fig2(List<Results.Row> rows) {
        return fig2Sampled(rows) ? r -> r.defense() == Mode.SAMPLED && r.scale() != null && r.scale() == 1.0
                : DETERMINISTIC;
    }

    private static final Predicate<Results.Row> DETERMINISTIC = r -> r.defense() == Mode.DETERMINISTIC;

    /** The undefended classifier's rows: every figure's baseline. */
    private static boolean baseline(Results.Row r) {
        return r.family() == null && !r.imported();
    }

    /** One figure of robust accuracy against eps: for each family, the study's attack and the worst case. */
    private static void section(StringBuilder h, List<Figure> figures, Path dir, String dataset,
                                List<Results.Row> rows, String number, String caption, List<Family> families,
                                Predicate<Results.Row> select, Function<Results.Row, String> curve)
            throws IOException {
        h.append("<h3>Figure ").append(number).append(". ").append(esc(caption)).append("</h3>");
        boolean any = false;
        for (Family f : families) {
            for (boolean worst : new boolean[] {false, true}) {
                Predicate<Results.Row> column = r -> worst ? r.worstCase() : study(r);
                List<Results.Row> sel = rows.stream().filter(r -> f == r.family()).filter(column).filter(select)
                        .toList();
                if (sel.isEmpty()) {
                    continue;
                }
                any = true;
                Map<String, List<Results.Row>> byCurve = new TreeMap<>();
                for (Results.Row r : sel) {
                    byCurve.computeIfAbsent(curve.apply(r), k -> new ArrayList<>()).add(r);
                }
                List<Charts.Curve> curves = new ArrayList<>();
                byCurve.forEach((label, rs) -> curves.add(new Charts.Curve(label, points(rs), false)));
                List<Results.Row> base = rows.stream().filter(StudyReport::baseline).filter(column).toList();
                if (!base.isEmpty()) {
                    curves.add(new Charts.Curve("no defense", points(base), true));
                }
                String title = String.format("Figure %s, %s: %s", number, dataset, f.label().toUpperCase(Locale.ROOT));
                String sub = worst ? "worst case over " + sel.get(0).covers().replace("+", ", ")
                        : "the study's attack, CW-Linf";
                Charts.Rendered r = Charts.lines(title, sub, "eps (L-infinity, [0, 1] pixels)", "robust accuracy",
                        curves, true);
                String stem = String.format("fig%s-%s-%s-%s", number, dataset, f.label(), worst ? "worst" : "study");
                emit(h, figures, dir, dataset, stem, title + ", " + sub, r);
            }
        }
        if (!any) {
            h.append("<p class=\"not-in-these-runs\">Not in these runs.</p>");
        }
    }

    /**
     * The imported TorchScript modules the sweep attacked (none of the study's figures): per model and
     * classifier, robust accuracy against eps under every attack run and their worst case, beside the sweep's
     * undefended classifier under the study's attack.
     */
    private static void imported(StringBuilder h, List<Figure> figures, Path dir, String dataset,
                                 List<Results.Row> rows) throws IOException {
        Map<String, List<Results.Row>> byModel = new TreeMap<>();
        for (Results.Row r : rows) {
            if (r.imported()) {
                String key = r.defense() == Mode.NONE ? r.model() : r.model() + " on " + r.classifier();
                byModel.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            }
        }
        if (byModel.isEmpty()) {
            return;
        }
        h.append("<h3>Imported models</h3><p>Modules imported with <code>aerobust import</code>, attacked as they"
                + " are (an autoencoder on the classifier named, or on the sweep's).</p>");
        List<Results.Row> base = rows.stream().filter(r -> baseline(r) && study(r)).toList();
        for (Map.Entry<String, List<Results.Row>> e : byModel.entrySet()) {
            Map<String, List<Results.Row>> byAttack = new TreeMap<>();
            for (Results.Row r : e.getValue()) {
                byAttack.computeIfAbsent(r.worstCase() ? "worst case" : r.attack().label(),
                        k -> new ArrayList<>()).add(r);
            }
            List<Charts.Curve> curves = new ArrayList<>();
            byAttack.forEach((label, rs) -> curves.add(new Charts.Curve(label, points(rs), false)));
            if (!base.isEmpty()) {
                curves.add(new Charts.Curve("no defense (the sweep's classifier, CW-Linf)", points(base), true));
            }
            String title = "Imported, " + dataset + ": " + e.getKey();
            Charts.Rendered r = Charts.lines(title, "every attack run, and their per-image worst case",
                    "eps (L-infinity, [0, 1] pixels)", "robust accuracy", curves, true);
            String stem = "imported-" + dataset + "-" + e.getValue().get(0).model()
                    + (e.getValue().get(0).defense() == Mode.NONE ? "" : "-on-" + e.getValue().get(0).classifier());
            emit(h, figures, dir, dataset, stem, title, r);
        }
    }

    private static List<Charts.Point> points(List<Results.Row> rows) {
        // several rows at one eps (seeds): their mean, and the std over them or the sampling std
        Map<Double, List<Results.Row>> byEps = new TreeMap<>();
        for (Results.Row r : rows) {
            byEps.computeIfAbsent(r.eps(), k -> new ArrayList<>()).add(r);
        }
        List<Charts.Point> out = new ArrayList<>();
        byEps.forEach((e, rs) -> {
            double mean = rs.stream().mapToDouble(Results.Row::robustAccuracy).average().orElse(0);
            double std = rs.size() > 1 ? Math.sqrt(rs.stream().mapToDouble(r -> Math.pow(r.robustAccuracy() - mean, 2))
                    .sum() / (rs.size() - 1)) : rs.get(0).robustAccuracyStd() == null ? 0 : rs.get(0).robustAccuracyStd();
            out.add(new Charts.Point(e, mean, std));
        });
        return out;
    }

    private static void emit(StringBuilder h, List<Figure> figures, Path dir, String dataset, String stem,
                             String caption, Charts.Rendered r) throws IOException {
        Files.write(dir.resolve(stem + ".png"), r.png());
        Atomic.writeString(dir.resolve(stem + ".svg"), r.svg());
        figures.add(new Figure(dataset, stem, caption, r.png()));
        h.append("<div class=\"fig\"><img class=\"figure\" id=\"").append(esc(stem)).append("\" alt=\"")
                .append(esc(caption)).append("\" width=\"").append(Charts.WIDTH).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(r.png())).append("\"><br><small>").append(esc(caption))
                .append(" (<a href=\"").append(esc(stem)).append(".png\">PNG</a>, <a href=\"").append(esc(stem))
                .append(".svg\">SVG</a>)</small></div>");
    }

    /** Figure 5: cos(mu, mu*) and |mu*| / |mu| against stp at one eps, every family, d0/d1 (denoising or not). */
    private static void figure5(StringBuilder h, List<Figure> figures, Path dir, String dataset,
                                List<Results.Row> rows, double eps) throws IOException {
        h.append("<h3>Figure 5. Latent statistics against stp at eps ").append(eps)
                .append(", the study's attack: cos(mu, mu*) and |mu*| / |mu|</h3>");
        List<Results.Row> sel = rows.stream().filter(r -> study(r) && r.defense() == Mode.DETERMINISTIC
                && r.stp() != null && r.cosMuMuAdv() != null
                && Math.abs(r.eps() - eps) < 1e-9).toList();
        if (sel.isEmpty()) {
            h.append("<p class=\"not-in-these-runs\">Not in these runs.</p>");
            return;
        }
        for (String stat : List.of("cos", "ratio")) {
            Map<String, TreeMap<Double, List<Double>>> byCurve = new TreeMap<>();
            for (Results.Row r : sel) {
                String label = r.familyName().toUpperCase(Locale.ROOT) + " (d" + (Boolean.TRUE.equals(r.denoising()) ? 1 : 0)
                        + (r.alpha() != null ? ", alpha " + r.alpha() : "") + ")";
                byCurve.computeIfAbsent(label, k -> new TreeMap<>()).computeIfAbsent(r.stp(), k -> new ArrayList<>())
                        .add(stat.equals("cos") ? r.cosMuMuAdv() : r.normRatio());
            }
            List<Charts.Curve> curves = new ArrayList<>();
            byCurve.forEach((label, m) -> {
                List<Charts.Point> pts = new ArrayList<>();
                m.forEach((s, v) -> pts.add(new Charts.Point(s, v.stream().mapToDouble(Double::doubleValue).average()
                        .orElse(0), 0)));
                curves.add(new Charts.Curve(label, pts, false));
            });
            String what = stat.equals("cos") ? "cos(mu, mu*)" : "|mu*| / |mu|";
            String title = "Figure 5, " + dataset + ": " + what + " at eps " + eps;
            Charts.Rendered r = Charts.lines(title, "mean over the attacked images, CW-Linf", "stp (study units)", what,
                    curves, false);
            emit(h, figures, dir, dataset, "fig5-" + dataset + "-" + stat, title, r);
        }
    }

    /** The diameter of the set of mu (clean), per family and stp. */
    private static void diameters(StringBuilder h, List<Results.Row> rows) {
        h.append("<h3>Diameters of the sets of latent means</h3>");
        Map<String, TreeMap<Double, List<double[]>>> m = new TreeMap<>();
        for (Results.Row r : rows) {
            if (r.diameterMu() != null && r.stp() != null && study(r)) {
                m.computeIfAbsent(r.familyName() + (r.alpha() != null ? " alpha " + r.alpha() : ""), k -> new TreeMap<>())
                        .computeIfAbsent(r.stp(), k -> new ArrayList<>())
                        .add(new double[] {r.diameterMu(), r.diameterMuAdv() == null ? Double.NaN : r.diameterMuAdv(),
                            r.eps()});
            }
        }
        if (m.isEmpty()) {
            h.append("<p class=\"not-in-these-runs\">Not in these runs.</p>");
            return;
        }
        h.append("<table><tr><th>family</th><th>stp</th><th>diameter of mu (clean)</th>"
                + "<th>diameter of mu* at the largest eps</th></tr>");
        m.forEach((f, byStp) -> byStp.forEach((s, v) -> {
            double clean = v.stream().mapToDouble(x -> x[0]).average().orElse(Double.NaN);
            double maxEps = v.stream().mapToDouble(x -> x[2]).max().orElse(0);
            double adv = v.stream().filter(x -> x[2] == maxEps).mapToDouble(x -> x[1]).average().orElse(Double.NaN);
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%.2f</td></tr>",
                    esc(f.toUpperCase(Locale.ROOT)), s, clean, adv));
        }));
        h.append("</table>");
    }

    /** The findings under the study's attack and under the worst case: the two columns of the findings table. */
    record FindingColumns(List<Findings.Finding> study, List<Findings.Finding> worst, boolean anyWorst) {

        /** Said under the table where no model had a second attack, so the worst-case column rests on no run. */
        static final String NO_WORST = "No model had two attacks: the worst-case column equals no run.";

        static FindingColumns of(List<Results.Row> rows) {
            List<Results.Row> worst = worstWithLatents(rows);
            return new FindingColumns(Findings.of(rows.stream().filter(StudyReport::study).toList()),
                    Findings.of(worst), !worst.isEmpty());
        }
    }

    /** The gradient-free check's sentence: what Square ran on, and whether it found what the gradients missed. */
    static String blackBoxSummary(List<Results.BlackBoxCheck> checks) {
        if (checks.isEmpty()) {
            return "No gradient-free attack ran: nothing here checks the gradient attacks for masking.";
        }
        long masked = checks.stream().filter(Results.BlackBoxCheck::masked).count();
        java.util.Set<String> defenses = new java.util.TreeSet<>();
        checks.forEach(c -> defenses.add(Summary.label(c.square())));
        return String.format(Locale.ROOT, "Square (no gradients) ran on %d defense(s) (%s) at %d (defense, eps)"
                + " points, each on its images against the gradient attacks' worst case on the same images: %s.",
                defenses.size(), String.join("; ", defenses), checks.size(), masked == 0
                        ? "it never left fewer images correct than the gradient attacks (beyond one image), so no sign"
                        + " of gradient masking"
                        : masked + " point(s) where it left fewer images correct than the gradient attacks: their"
                        + " gradients may be masked (see the table)");
    }

    private static void blackBox(StringBuilder h, List<Results.BlackBoxCheck> checks) {
        h.append("<h3>Gradient-free check</h3><p>").append(esc(blackBoxSummary(checks))).append("</p>");
        if (checks.isEmpty()) {
            return;
        }
        h.append("<table><tr><th>defense</th><th>eps</th><th>images</th><th>Square</th><th>gradient attacks'"
                + " worst case on the same images</th><th>over</th><th></th></tr>");
        for (Results.BlackBoxCheck c : checks) {
            h.append("<tr><td>").append(esc(Summary.label(c.square()))).append("</td><td>").append(c.square().eps())
                    .append("</td><td>").append(c.square().n()).append("</td><td>").append(String.format(Locale.ROOT,
                            "%.3f", c.square().robustAccuracy())).append("</td><td>").append(String.format(Locale.ROOT,
                            "%.3f", c.whiteBox())).append("</td><td><small>").append(esc(c.covers().replace("+", ", ")))
                    .append("</small></td><td>").append(c.masked() ? "<b>gradients may be masked</b>" : "")
                    .append("</td></tr>");
        }
        h.append("</table>");
    }

    /**
     * What the worst-case column is over, for its heading: the attacks each kind of defense's worst case covers
     * ("worst case over cw-linf, apgd-ce, apgd-t (targets 3); sampled defenses: ..."), from the rows' own
     * {@code covers}; "worst case" alone where no row has one.
     */
    static String worstHeading(List<Results.Row> rows) {
        Map<String, java.util.TreeSet<String>> byKind = new LinkedHashMap<>();
        for (Results.Row r : rows) {
            if (r.worstCase() && r.covers() != null) {
                String kind = r.defense() == Mode.SAMPLED ? "sampled defenses" : r.defense() == Mode.NONE
                        ? "the undefended classifier" : "deterministic defenses";
                byKind.computeIfAbsent(kind, k -> new java.util.TreeSet<>()).add(r.covers().replace("+", ", "));
            }
        }
        if (byKind.isEmpty()) {
            return "worst case";
        }
        java.util.Set<String> all = new java.util.TreeSet<>();
        byKind.values().forEach(all::addAll);
        if (all.size() == 1) {
            return "worst case over " + all.iterator().next();
        }
        List<String> parts = new ArrayList<>();
        byKind.forEach((kind, covers) -> parts.add(kind + ": " + String.join(" or ", covers)));
        return "worst case over every attack run (" + String.join("; ", parts) + ")";
    }

    /** The findings table: each finding under the study's attack and under the worst case. */
    private static void findings(StringBuilder h, List<Results.Row> rows) {
        h.append("<h3>The study's findings</h3><p>Each verdict is computed from the records by the rule shown;"
                + " the mean robust accuracy is over the eps values above 0. The worst case is per image over every"
                + " attack run on the model (a point counts as robust only if every attack left it correct).</p>");
        FindingColumns columns = FindingColumns.of(rows);
        List<Findings.Finding> a = columns.study();
        List<Findings.Finding> b = columns.worst();
        h.append("<table class=\"findings\"><tr><th>finding</th><th>test</th><th>rule</th>"
                + "<th>study's attack (CW-Linf)</th><th>").append(esc(worstHeading(rows))).append("</th></tr>");
        for (int i = 0; i < a.size(); i++) {
            Findings.Finding x = a.get(i);
            Findings.Finding y = b.get(i);
            h.append("<tr><td>").append(esc(x.claim())).append("</td><td>").append(esc(x.test())).append("</td><td>")
                    .append(esc(x.rule())).append("</td>");
            for (Findings.Finding f : List.of(x, y)) {
                String cls = f.verdict().text().replace(' ', '-');
                h.append("<td class=\"").append(cls).append("\"><b>").append(esc(f.verdict().text()))
                        .append("</b><br><small>").append(esc(f.measured())).append("</small></td>");
            }
            h.append("</tr>");
        }
        h.append("</table>");
        if (!columns.anyWorst()) {
            h.append("<p>").append(FindingColumns.NO_WORST).append("</p>");
        }
    }

    /**
     * The worst-case rows, with the clean diameters of the study's rows carried over (a worst case has no latent
     * statistics of its own; the diameter of the clean means does not depend on the attack).
     */
    static List<Results.Row> worstWithLatents(List<Results.Row> rows) {
        Map<String, Double> diam = new LinkedHashMap<>();
        for (Results.Row r : rows) {
            if (study(r) && r.diameterMu() != null) {
                diam.put(r.model() + "|" + r.defense() + "|" + r.scale(), r.diameterMu());
            }
        }
        List<Results.Row> out = new ArrayList<>();
        for (Results.Row r : rows) {
            if (r.worstCase()) {
                out.add(new Results.Row(r.sweep(), r.dataset(), r.model(), r.family(), r.imported(), r.stp(), r.alpha(),
                        r.denoising(), r.classifier(), r.defense(), r.scale(), r.attack(), r.eps(), r.seed(), r.n(),
                        r.robustAccuracy(), r.robustAccuracyStd(), r.attackSuccessRate(), r.maxLinf(), r.maxL2(),
                        null, null, diam.get(r.model() + "|" + r.defense() + "|" + r.scale()), null,
                        r.attackSeconds(), r.reusedRows(), r.covers(), r.record(), r.checked()));
            }
        }
        return out;
    }

    private static void warnings(StringBuilder h, Map<String, List<String>> warnings) {
        h.append("<h2>Sanity checks</h2>");
        long n = warnings.values().stream().mapToLong(List::size).sum();
        if (n == 0) {
            h.append("<p>No warning in any run.</p>");
            return;
        }
        h.append("<p>").append(n).append(" warning(s) (Carlini et al. 2019, \"On Evaluating Adversarial"
                + " Robustness\"):</p><ul>");
        warnings.forEach((run, ws) -> ws.forEach(w -> h.append("<li><small>").append(esc(run))
                .append("</small><br>").append(esc(w)).append("</li>")));
        h.append("</ul>");
    }

    private static void provenance(StringBuilder h, Map<String, ModelMeta> models, List<Results.Row> rows) {
        h.append("<h2>Provenance</h2><h3>Models</h3><table><tr><th>id</th><th>kind</th><th>settings</th>"
                + "<th>epochs</th><th>metrics</th><th>made with</th></tr>");
        models.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            ModelMeta m = e.getValue();
            StringBuilder settings = new StringBuilder();
            if (m.config() != null) {
                m.config().values().forEach((k, v) -> settings.append(k).append('=').append(v).append(' '));
            }
            StringBuilder metrics = new StringBuilder();
            if (m.metrics() != null) {
                ModelStore.JSON.valueToTree(m.metrics()).fields().forEachRemaining(x -> {
                    if (x.getValue().isNumber() && !"test_images".equals(x.getKey())) {
                        metrics.append(x.getKey()).append(' ')
                                .append(String.format(Locale.ROOT, "%.4f", x.getValue().asDouble())).append("<br>");
                    }
                });
            }
            Provenance p = m.provenance();
            String made = p == null ? "" : "seed " + p.seed() + ", " + p.versions().get("aerobust") + " / libtorch "
                    + p.versions().get("libtorch") + ", dataset " + String.valueOf(p.datasetChecksum()).substring(0,
                    Math.min(12, String.valueOf(p.datasetChecksum()).length()));
            h.append("<tr><td><a href=\"file://").append(esc(e.getKey())).append("\">")
                    .append(esc(m.id())).append("</a></td><td>")
                    .append(esc(m.family() != null ? m.family().label() : m.kind().label()))
                    .append("</td><td style=\"max-width:420px\"><small>").append(esc(settings.toString().trim()))
                    .append("</small></td><td>")
                    .append(m.training() == null ? "" : String.valueOf(m.training().epochs())).append("</td><td><small>")
                    .append(metrics).append("</small></td><td><small>").append(esc(made)).append("</small></td></tr>");
        });
        h.append("</table><h3>Attack records</h3><table><tr><th>model</th><th>defense</th><th>attack</th>"
                + "<th>eps</th><th>robust accuracy</th><th>record</th></tr>");
        rows.stream().filter(r -> r.record() != null)
                .sorted(Comparator.comparing(Results.Row::model).thenComparing(Results.Row::attackName)
                        .thenComparingDouble(Results.Row::eps))
                .forEach(r -> h.append(String.format(Locale.ROOT,
                        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.4f</td><td><a href=\"file://%s\">"
                                + "<small>%s</small></a></td></tr>", esc(r.model()), esc(r.defense().label()
                                + (r.scale() != null ? " s=" + r.scale() : "")), esc(r.attackName()), r.eps(),
                        r.robustAccuracy(), esc(r.record()), esc(Path.of(r.record()).getFileName().toString()))));
        h.append("</table>");
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
