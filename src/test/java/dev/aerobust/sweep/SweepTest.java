package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.aerobust.attack.AttackConfig;
import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.Common;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;
import dev.aerobust.eval.EvalConfig;
import dev.aerobust.model.Family;
import dev.aerobust.train.AutoencoderConfig;
import dev.aerobust.train.TrainParams;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

class SweepTest {

    private static final String FIG = """
            name: t
            datasets: [mnist, fashion-mnist]
            seeds: [0, 1]
            classifier: {epochs: 3}
            autoencoders:
              - {family: [ae, dae], stp: [0.1, 0.4], epochs: 2}
              - family: vae
                stp: 0.4
                evaluations:
                  - {n: 10, eps: [0, 0.1]}
                  - {n: 10, eps: [0, 0.1], defense: sampled, scale: [1, 4]}
            evaluations:
              - {n: 10, eps: [0, 0.1]}
            attacks:
              - {attack: cw-linf, steps: 5}
              - {attack: eot-pgd, steps: 5}
            """;

    /**
     * The running sweep's estimate of what is left is corrected kind by kind: training that ran twice as long as
     * estimated doubles the other trainings of its family, and leaves the attacks' and other families' estimates
     * alone; done units count nothing.
     */
    @Test
    void theSweepEstimateIsCorrectedKindByKind() {
        List<SweepRunner.Step> plan = List.of(
                new SweepRunner.Step("ae 1", false, 100, "train ae"),
                new SweepRunner.Step("ae 2", false, 100, "train ae"),
                new SweepRunner.Step("vae", false, 50, "train vae"),
                new SweepRunner.Step("pgd done", true, 0, "attack pgd on a stack"),
                new SweepRunner.Step("pgd", false, 300, "attack pgd on a stack"));
        SweepRunner.Pace pace = new SweepRunner.Pace();
        assertEquals(550, pace.eta(plan, 0), 1e-9);
        pace.finished(plan.get(0), 200);
        assertEquals(2.0, pace.factor("train ae"), 1e-12);
        assertEquals(1.0, pace.factor("attack pgd on a stack"), 1e-12);
        assertEquals(200 + 50 + 300, pace.eta(plan, 1), 1e-9);
        pace.finished(plan.get(1), 100);
        pace.finished(plan.get(2), 25);
        assertEquals(1.5, pace.factor("train ae"), 1e-12);
        assertEquals(300, pace.eta(plan, 3), 1e-9);
    }

    @Test
    void aGridExpandsIntoOneUnitPerCombination() {
        Sweep s = Sweep.parse(FIG, "t.yaml", "t");
        assertEquals("t", s.name());
        assertEquals(4, s.classifiers().size(), "2 datasets x 2 seeds");
        assertEquals(4 * 5, s.autoencoders().size(), "(ae, dae) x 2 stp + vae, per dataset and seed");
        assertEquals(3, s.classifiers().get(0).settings().get(TrainParams.EPOCHS));
        // per dataset and seed: cw-linf on the classifier and the 4 deterministic AEs, on the VAE deterministic and
        // at 2 scales; eot-pgd only on the VAE's 2 sampled evaluations
        assertEquals(4 * (5 + 3 + 2), s.attacks().size());
        for (Sweep.AttackUnit u : s.attacks()) {
            boolean sampled = u.eval().get(EvalConfig.DEFENSE) == DefendedClassifier.Mode.SAMPLED;
            if (u.attack().get(AttackConfig.ATTACK) == AttackKind.EOT_PGD) {
                assertTrue(sampled, u.label());
            }
            if (sampled) {
                assertEquals(Family.VAE, ((Sweep.TrainUnit) u.model()).settings().get(AutoencoderConfig.FAMILY), u.label());
            }
            assertEquals(u.model().dataset(), u.eval().get(Common.DATASET));
            assertEquals(((Sweep.TrainUnit) u.model()).settings().get(Common.SEED), u.eval().get(Common.SEED));
        }
    }

    /**
     * cw-linf on the VAE runs on its deterministic surrogate under every evaluation: the deterministic unit and the
     * sampled ones at scales 1 and 4 share one computation, so only the first is estimated as an attack and the
     * others at their sanity runs alone; eot-pgd attacks each sampled defense itself, and nothing else shares.
     */
    /**
     * An estimate follows the newest measurements made at the units' threads (their median, so one slowed unit
     * does not move it); measurements at other thread counts only where there are none, carried over by the
     * measured scaling.
     */
    @Test
    void theEstimateTakesTheNewestRatesAtTheUnitsThreads() {
        Sweep s = Sweep.parse(FIG, "t.yaml", "t");
        Sweep.AttackUnit cw = s.attacks().stream().filter(u -> u.attack().get(AttackConfig.ATTACK)
                == AttackKind.CW_LINF && u.model() instanceof Sweep.TrainUnit t && t.autoencoder()).findFirst()
                .orElseThrow();
        // rates given directly are at the estimate's threads: one here
        Estimator rates = new Estimator(java.util.Map.of("classifier", 1.0, "ae", 1.0, "dae", 1.0,
                "vae", 1.0, "dvae", 1.0, "cae", 1.0, "cvae", 1.0), 0, 1000, 1000);
        // the unit: 50 image-iterations of attack and 200 of sanity runs
        assertEquals(0.25, rates.attackSeconds(cw, false), 1e-12);
        rates.attackRate("cw-linf/true", new Estimator.Sample("2026-12-01T10:00:00Z", 2, 500));
        assertEquals(250 / (500 * Math.pow(0.5, Estimator.THREAD_EXPONENT)),
                rates.attackSeconds(cw, false), 1e-9);
        // measured at one thread: those alone count, the median of the newest five
        double[] oneThread = {1e6, 100, 250, 9000, 200, 300};
        for (int i = 0; i < oneThread.length; i++) {
            rates.attackRate("cw-linf/true", new Estimator.Sample("2026-12-02T1" + i + ":00:00Z", 1,
                    oneThread[i]));
        }
        assertEquals(250 / 250.0, rates.attackSeconds(cw, false), 1e-12);
    }

    /**
     * A kind never run here is estimated at its built-in value scaled by how much faster this machine ran the
     * kinds it has run (the median over kinds): an AE epoch measured at half its built-in time, a CW-Linf rate at
     * 3x its built-in rate and an undefended PGD at 1x give a factor of 2, which halves the CAE's estimate.
     */
    @Test
    void kindsNotYetRunAreEstimatedAtTheSpeedThisMachineRanTheOthers() {
        Sweep s = Sweep.parse(FIG, "t.yaml", "t");
        Sweep.TrainUnit ae = s.autoencoders().stream().filter(u -> u.settings().get(
                dev.aerobust.train.AutoencoderConfig.FAMILY).label().equals("ae")).findFirst().orElseThrow();
        Sweep.TrainUnit cae = Sweep.parse(FIG.replace("family: [ae, dae]", "family: [cae]"), "t.yaml", "t")
                .autoencoders().get(0);
        Estimator rates = new Estimator(java.util.Map.of("classifier", 1.0, "ae", 10.0, "dae", 1.0,
                "vae", 1.0, "dvae", 1.0, "cae", 100.0, "cvae", 1.0), 0, 1000, 1000);
        assertEquals(1, rates.machineFactor());
        double caeBefore = rates.trainSeconds(cae);
        rates.epochSeconds("ae/mnist/0/fp32", new Estimator.Sample("2026-12-04T10:00:00Z", 1, 5.0));
        rates.attackRate("cw-linf/true", new Estimator.Sample("2026-12-04T10:00:00Z", 1, 3000));
        rates.attackRate("pgd/false", new Estimator.Sample("2026-12-04T10:00:00Z", 1, 1000));
        assertEquals(2, rates.machineFactor(), 1e-12);
        assertEquals(caeBefore / 2, rates.trainSeconds(cae), 1e-9);
        assertEquals(5.0 * ae.settings().get(dev.aerobust.train.TrainParams.EPOCHS), rates.trainSeconds(ae), 1e-9,
                "a measured kind keeps its measurement");
    }

    @Test
    void attacksOnOneSurrogateAreEstimatedOnce() {
        Sweep s = Sweep.parse(FIG, "t.yaml", "t");
        Estimator rates = new Estimator(java.util.Map.of("classifier", 1.0, "ae", 1.0, "dae", 1.0,
                "vae", 1.0, "dvae", 1.0, "cae", 1.0, "cvae", 1.0), 0, 1000, 1000);
        List<Sweep.AttackUnit> cw = s.attacks().stream().filter(u -> u.model() instanceof Sweep.TrainUnit t
                && t.autoencoder() && t.settings().get(AutoencoderConfig.FAMILY) == Family.VAE
                && u.attack().get(AttackConfig.ATTACK) == AttackKind.CW_LINF
                && u.eval().get(Common.DATASET) == DatasetId.MNIST && u.eval().get(Common.SEED) == 0).toList();
        assertEquals(3, cw.size(), "deterministic, s = 1, s = 4");
        assertEquals(1, cw.stream().map(u -> u.surrogate().orElseThrow()).distinct().count());
        // 10 images x 1 eps above 0 x 5 steps, and the sanity runs on the 10 images (4 x 5 steps each)
        assertEquals((50 + 200) / 1000.0, rates.attackSeconds(cw.get(0), false), 1e-12);
        assertEquals(200 / 1000.0, rates.attackSeconds(cw.get(1), true), 1e-12);
        assertTrue(s.attacks().stream().filter(u -> u.attack().get(AttackConfig.ATTACK) == AttackKind.EOT_PGD
                || !(u.model() instanceof Sweep.TrainUnit t && t.autoencoder()
                        && t.settings().get(AutoencoderConfig.FAMILY) == Family.VAE))
                .allMatch(u -> u.surrogate().isEmpty()));
        double whole = rates.sweepSeconds(s);
        double unshared = s.classifiers().stream().mapToDouble(rates::trainSeconds).sum()
                + s.autoencoders().stream().mapToDouble(rates::trainSeconds).sum()
                + s.attacks().stream().mapToDouble(u -> rates.attackSeconds(u, false)).sum();
        // per dataset and seed, two of the three cw-linf units on the VAE cost their attack (0.05 s) once less
        assertEquals(unshared - 4 * 2 * 0.05, whole, 1e-9);
    }

    /** Each model's attacks run right after its training, so a figure's units finish together. */
    @Test
    void eachModelsAttacksFollowItsTraining() {
        Sweep s = Sweep.parse(FIG, "t.yaml", "t");
        List<Sweep.Unit> order = new SweepRunner(s, Path.of("data"), null,
                new dev.aerobust.store.ResultsStore(Path.of("results"))).order();
        assertEquals(s.classifiers().size() + s.autoencoders().size() + s.attacks().size(), order.size());
        assertEquals(s.attacks().size(), new java.util.HashSet<>(order).size() - s.classifiers().size()
                - s.autoencoders().size(), "every unit once");
        Sweep.TrainUnit last = null;
        int trained = 0;
        for (Sweep.Unit o : order) {
            if (o instanceof Sweep.TrainUnit t) {
                last = t;
                trained++;
            } else {
                assertEquals(last, ((Sweep.AttackUnit) o).model(), ((Sweep.AttackUnit) o).label());
            }
        }
        assertEquals(s.classifiers().size() + s.autoencoders().size(), trained);
        assertEquals(s.classifiers().get(0), order.get(0));
        assertTrue(order.get(1) instanceof Sweep.AttackUnit, "the undefended attack before the next training");
    }

    /**
     * A grid's own attacks replace the sweep's for its models; two grids naming one model train it once and add
     * their units: the ensemble on the deterministic stack, only the EOT attack on the sampled one.
     */
    @Test
    void aGridsOwnAttacksApplyToItsModelsOnly() {
        Sweep s = Sweep.parse("""
                name: e
                datasets: [mnist]
                seeds: [0]
                autoencoders:
                  - {family: dvae, stp: 0.4, epochs: 2}
                  - family: dvae
                    stp: 0.4
                    epochs: 2
                    evaluations:
                      - {n: 10, eps: [0, 0.1], defense: sampled, scale: 1, samples: 2}
                    attacks:
                      - {attack: eot-pgd, steps: 5}
                      - {attack: cw-linf, steps: 5}
                evaluations:
                  - {n: 10, eps: [0, 0.1]}
                attacks:
                  - {attack: apgd-ce, steps: 5}
                  - {attack: square, steps: 50}
                """, "e.yaml", "e");
        assertEquals(1, s.autoencoders().size(), "one model, trained once");
        List<String> units = s.attacks().stream().map(u -> u.attack().get(AttackConfig.ATTACK).label() + " "
                + (u.model().autoencoder() ? "dvae " : "classifier ")
                + u.eval().get(EvalConfig.DEFENSE).name().toLowerCase()).toList();
        assertEquals(List.of("apgd-ce classifier deterministic", "square classifier deterministic",
                "apgd-ce dvae deterministic", "square dvae deterministic", "eot-pgd dvae sampled",
                "cw-linf dvae sampled"), units);
        AerobustException e = assertThrows(AerobustException.class, () -> Sweep.parse("""
                name: e
                datasets: [mnist]
                autoencoders:
                  - family: dvae
                    attacks:
                      - {attack: pgd, stepz: 5}
                """, "e.yaml", "e"));
        assertTrue(e.getMessage().startsWith("e.yaml:6: "), e.getMessage());
    }

    @Test
    void anUnknownKeyIsNamedWithItsFileAndLine() {
        String bad = FIG.replace("stp: [0.1, 0.4], epochs: 2", "stp: [0.1, 0.4], epohcs: 2");
        AerobustException e = assertThrows(AerobustException.class, () -> Sweep.parse(bad, "fig.yaml", "t"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().startsWith("fig.yaml:6: unknown autoencoder setting 'epohcs' (known: "),
                e.getMessage());
        AerobustException top = assertThrows(AerobustException.class,
                () -> Sweep.parse(FIG + "atacks: []\n", "fig.yaml", "t"));
        assertTrue(top.getMessage().startsWith("fig.yaml:17: unknown key 'atacks'"), top.getMessage());
    }

    @Test
    void anInvalidValueIsNamedWithItsLine() {
        AerobustException e = assertThrows(AerobustException.class,
                () -> Sweep.parse(FIG.replace("stp: 0.4\n", "stp: -1\n"), "fig.yaml", "t"));
        assertEquals("fig.yaml:8: stp must be a number >= 0, got '-1'", e.getMessage());
        AerobustException f = assertThrows(AerobustException.class,
                () -> Sweep.parse(FIG.replace("family: vae", "family: gan"), "fig.yaml", "t"));
        assertTrue(f.getMessage().startsWith("fig.yaml:7: unknown family 'gan' (known: ae, dae"), f.getMessage());
        AerobustException g = assertThrows(AerobustException.class,
                () -> Sweep.parse(FIG.replace("{attack: cw-linf, steps: 5}", "{attack: cw-linf, restarts: 5}"),
                        "fig.yaml", "t"));
        assertTrue(g.getMessage().contains("--restarts does not apply here"), g.getMessage());
        AerobustException y = assertThrows(AerobustException.class,
                () -> Sweep.parse("name: [unclosed\n", "fig.yaml", "t"));
        assertTrue(y.getMessage().startsWith("fig.yaml:"), y.getMessage());
        assertTrue(y.getMessage().contains("not valid YAML"), y.getMessage());
    }

    /** Every shipped sweep file (the figures, the profiles) reads and expands. */
    @Test
    void everyShippedSweepFileExpands() throws IOException {
        Path dir = Path.of("sweeps");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertTrue(all.size() >= 20, "sweep files: " + all);
            for (Path f : all) {
                Sweep s = Sweep.load(f);
                assertTrue(s.size() > 0, f.toString());
                assertEquals(f.getFileName().toString().replace(".yaml", ""), s.name());
                try (InputStream in = getClass().getResourceAsStream("/sweeps/" + f.getFileName())) {
                    assertTrue(in != null, f + " is packaged for reproduce");
                    assertEquals(Files.readString(f), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }
}
