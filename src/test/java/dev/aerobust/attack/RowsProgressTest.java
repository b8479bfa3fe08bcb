package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.Progress;

/**
 * Rows of eps 0 cost one forward, not the attack's steps: the progress bar counts them done at their chunk's start
 * and leaves them out of the pace its ETA is taken from, as it does a resumed run's kept chunks. (Counted as
 * worked, the first seventh of a seven-eps run passed in a second and the ETA read a fraction of the truth.)
 */
class RowsProgressTest {

    @Test
    void rowsOfEpsZeroCountInThePositionNotInThePace() {
        Engine.init();
        long work = 10;
        List<long[]> calls = new ArrayList<>();
        Rows.Chunk chunk = (x0, y, eps, marginsOut, done) -> {
            calls.add(new long[] {done, eps.length});
            Arrays.fill(marginsOut, 1.0);
            return x0.clone();
        };
        Rows.Unmoved unmoved = (x0, y) -> {
            double[] m = new double[(int) x0.size(0)];
            Arrays.fill(m, 1.0);
            return m;
        };
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(4, 1, 2, 2);
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 0, 1}, 4);
            Progress bar = new Progress("test", 4 * 2 * work);
            // rows: 4 at eps 0, then 4 at eps 0.1; chunks of 3: [0 0 0], [0 .1 .1], [.1 .1]
            Rows.Grid grid = Rows.Grid.of(4, new double[] {0, 0.1});
            Rows.runRows("test", Rows.Images.of(x, y), grid.image(), grid.eps(), 3, work, bar, 0, chunk, unmoved, null);
            assertEquals(4 * work, bar.kept(), "the four rows of eps 0 are kept, not worked");
            assertEquals(2, calls.size(), "the first chunk holds only rows of eps 0: never attacked");
            // the second chunk's attack starts with its row of eps 0 counted: 3 + 1 rows done
            assertArrayEquals(new long[] {4 * work, 2}, calls.get(0));
            assertArrayEquals(new long[] {6 * work, 2}, calls.get(1));
        }
    }
}
