package dev.aerobust.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import com.fasterxml.jackson.databind.JsonNode;

import dev.aerobust.eval.AttackRecord;
import dev.aerobust.eval.LatentStats;
import dev.aerobust.util.Atomic;

/**
 * Writes a report: a robust-accuracy-vs-eps figure (PNG, JFreeChart) and an HTML page with the models, the
 * curves' numbers and the latent statistics. Every number comes from the stored model and result records.
 */
public final class Report {

    /** One curve: a label and the attack records of one (model, attack, defense) run, in eps order. */
    public record Curve(String label, List<AttackRecord> records) {
    }

    private Report() {
    }

    /** Draws robust accuracy against eps, one line per curve, and saves it as a PNG. */
    public static void figure(Path png, String title, List<Curve> curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Curve c : curves) {
            XYSeries s = new XYSeries(c.label());
            for (AttackRecord r : c.records()) {
                s.add(r.eps(), r.robustAccuracy());
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "eps (L-infinity, [0, 1] pixels)",
                "robust accuracy", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1.02);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < curves.size(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        Path tmp = Files.createTempFile(png.toAbsolutePath().getParent(), ".fig", ".png");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, 800, 500);
            Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code report.html} in {@code dir}: models, the figure, and per-curve tables. */
    public static Path html(Path dir, String title, List<JsonNode> models, String figure, List<Curve> curves,
                            List<String> notes) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>").append(esc(title))
                .append("</title><style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                        + "text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}</style></head><body>");
        h.append("<h1>").append(esc(title)).append("</h1>");
        for (String n : notes) {
            h.append("<p>").append(esc(n)).append("</p>");
        }
        h.append("<h2>Models</h2><table><tr><th>id</th><th>kind</th><th>stp</th><th>epochs</th><th>metrics</th></tr>");
        for (JsonNode m : models) {
            StringBuilder metrics = new StringBuilder();
            m.path("metrics").fields().forEachRemaining(e -> {
                if (e.getValue().isNumber() && !"test_images".equals(e.getKey())) {
                    metrics.append(e.getKey()).append(' ')
                            .append(String.format(Locale.ROOT, "%.4f", e.getValue().asDouble())).append("<br>");
                }
            });
            h.append("<tr><td>").append(esc(m.path("id").asText())).append("</td><td>")
                    .append(esc(m.has("family") ? m.path("family").asText() : m.path("kind").asText()))
                    .append("</td><td>").append(m.path("config").has("stp") ? m.path("config").path("stp").asText() : "")
                    .append("</td><td>").append(m.path("training").path("epochs").asText()).append("</td><td>")
                    .append(metrics).append("</td></tr>");
        }
        h.append("</table>");
        h.append("<h2>Robust accuracy against eps</h2><img src=\"").append(esc(figure))
                .append("\" alt=\"robust accuracy vs eps\" width=\"800\">");
        for (Curve c : curves) {
            h.append("<h3>").append(esc(c.label())).append("</h3><table><tr><th>eps</th><th>robust accuracy</th>"
                    + "<th>std</th><th>attack success</th><th>max Linf</th><th>max L2</th><th>NaN</th>"
                    + "<th>cos(mu, mu*)</th><th>|mu*|/|mu|</th><th>diam mu</th><th>diam mu*</th></tr>");
            for (AttackRecord r : c.records()) {
                h.append(String.format(Locale.ROOT,
                        "<tr><td>%.3f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%d</td>",
                        r.eps(), r.robustAccuracy(), r.robustAccuracyStd(), r.attackSuccessRate(), r.maxLinf(),
                        r.maxL2(), r.nanCount()));
                LatentStats.Summary l = r.latent();
                if (l != null) {
                    h.append(String.format(Locale.ROOT, "<td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%.3f</td>",
                            l.cosMuMuAdv().mean(), l.normRatio().mean(), l.diameterMu(), l.diameterMuAdv()));
                } else {
                    h.append("<td></td><td></td><td></td><td></td>");
                }
                h.append("</tr>");
            }
            h.append("</table>");
        }
        h.append("</body></html>\n");
        Path out = dir.resolve("report.html");
        Atomic.writeString(out, h.toString());
        return out;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
