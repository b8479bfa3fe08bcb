package dev.aerobust.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.aerobust.sweep.Estimator;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** The benchmark's derived keys: the FLOP count, the workload names, the sweep-mix estimate. */
class BenchTest {

    /** benchmark.md: one CW image-iteration of the stack costs about 16 MFLOP (forward 8.2, the gradient as much). */
    @Test
    void anAttackIterationOnTheStackIsAbout16Mflop() {
        double f = Peak.stackIterationFlops();
        assertTrue(f > 15e6 && f < 17e6, "FLOPs per image-iteration: " + f);
        // the classifier's first block alone: 28 x 28 outputs x 32 filters x 9 taps
        assertEquals(28 * 28 * 32 * 9 + 14 * 14 * 32 * 32 * 9 + 7 * 7 * 32 * 32 * 9 + 3 * 3 * 32 * 32 * 9
                + 32 * 500 + 500 * 10, Peak.classifierMacs(28, 28, 1, 10), 0.0);
    }

    @Test
    void anUnknownWorkloadIsAUsageErrorListingTheNames() {
        AerobustException e = assertThrows(AerobustException.class, () -> Bench.Workload.parse("nope"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("classifier_train, classifier_bf16_train, vae_train"), e.getMessage());
        assertEquals(Bench.Workload.CW_BF16, Bench.Workload.parse("cw_bf16"));
    }

    /**
     * The quick profile's estimate follows the rates: half as fast, twice as long; at the bench's rates it is
     * under two hours (its AutoAttack and EOT units took most of the 22 minutes its first 25 units ran here).
     */
    @Test
    void theSweepEstimateScalesWithTheRates() {
        Sweep quick = Sweep.bundled(Bench.SWEEP_MIX).orElseThrow();
        double t = Estimator.fromBench(3000, 3500, 700, 250, 2700, 2.5).sweepSeconds(quick);
        double slow = Estimator.fromBench(1500, 1750, 350, 125, 1350, 2.5).sweepSeconds(quick);
        assertTrue(t > 60 && t < 7200, "quick profile estimate: " + t + " s");
        assertEquals(2 * t, slow, 1e-6 * t);
    }
}
