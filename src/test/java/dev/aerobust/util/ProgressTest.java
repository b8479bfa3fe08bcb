package dev.aerobust.util;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

/** The ETA is taken from the pace of the work done here, not from work a resumed run found done. */
class ProgressTest {

    @Test
    void keptWorkCountsInThePositionNotInThePace() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Progress fresh = new Progress("pgd", 1000, sink, false);
        // 100 units in 10 s: 900 left take 90 s (rendered against the bar's own start: no wall clock in the test)
        String line = fresh.render(100, "", fresh.start + 10_000_000_000L);
        assertTrue(line.contains(" 10% 100/1000  eta ") && Math.abs(eta(line) - 90) <= 1, line);

        Progress resumed = new Progress("pgd", 1000, sink, false);
        resumed.kept(500);
        // 500 found done, 100 worked in 10 s: 400 left take 40 s, not the 6.7 s that 600 in 10 s would say
        line = resumed.render(600, "", resumed.start + 10_000_000_000L);
        assertTrue(line.contains(" 60% 600/1000  eta ") && Math.abs(eta(line) - 40) <= 1, line);
        // nothing worked yet: no pace to go by
        Progress none = new Progress("pgd", 1000, sink, false);
        none.kept(500);
        line = none.render(500, "", none.start + 1_000_000_000L);
        assertTrue(line.contains("eta ?"), line);
    }

    /** The seconds of a line's {@code eta 1m30s}. */
    private static int eta(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("eta (\\d+)m(\\d+)s").matcher(line);
        assertTrue(m.find(), line);
        return Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2));
    }
}
