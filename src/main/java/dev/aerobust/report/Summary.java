package dev.aerobust.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.sweep.Results;

/**
 * The report's numbers as Markdown ({@code summary.md} beside {@code report.html}): the notes, then per dataset
 * the findings table under both attack columns, robust accuracy per defense and eps (the study's attack and the
 * worst case), and the figures as links to their PNGs. For documents that show a run's results (a README, a
 * paper's notes) without anyone copying a number by hand.
 */
final class Summary {

    private Summary() {
    }

    static String markdown(StudyReport.Input in, List<StudyReport.Figure> figures) {
        StringBuilder md = new StringBuilder("# ").append(in.title()).append("\n\n");
        for (String n : in.notes()) {
            md.append(n).append("\n\n");
        }
        for (Map.Entry<DatasetId, List<Results.Row>> ds : Findings.byDataset(in.rows()).entrySet()) {
            List<Results.Row> rows = ds.getValue();
            String d = ds.getKey().cliName();
            md.append("## ").append(d).append("\n\n");
            findings(md, rows);
            accuracy(md, rows);
            blackBox(md, in.checks().stream().filter(c -> ds.getKey() == c.square().dataset()).toList());
            md.append("### Figures\n\n");
            for (StudyReport.Figure f : figures) {
                if (f.dataset().equals(d)) {
                    md.append("![").append(cell(f.caption())).append("](").append(f.stem()).append(".png)\n");
                }
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void findings(StringBuilder md, List<Results.Row> rows) {
        StudyReport.FindingColumns columns = StudyReport.FindingColumns.of(rows);
        List<Findings.Finding> study = columns.study();
        List<Findings.Finding> worst = columns.worst();
        md.append("### The study's findings\n\n| finding | test | study's attack (CW-Linf) | ")
                .append(cell(StudyReport.worstHeading(rows))).append(" |\n|---|---|---|---|\n");
        for (int i = 0; i < study.size(); i++) {
            Findings.Finding a = study.get(i);
            Findings.Finding b = worst.get(i);
            md.append("| ").append(cell(a.claim())).append(" | ").append(cell(a.test())).append(" | ")
                    .append(verdict(a)).append(" | ").append(verdict(b)).append(" |\n");
        }
        if (!columns.anyWorst()) {
            md.append('\n').append(StudyReport.FindingColumns.NO_WORST).append('\n');
        }
        md.append("\nThe rules:\n\n");
        for (Findings.Finding f : study) {
            md.append("- ").append(f.claim().replaceAll("\\.$", "")).append(": ").append(f.rule()).append('\n');
        }
        md.append('\n');
    }

    /** The gradient-free checks: the sentence, and a line per (defense, eps). */
    private static void blackBox(StringBuilder md, List<Results.BlackBoxCheck> checks) {
        md.append("### Gradient-free check\n\n").append(StudyReport.blackBoxSummary(checks)).append("\n\n");
        if (checks.isEmpty()) {
            return;
        }
        md.append("| defense | eps | images | Square | gradient attacks on the same images | over |\n"
                + "|---|---|---|---|---|---|\n");
        for (Results.BlackBoxCheck c : checks) {
            md.append("| ").append(cell(label(c.square()))).append(" | ").append(trim(c.square().eps())).append(" | ")
                    .append(c.square().n()).append(" | ").append(fmt(c.square().robustAccuracy()))
                    .append(c.masked() ? " (below: gradients may be masked)" : "").append(" | ").append(fmt(c.whiteBox()))
                    .append(" | ").append(cell(c.covers().replace("+", ", "))).append(" |\n");
        }
        md.append('\n');
    }

    private static String verdict(Findings.Finding f) {
        return "**" + f.verdict().text() + "**" + (f.measured().isEmpty() ? "" : ": " + cell(f.measured()));
    }

    /**
     * Robust accuracy per defense (model, defense, latent scale) and eps: "study / worst" where the worst case
     * exists, the study's attack alone where it does not. Eps 0 is the clean accuracy of the stack.
     */
    private static void accuracy(StringBuilder md, List<Results.Row> rows) {
        TreeSet<Double> eps = new TreeSet<>();
        Map<String, Map<Double, Double[]>> table = new LinkedHashMap<>();
        boolean seeds = rows.stream().mapToLong(Results.Row::seed).distinct().count() > 1;
        for (Results.Row r : rows) {
            int col = StudyReport.study(r) ? 0 : r.worstCase() ? 1 : -1;
            if (col < 0) {
                continue;
            }
            eps.add(r.eps());
            table.computeIfAbsent(label(r) + (seeds ? ", seed " + r.seed() : ""), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.eps(), k -> new Double[2])[col] = r.robustAccuracy();
        }
        if (table.isEmpty()) {
            return;
        }
        md.append("### Robust accuracy (study's attack / ").append(StudyReport.worstHeading(rows))
                .append(")\n\n| defense |");
        for (double e : eps) {
            md.append(e == 0 ? " clean |" : String.format(Locale.ROOT, " eps %s |", trim(e)));
        }
        md.append("\n|---|").append("---|".repeat(eps.size())).append('\n');
        table.forEach((label, byEps) -> {
            md.append("| ").append(cell(label)).append(" |");
            for (double e : eps) {
                Double[] v = byEps.get(e);
                md.append(' ').append(v == null || v[0] == null ? "" : fmt(v[0]))
                        .append(v == null || v[1] == null || e == 0 ? "" : " / **" + fmt(v[1]) + "**").append(" |");
            }
            md.append('\n');
        });
        md.append("\nSampled defenses: means over the sampling draws; the worst case counts an image as robust only"
                + " if every attack, at every draw, left it correct.\n\n");
    }

    /** A defense's name: family, stp, alpha, denoising, and the sampled defense's latent scale. */
    static String label(Results.Row r) {
        if (r.family() == null) {
            return r.imported() ? r.model() : "no defense";
        }
        StringBuilder s = new StringBuilder(r.family().label().toUpperCase(Locale.ROOT));
        if (r.stp() != null) {
            s.append(" stp ").append(trim(r.stp()));
        }
        if (r.alpha() != null) {
            s.append(" alpha ").append(trim(r.alpha()));
        }
        if (Boolean.TRUE.equals(r.denoising()) && r.family().contractive()) {
            s.append(" denoising");
        }
        if (r.defense() == DefendedClassifier.Mode.SAMPLED) {
            s.append(", sampled s = ").append(trim(Objects.requireNonNullElse(r.scale(), 1.0)));
        }
        return s.toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Text made safe for a table cell. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
