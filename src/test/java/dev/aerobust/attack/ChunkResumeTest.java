package dev.aerobust.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.nn.Engine;
import dev.aerobust.nn.Scope;
import dev.aerobust.nn.Tensors;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * An attack killed between chunks resumes at the chunk it was in: the chunks it finished are taken from the
 * store, not attacked again, and the result equals an uninterrupted run's (each chunk runs from its own seed).
 */
@Tag("slow")
class ChunkResumeTest {

    /**
     * Chunks in memory; {@code failAt} makes the save of that chunk throw, as a kill would end the run there, and
     * {@code failIn} any save in the passes whose name starts with it.
     */
    static final class Memory implements ChunkStore {
        final Map<Integer, Chunk> chunks = new HashMap<>();
        final Map<String, Memory> passes = new HashMap<>();
        final long seed;
        int loads;
        int failAt = -1;
        String failIn;

        Memory() {
            this(9);
        }

        Memory(long seed) {
            this.seed = seed;
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public ChunkStore pass(String name, int[] rows) {
            Memory m = passes.computeIfAbsent(name + java.util.Arrays.toString(rows), k -> new Memory(seed * 31
                    + name.hashCode()));
            m.failAt = failIn != null && name.startsWith(failIn) ? 0 : -1;
            m.failIn = failIn;
            return m;
        }

        /** The pass whose name starts with {@code prefix}. */
        Memory pass(String prefix) {
            return passes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue)
                    .findFirst().orElseThrow();
        }

        @Override
        public Optional<Chunk> load(int first, int rows, int perRow) {
            Chunk c = chunks.get(first);
            if (c != null) {
                loads++;
            }
            return Optional.ofNullable(c);
        }

        @Override
        public void save(int first, Chunk chunk) {
            if (first == failAt) {
                throw new IllegalStateException("killed");
            }
            chunks.put(first, chunk);
        }
    }

    /** Every row of {@code actual} equals {@code expected}'s: the same iterate and the same margin, bit for bit. */
    private static void assertSameRows(AttackResult expected, AttackResult actual, String what) {
        for (int e = 0; e < expected.eps().length; e++) {
            assertArrayEquals(expected.adversarial()[e], actual.adversarial()[e], what + " eps " + expected.eps()[e]);
            assertArrayEquals(expected.margin()[e], actual.margin()[e], 0.0, what + " eps " + expected.eps()[e]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AttackKind.class, names = {"CW_LINF", "PGD"})
    void aKilledAttackResumesAtItsChunkAndEndsAsAnUninterruptedOne(AttackKind kind) {
        DefendedClassifier stack = CwLinfTest.randomStack(3);
        Attack attack = AttackConfig.create(AttackConfig.of(kind, AttackConfig.STEPS, 6, AttackConfig.BATCH_ROWS, 4),
                false);
        double[] eps = {0.05, 0.2};
        try (Scope s = Scope.open()) {
            Engine.seed(1);
            Tensor x = torch.rand(6, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 2, 3, 4, 5}, 6);
            AttackResult whole = attack.run(stack, x, y, eps, new Memory());

            Memory store = new Memory();
            store.failAt = 8;
            assertThrows(IllegalStateException.class, () -> attack.run(stack, x, y, eps, store));
            assertEquals(2, store.chunks.size(), "rows 0-3 and 4-7 were finished before the kill");
            store.failAt = -1;
            Engine.seed(12345);
            AttackResult resumed = attack.run(stack, x, y, eps, store);
            assertEquals(2, store.loads, "the finished chunks were not attacked again");
            assertSameRows(whole, resumed, kind.toString());
        }
    }

    /**
     * AutoAttack runs each member over every row still correct, each with its own chunks: a run killed inside the
     * second member resumes there, the first member's chunks taken from the store, and ends as an uninterrupted
     * run.
     */
    @Test
    void aKilledAutoAttackResumesInsideTheMemberItWasIn() {
        DefendedClassifier stack = CwLinfTest.randomStack(3);
        Attack attack = AttackConfig.create(AttackConfig.of(AttackKind.AUTOATTACK, AttackConfig.VERSION,
                AutoAttack.Version.FAST, AttackConfig.BATCH_ROWS, 4), false);
        // budgets small enough that APGD-CE leaves rows to APGD-T
        double[] eps = {0, 0.002};
        try (Scope s = Scope.open()) {
            Engine.seed(3);
            Tensor x = torch.rand(6, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 2, 3, 4, 5}, 6);
            AttackResult whole = attack.run(stack, x, y, eps, new Memory());

            Memory store = new Memory();
            store.failIn = "2-";
            assertThrows(IllegalStateException.class, () -> attack.run(stack, x, y, eps, store),
                    "APGD-T had rows left to attack, and the kill came in it");
            Memory first = store.pass("1-");
            assertEquals(3, first.chunks.size(), "APGD-CE finished its 12 rows, in chunks of 4, before the kill");
            store.failIn = null;
            Engine.seed(12345);
            AttackResult resumed = attack.run(stack, x, y, eps, store);
            assertEquals(3, first.loads, "APGD-CE's chunks were not attacked again");
            assertSameRows(whole, resumed, "autoattack");
        }
    }

    /**
     * A kept chunk is held to the invariants of a fresh one: rows out of the box, a NaN pixel or a NaN margin are
     * not trusted, they are attacked again (and kept again), and the result equals an uninterrupted run's.
     */
    @Test
    void aKeptChunkThatBreaksTheInvariantsIsAttackedAgain() {
        DefendedClassifier stack = CwLinfTest.randomStack(3);
        Attack attack = AttackConfig.create(AttackConfig.of(AttackKind.CW_LINF, AttackConfig.STEPS, 4,
                AttackConfig.BATCH_ROWS, 4), false);
        double[] eps = {0.05, 0.2};
        try (Scope s = Scope.open()) {
            Engine.seed(2);
            Tensor x = torch.rand(6, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 2, 3, 4, 5}, 6);
            Memory store = new Memory();
            AttackResult whole = attack.run(stack, x, y, eps, store);
            assertEquals(3, store.chunks.size());
            for (int bad = 0; bad < 3; bad++) {
                ChunkStore.Chunk c = store.chunks.get(4);
                float[] adv = c.adversarial().clone();
                double[] margins = c.margins().clone();
                if (bad < 2) {
                    // row 4 has eps 0.05: a NaN, or a pixel 0.3 away from its clean value
                    adv[7] = bad == 0 ? Float.NaN : (Tensors.toFloats(x)[4 * 784 + 7] > 0.5f ? 0.1f : 0.9f);
                } else {
                    margins[1] = Double.NaN;
                }
                store.chunks.put(4, new ChunkStore.Chunk(adv, margins));
                store.loads = 0;
                AttackResult again = attack.run(stack, x, y, eps, store);
                assertEquals(3, store.loads, "every chunk was found");
                assertSameRows(whole, again, "cw-linf");
                // the chunk holds rows 4 to 7: images 4 and 5 at eps 0.05, images 0 and 1 at eps 0.2
                float[] kept = store.chunks.get(4).adversarial();
                assertArrayEquals(java.util.Arrays.copyOfRange(whole.adversarial()[0], 4 * 784, 6 * 784),
                        java.util.Arrays.copyOfRange(kept, 0, 2 * 784), "the chunk was attacked and kept again");
                assertArrayEquals(java.util.Arrays.copyOfRange(whole.adversarial()[1], 0, 2 * 784),
                        java.util.Arrays.copyOfRange(kept, 2 * 784, 4 * 784));
            }
        }
    }

    /** A chunk whose attack reports a NaN margin stops the run with a numeric error: NaN would pass for robust. */
    @Test
    void aNaNMarginFromAnAttackStopsTheRun() {
        try (Scope s = Scope.open()) {
            Tensor x = torch.rand(4, 1, 28, 28);
            Tensor y = Tensors.fromLongs(new long[] {0, 1, 2, 3}, 4);
            Memory store = new Memory();
            Rows.Grid grid = Rows.Grid.of(4, new double[] {0.1});
            AerobustException e = assertThrows(AerobustException.class, () -> Rows.runRows("fake",
                    Rows.Images.of(x, y), grid.image(), grid.eps(), 2, 1, null, 0, (x0, yy, es, marginsOut, done) -> {
                        java.util.Arrays.fill(marginsOut, 1.0);
                        marginsOut[1] = Double.NaN;
                        return x0.clone();
                    }, (x0, yy) -> new double[(int) x0.size(0)], store));
            assertEquals(ExitCode.NUMERIC, e.exitCode());
            assertTrue(e.getMessage().contains("NaN margin in row 1"), e.getMessage());
            assertEquals(0, store.chunks.size(), "nothing was kept");
        }
    }
}
