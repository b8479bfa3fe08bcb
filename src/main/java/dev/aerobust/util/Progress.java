package dev.aerobust.util;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A progress bar on stderr for long work: position, a caller's status text (loss terms, metric) and the ETA.
 * On a terminal it redraws one line; in a log (CI, a file) it prints a line at most every few seconds.
 */
public final class Progress implements AutoCloseable {

    private static final long REDRAW_NS = 200_000_000L;
    private static final long LOG_NS = 10_000_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    /** The clock's reading at the start (package-private: tests render against it). */
    final long start = System.nanoTime();
    private long last;
    private boolean drawn;
    /** Units found done rather than worked here (a resumed run's kept chunks): they do not count in the pace. */
    private long kept;

    public Progress(String label, long total) {
        this(label, total, System.err, System.console() != null);
    }

    Progress(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
        this.terminal = terminal;
    }

    /** Reports that {@code done} of {@code total} units are finished. */
    public void update(long done, String status) {
        long now = System.nanoTime();
        boolean end = done >= total;
        if (!end && now - last < (terminal ? REDRAW_NS : LOG_NS)) {
            return;
        }
        last = now;
        String line = render(done, status, now);
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            drawn = true;
            if (end) {
                out.println();
                drawn = false;
            }
        } else {
            out.println(line);
        }
        out.flush();
    }

    /**
     * Reports that {@code amount} units were found done rather than worked (a resumed run's kept chunks): they
     * count toward the position, not toward the pace the ETA is taken from.
     */
    public void kept(long amount) {
        kept += amount;
    }

    /** The units reported found done rather than worked. */
    public long kept() {
        return kept;
    }

    /** Ends a redrawn line so the next log line starts clean. */
    @Override
    public void close() {
        if (drawn) {
            out.println();
            drawn = false;
        }
    }

    String render(long done, String status, long now) {
        double frac = Math.min(1.0, (double) done / total);
        int width = 24;
        int filled = (int) Math.round(frac * width);
        double elapsed = (now - start) / 1e9;
        long worked = done - kept;
        String eta = worked <= 0 ? "?" : format(Duration.ofMillis((long) (elapsed / worked * (total - done) * 1000)));
        return String.format("%s [%s%s] %3.0f%% %s  eta %s  %s", label, "#".repeat(filled),
                ".".repeat(width - filled), frac * 100, done + "/" + total, eta, status == null ? "" : status);
    }

    /** Seconds as {@code 1h05m} or {@code 3m09s}. */
    public static String seconds(double s) {
        return format(Duration.ofSeconds((long) s));
    }

    /** A duration as {@code 1h05m} or {@code 3m09s}. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format("%dm%02ds", s / 60, s % 60);
    }
}
