package dev.aerobust.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Line charts with JFreeChart: one series per curve, a shaded band of one std where a curve has one (a sampled
 * defense over its sampling seeds), rendered as PNG and SVG.
 */
public final class Charts {

    public static final int WIDTH = 640;
    public static final int HEIGHT = 420;

    /**
     * Sixteen colours, so that a figure of up to sixteen curves (Figure 5 draws every family, d0/d1 and contractive
     * alpha: 13 on the paper profile) repeats none; the dark grey is kept for the dashed baseline.
     */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0xbcbd22), new Color(0x393b79), new Color(0xaec7e8), new Color(0xffbb78), new Color(0x98df8a),
        new Color(0xff9896), new Color(0xc5b0d5), new Color(0x7b4173)};

    /** One point of a curve, with its std (0: none). */
    public record Point(double x, double y, double std) {
    }

    /** One curve. {@code dashed} for a baseline. */
    public record Curve(String label, List<Point> points, boolean dashed) {
    }

    /** A drawn chart: its PNG and SVG. */
    public record Rendered(byte[] png, String svg) {
    }

    private Charts() {
    }

    /** The colour of the {@code i}-th curve: dark grey for a dashed baseline, else the palette's, cycling. */
    static Color colour(int i, boolean dashed) {
        return dashed ? Color.DARK_GRAY : PALETTE[i % PALETTE.length];
    }

    /** Draws the curves; the y axis spans [0, 1] when {@code unitRange}. */
    public static Rendered lines(String title, String subtitle, String xLabel, String yLabel, List<Curve> curves,
                                 boolean unitRange) throws IOException {
        System.setProperty("java.awt.headless", "true");
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Curve c : curves) {
            YIntervalSeries s = new YIntervalSeries(c.label());
            for (Point p : c.points()) {
                s.add(p.x(), p.y(), p.y() - p.std(), p.y() + p.std());
            }
            data.addSeries(s);
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis(yLabel);
        if (unitRange) {
            y.setRange(0, 1.02);
        } else {
            y.setAutoRangeIncludesZero(false);
        }
        DeviationRenderer r = new DeviationRenderer(true, true);
        for (int i = 0; i < curves.size(); i++) {
            Color c = colour(i, curves.get(i).dashed());
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, c);
            r.setSeriesStroke(i, curves.get(i).dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2f));
        }
        r.setAlpha(0.2f);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart, WIDTH, HEIGHT);
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return new Rendered(png.toByteArray(), g.getSVGElement());
    }
}
