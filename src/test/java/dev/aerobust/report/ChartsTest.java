package dev.aerobust.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.Color;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The curves of one figure are told apart by colour: Figure 5 of the paper profile draws 13. */
class ChartsTest {

    @Test
    void sixteenCurvesShareNoColourAndNoneTakesTheBaselinesGrey() {
        Set<Color> seen = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            Color c = Charts.colour(i, false);
            assertNotEquals(Color.DARK_GRAY, c, "curve " + i);
            seen.add(c);
        }
        assertEquals(16, seen.size(), "16 distinct colours");
        assertEquals(Color.DARK_GRAY, Charts.colour(3, true), "a dashed baseline is dark grey");
    }
}
