package dev.aerobust.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.sweep.Results;

/**
 * Each finding compares groups that differ in the one setting it studies, and its numbers are the report's own:
 * on results shaped like the paper profile's (the sampled defense at s = 1 at every stp but s = 8 at stp 0.4 alone;
 * the contractive families at alpha 0.1, plain and denoising, beside AE, DAE, VAE and DVAE), every difference a
 * finding states is recomputed from the robust-accuracy table of {@code summary.md}.
 */
class FindingsTest {

    @TempDir
    Path tmp;

    private static final double[] EPS = {0, 0.1, 0.2, 0.3};

    private static Results.Row row(String family, double stp, Double alpha, boolean denoising, String defense,
                                   Double scale, double eps, double acc) {
        String model = family + "-" + stp + "-" + alpha + "-" + denoising;
        return new Results.Row("t", dev.aerobust.data.DatasetId.MNIST, model, dev.aerobust.model.Family.parse(family),
                false, stp, alpha, denoising, "classifier-mnist-x",
                dev.aerobust.defense.DefendedClassifier.Mode.parse(defense), scale, dev.aerobust.attack.AttackKind.CW_LINF,
                eps, 0, 100, acc, 0.0, 1 - acc, eps, eps * 5, null, null, null, null, 1.0, null,
                null, "/tmp/r/eps.json", true);
    }

    /** An accuracy curve whose level each model sets apart, so that every comparison has its own answer. */
    private static double acc(double level, double eps) {
        return Math.max(0, Math.min(1, 0.98 - eps * (2.5 - level)));
    }

    /**
     * The paper profile's shape: AE, DAE, VAE, DVAE at stp 0.1 to 0.4; the sampled defense at s = 1 at every stp,
     * at s = 2, 4 and 8 at stp 0.4 alone (and much worse, so that averaging s = 1 over every stp would show); CAE
     * and CVAE at alpha 0.1, plain and denoising, at every stp (the denoising ones better, so that averaging them
     * in would show).
     */
    static List<Results.Row> paperShaped() {
        List<Results.Row> rows = new ArrayList<>();
        double[] stps = {0.1, 0.2, 0.3, 0.4};
        for (double e : EPS) {
            for (int k = 0; k < stps.length; k++) {
                double s = stps[k];
                rows.add(row("ae", s, null, false, "deterministic", null, e, acc(0.2 + 0.05 * k, e)));
                rows.add(row("dae", s, null, true, "deterministic", null, e, acc(0.3 + 0.09 * k, e)));
                rows.add(row("vae", s, null, false, "deterministic", null, e, acc(0.25 + 0.07 * k, e)));
                rows.add(row("dvae", s, null, true, "deterministic", null, e, acc(0.4 + 0.11 * k, e)));
                rows.add(row("vae", s, null, false, "sampled", 1.0, e, acc(0.5 + 0.1 * k, e)));
                rows.add(row("dvae", s, null, true, "sampled", 1.0, e, acc(0.6 + 0.13 * k, e)));
                rows.add(row("cae", s, 0.1, false, "deterministic", null, e, acc(0.23 + 0.06 * k, e)));
                rows.add(row("cae", s, 0.1, true, "deterministic", null, e, acc(0.9 + 0.02 * k, e)));
                rows.add(row("cvae", s, 0.1, false, "deterministic", null, e, acc(0.28 + 0.05 * k, e)));
                rows.add(row("cvae", s, 0.1, true, "deterministic", null, e, acc(1.0 + 0.01 * k, e)));
            }
            for (double scale : new double[] {2, 4, 8}) {
                rows.add(row("vae", 0.4, null, false, "sampled", scale, e, 0.3 / scale + acc(0.6, e) * 0.2));
                rows.add(row("dvae", 0.4, null, true, "sampled", scale, e, 0.35 / scale + acc(0.7, e) * 0.2));
            }
            rows.add(row("cae", 0.1, 1.0, false, "deterministic", null, e, acc(0.35, e)));
            rows.add(row("cvae", 0.1, 1.0, false, "deterministic", null, e, acc(0.45, e)));
        }
        return rows;
    }

    /** The robust-accuracy table of summary.md (study's attack): per defense, the values at EPS. */
    private static Map<String, double[]> table(String md) {
        Map<String, double[]> t = new HashMap<>();
        for (String line : md.lines().toList()) {
            String[] cells = line.split("\\|");
            if (cells.length < 2 + EPS.length || !line.startsWith("| ") || cells[2].isBlank()
                    || !cells[2].trim().matches("[0-9.]+")) {
                continue;
            }
            double[] v = new double[EPS.length];
            for (int e = 0; e < EPS.length; e++) {
                v[e] = Double.parseDouble(cells[2 + e].trim().split(" ")[0]);
            }
            t.put(cells[1].trim(), v);
        }
        return t;
    }

    private static double meanAboveZero(double[] v) {
        double s = 0;
        for (int e = 1; e < v.length; e++) {
            s += v[e];
        }
        return s / (v.length - 1);
    }

    private static String label(String family, double stp, Double alpha, boolean denoising) {
        return family.toUpperCase(Locale.ROOT) + " stp " + trim(stp) + (alpha == null ? "" : " alpha " + trim(alpha))
                + (denoising && alpha != null ? " denoising" : "");
    }

    private static String trim(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Test
    void everyFindingComparesOneSettingAndItsNumbersAreTheTablesOwn() throws Exception {
        List<Results.Row> rows = paperShaped();
        StudyReport.write(new StudyReport.Input("findings", rows, Map.of(), Map.of(), List.of(), 0.1), tmp);
        String md = Files.readString(tmp.resolve(StudyReport.SUMMARY), StandardCharsets.UTF_8);
        Map<String, double[]> t = table(md);
        assertTrue(t.size() > 40, "the table's rows: " + t.keySet());
        List<Findings.Finding> f = Findings.of(rows);

        // latent scale: at stp 0.4, the only stp with two scales; the s = 1 rows of other stps stay out
        String scale = f.get(2).measured();
        Matcher m = Pattern.compile("(D?VAE) stp ([0-9.]+), s ([0-9.]+) vs ([0-9.]+): at eps ([0-9.]+) ([-+][0-9.]+),"
                + " clean ([-+][0-9.]+)").matcher(scale);
        int found = 0;
        while (m.find()) {
            found++;
            assertEquals("0.4", m.group(2), scale);
            String stem = m.group(1) + " stp 0.4, sampled s = ";
            double[] hi = t.get(stem + trim(Double.parseDouble(m.group(3))));
            double[] lo = t.get(stem + trim(Double.parseDouble(m.group(4))));
            assertEquals(hi[3] - lo[3], Double.parseDouble(m.group(6)), 0.0015, "at the largest eps: " + scale);
            assertEquals(hi[0] - lo[0], Double.parseDouble(m.group(7)), 0.0015, "clean: " + scale);
        }
        assertEquals(2, found, scale);

        // the contractive penalty: the plain ones against AE and VAE, the denoising ones against DAE and DVAE
        String con = f.get(3).measured();
        m = Pattern.compile("(denoising )?(C?V?AE) alpha ([0-9.]+) - (D?V?AE) at stp ([0-9.]+): ([-+][0-9.]+)")
                .matcher(con);
        found = 0;
        while (m.find()) {
            found++;
            boolean denoising = m.group(1) != null;
            String twin = m.group(4);
            assertEquals(denoising, twin.startsWith("D"), "a denoising model against a denoising twin: " + m.group());
            double stp = Double.parseDouble(m.group(5));
            double[] c = t.get(label(m.group(2).toLowerCase(Locale.ROOT), stp, Double.parseDouble(m.group(3)),
                    denoising));
            double[] b = t.get(label(twin.toLowerCase(Locale.ROOT), stp, null, false));
            assertEquals(meanAboveZero(c) - meanAboveZero(b), Double.parseDouble(m.group(6)), 0.0015, m.group());
        }
        assertEquals(16, found, "two families, plain and denoising, four stp each: " + con);
        assertEquals(Findings.Verdict.MIXED, f.get(3).verdict(), con);

        // denoising and stp: the deterministic defense, one setting apart
        String den = f.get(0).measured();
        m = Pattern.compile("(D?V?AE) - (V?AE) at stp ([0-9.]+): ([-+][0-9.]+)").matcher(den);
        found = 0;
        while (m.find()) {
            found++;
            double stp = Double.parseDouble(m.group(3));
            double[] d = t.get(label(m.group(1).toLowerCase(Locale.ROOT), stp, null, false));
            double[] p = t.get(label(m.group(2).toLowerCase(Locale.ROOT), stp, null, false));
            assertEquals(meanAboveZero(d) - meanAboveZero(p), Double.parseDouble(m.group(4)), 0.0015, m.group());
        }
        assertEquals(8, found, den);
        assertFalse(den.contains("sampled"));
    }
}
