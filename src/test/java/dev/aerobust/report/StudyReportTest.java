package dev.aerobust.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.sweep.Results;

/**
 * The report from a set of results: every figure written as PNG and SVG and embedded, the findings computed by
 * their rules; and the page rendered in headless Chromium, whose DOM says every figure decoded and whose
 * screenshot is not blank.
 */
@Tag("slow")
class StudyReportTest {

    @TempDir
    Path tmp;

    private static Results.Row row(String family, Double stp, boolean denoising, String defense, Double scale,
                                   String attack, double eps, double acc, Double diam) {
        // the helper's words, typed: a family's label or "none", a defense's label, an attack's label or "worst-case"
        return new Results.Row("t", dev.aerobust.data.DatasetId.MNIST, family + "-" + stp + "-" + scale,
                "none".equals(family) ? null : dev.aerobust.model.Family.parse(family), false, stp, null,
                "none".equals(family) ? null : denoising, "classifier-mnist-x",
                dev.aerobust.defense.DefendedClassifier.Mode.parse(defense), scale,
                attack.equals("worst-case") ? null : dev.aerobust.attack.AttackKind.parse(attack), eps, 0, 100,
                acc, 0.01, 1 - acc, eps, eps * 5, diam == null ? null : 0.99 - eps, diam == null ? null : 1 + eps,
                diam, diam == null ? null : diam * 0.9, 1.0, null, attack.equals("worst-case") ? "cw-linf+pgd" : null,
                attack.equals("worst-case") ? null : "/tmp/r/eps.json", true);
    }

    /** Results shaped like the study's: denoising and noise help, AE's latent set about 3x wider than VAE's. */
    static List<Results.Row> rows() {
        List<Results.Row> rows = new ArrayList<>();
        double[] eps = {0, 0.1, 0.2, 0.3};
        for (String attack : List.of("cw-linf", "pgd", "worst-case")) {
            double harder = attack.equals("cw-linf") ? 0 : 0.2;
            for (double e : eps) {
                rows.add(row("none", null, false, "none", null, attack, e, Math.max(0, 0.99 - 4 * e), null));
                for (String f : List.of("ae", "dae", "vae", "dvae")) {
                    for (double stp : new double[] {0.1, 0.4}) {
                        double base = 0.97 - e * (2.2 - stp - (f.startsWith("d") ? 0.4 : 0)) - harder * e;
                        rows.add(row(f, stp, f.startsWith("d"), "deterministic", null, attack, e, Math.max(0, base),
                                f.endsWith("vae") ? 20.0 : 62.0));
                    }
                }
                for (String f : List.of("vae", "dvae")) {
                    for (double s : new double[] {1, 4}) {
                        double acc = 0.97 - (s > 1 ? 0.03 : 0) - e * (s > 1 ? 1.2 : 1.8) - harder * e;
                        rows.add(row(f, 0.4, f.equals("dvae"), "sampled", s, attack, e, Math.max(0, acc), 20.0));
                    }
                }
            }
        }
        return rows;
    }

    @Test
    void theReportHoldsEveryFigureAndTheFindingsComputedFromTheRows() throws Exception {
        Path html = StudyReport.write(new StudyReport.Input("test report", rows(), Map.of(), Map.of(),
                List.of("synthetic rows"), 0.1), tmp);
        String page = Files.readString(html, StandardCharsets.UTF_8);
        for (String stem : List.of("fig1-mnist-ae-study", "fig1-mnist-dae-worst", "fig2-mnist-vae-study",
                "fig3-mnist-dvae-worst", "fig5-mnist-cos", "fig5-mnist-ratio")) {
            assertTrue(Files.size(tmp.resolve(stem + ".png")) > 5000, stem);
            assertTrue(Files.readString(tmp.resolve(stem + ".svg")).startsWith("<svg"), stem);
            assertTrue(page.contains("id=\"" + stem + "\""), stem + " is in the page");
            assertTrue(nonWhite(ImageIO.read(tmp.resolve(stem + ".png").toFile())) > 0.02, stem + " is not blank");
        }
        assertTrue(page.contains("Figure 4. ") && page.contains("Not in these runs."), "no CAE or CVAE was run");
        List<Findings.Finding> f = Findings.of(rows().stream().filter(r -> r.attack() == dev.aerobust.attack.AttackKind.CW_LINF).toList());
        assertEquals(Findings.Verdict.HOLDS, f.get(0).verdict(), f.get(0).measured());
        assertEquals(Findings.Verdict.HOLDS, f.get(1).verdict(), f.get(1).measured());
        assertEquals(Findings.Verdict.HOLDS, f.get(2).verdict(), f.get(2).measured());
        assertEquals(Findings.Verdict.NOT_RUN, f.get(3).verdict());
        assertEquals(Findings.Verdict.HOLDS, f.get(4).verdict(), f.get(4).measured());
        assertTrue(f.get(4).measured().contains("62.0 / VAE 20.0 = 3.10x"), f.get(4).measured());
        Matcher m = Pattern.compile("<td class=\"(holds|mixed|does-not-hold|not-in-these-runs)\">").matcher(page);
        int verdicts = 0;
        while (m.find()) {
            verdicts++;
        }
        assertEquals(10, verdicts, "five findings, two attack columns");
    }

    /** Units side by side count once in the sweep's wall-clock time, and a gap between sittings not at all. */
    @Test
    void theSweepsComputeTimeIsTheUnionOfItsUnitsIntervals() {
        double[] b = SweepReport.busy(List.of(new double[] {0, 10}, new double[] {5, 12}, new double[] {100, 103},
                new double[] {2, 4}));
        assertEquals(15, b[0], 1e-12, "[0, 12] and [100, 103]");
        assertEquals(22, b[1], 1e-12);
        assertEquals(0, SweepReport.busy(List.of())[0], 0);
    }

    /**
     * summary.md beside the page holds the same verdicts and numbers as the page, for a README to show without
     * copying any by hand: the findings under both columns, accuracy per defense and eps, every figure linked.
     */
    @Test
    void theMarkdownSummaryHoldsThePagesVerdictsAndNumbers() throws Exception {
        StudyReport.write(new StudyReport.Input("test report", rows(), Map.of(), Map.of(), List.of("synthetic rows"),
                0.1), tmp);
        String md = Files.readString(tmp.resolve(StudyReport.SUMMARY), StandardCharsets.UTF_8);
        List<Findings.Finding> study = Findings.of(rows().stream().filter(r -> r.attack() == dev.aerobust.attack.AttackKind.CW_LINF).toList());
        List<Findings.Finding> worst = Findings.of(StudyReport.worstWithLatents(rows()));
        for (int i = 0; i < study.size(); i++) {
            String line = md.lines().filter(l -> l.startsWith("| ")).skip(i + 1).findFirst().orElseThrow();
            assertTrue(line.contains("**" + study.get(i).verdict().text() + "**")
                    && line.contains("**" + worst.get(i).verdict().text() + "**"), line);
        }
        assertTrue(md.contains("62.0 / VAE 20.0 = 3.10x"), "the diameter finding's numbers");
        // DAE stp 0.4 at eps 0.2: CW-Linf 0.97 - 0.2 * 1.4 = 0.690, the worst case 0.690 - 0.04 = 0.650
        String dae = md.lines().filter(l -> l.startsWith("| DAE stp 0.4 |")).findFirst().orElseThrow();
        assertTrue(dae.contains("| 0.690 / **0.650** |") && dae.contains("| 0.970 |"), dae);
        assertTrue(md.contains("| DVAE stp 0.4, sampled s = 4 |"), "the sampled defense at each scale is a row");
        assertTrue(md.contains("| no defense |"));
        long linked = md.lines().filter(l -> l.startsWith("![")).count();
        try (var pngs = Files.list(tmp)) {
            assertEquals(pngs.filter(p -> p.toString().endsWith(".png")).count(), linked, "every figure is linked");
        }
        assertTrue(md.contains("](fig1-mnist-ae-study.png)"));
    }

    /**
     * Where no model had a second attack, the worst-case column rests on no run, and the page and summary.md say
     * so under the findings table; where one did, neither says it.
     */
    @Test
    void aSweepWithOnlyTheStudysAttackSaysTheWorstCaseColumnRestsOnNoRun() throws Exception {
        List<Results.Row> single = rows().stream().filter(r -> r.attack() == dev.aerobust.attack.AttackKind.CW_LINF).toList();
        Path one = Files.createDirectories(tmp.resolve("one"));
        String page = Files.readString(StudyReport.write(new StudyReport.Input("t", single, Map.of(), Map.of(),
                List.of(), 0.1), one), StandardCharsets.UTF_8);
        String md = Files.readString(one.resolve(StudyReport.SUMMARY), StandardCharsets.UTF_8);
        assertTrue(page.contains(StudyReport.FindingColumns.NO_WORST), "the page says it");
        assertTrue(md.contains(StudyReport.FindingColumns.NO_WORST), "summary.md says it");
        Path two = Files.createDirectories(tmp.resolve("two"));
        page = Files.readString(StudyReport.write(new StudyReport.Input("t", rows(), Map.of(), Map.of(), List.of(),
                0.1), two), StandardCharsets.UTF_8);
        md = Files.readString(two.resolve(StudyReport.SUMMARY), StandardCharsets.UTF_8);
        assertFalse(page.contains(StudyReport.FindingColumns.NO_WORST), "a worst case exists");
        assertFalse(md.contains(StudyReport.FindingColumns.NO_WORST), "a worst case exists");
    }

    @Test
    void theFindingsTurnWhenTheNumbersDo() {
        // denoising that hurts: every DAE below its AE
        List<Results.Row> rows = new ArrayList<>();
        for (double e : new double[] {0.1, 0.2}) {
            rows.add(row("ae", 0.1, false, "deterministic", null, "cw-linf", e, 0.8, null));
            rows.add(row("dae", 0.1, true, "deterministic", null, "cw-linf", e, 0.6, null));
        }
        assertEquals(Findings.Verdict.DOES_NOT_HOLD, Findings.of(rows).get(0).verdict());
        rows.add(row("ae", 0.4, false, "deterministic", null, "cw-linf", 0.1, 0.5, null));
        rows.add(row("dae", 0.4, true, "deterministic", null, "cw-linf", 0.1, 0.7, null));
        assertEquals(Findings.Verdict.MIXED, Findings.of(rows).get(0).verdict());
    }

    private static double nonWhite(BufferedImage img) {
        long k = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                k += (img.getRGB(x, y) & 0xffffff) != 0xffffff ? 1 : 0;
            }
        }
        return (double) k / ((long) img.getWidth() * img.getHeight());
    }

    /** Headless Chromium: Debian's package, installed by .ci/run; skipped with a message where it is absent. */
    @Test
    void chromiumRendersEveryFigure() throws Exception {
        String chromium = null;
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (new File(c).canExecute()) {
                chromium = c;
            }
        }
        if (chromium == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("chromium is missing on CI: .ci/run must install it");
        }
        assumeTrue(chromium != null, "headless Chromium not installed (apt-get install chromium): test skipped");
        Path html = StudyReport.write(new StudyReport.Input("test report", rows(), Map.of(), Map.of(),
                List.of("synthetic rows"), 0.1), tmp);
        Path shot = tmp.resolve("shot.png");
        List<String> common = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + tmp.resolve("profile"), "--virtual-time-budget=5000");
        List<String> dump = new ArrayList<>(common);
        dump.addAll(List.of("--dump-dom", html.toUri().toString()));
        String dom = run(dump);
        Matcher loaded = Pattern.compile("data-figures-loaded=\"(\\d+)\"").matcher(dom);
        Matcher count = Pattern.compile("data-figures=\"(\\d+)\"").matcher(dom);
        assertTrue(loaded.find() && count.find(), "the page's load check ran");
        int n = Integer.parseInt(count.group(1));
        assertTrue(n >= 10, "figures in the page: " + n);
        assertEquals(n, Integer.parseInt(loaded.group(1)), "every figure decoded in the browser");
        List<String> screenshot = new ArrayList<>(common);
        screenshot.addAll(List.of("--window-size=1400,2400", "--screenshot=" + shot, html.toUri().toString()));
        run(screenshot);
        BufferedImage img = ImageIO.read(shot.toFile());
        assertTrue(img.getWidth() >= 1400, "screenshot width " + img.getWidth());
        assertTrue(nonWhite(img) > 0.05, "the rendered page is not blank: " + nonWhite(img));
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        return new String(out, StandardCharsets.UTF_8);
    }
}
