package dev.aerobust.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aerobust.store.ModelStore;
import dev.aerobust.testing.ChildCli;
import dev.aerobust.testing.Synthetic;

/**
 * {@code sweep --jobs 2}: units side by side in worker processes give the results of one job at the same thread
 * count, number for number; no unit starts before the models it needs are trained, nor beside the same attack
 * on the same model; a sweep killed with SIGKILL leaves no worker running, and run again finishes with one row
 * per unit and eps.
 */
@Tag("slow")
class SweepJobsTest {

    @TempDir
    Path tmp;

    private Path data;
    private Path file;

    private static final String SWEEP = """
            name: jobs
            datasets: [btsc]
            classifier: {epochs: 2, batch: 8}
            autoencoders:
              - {family: [ae, vae], stp: 0.4, epochs: 2, batch: 8}
            evaluations:
              - {n: 6, eps: [0, 0.01, 0.03]}
              - {n: 6, eps: [0, 0.01, 0.03], defense: sampled, scale: 1, draws: 2}
            attacks:
              - {attack: cw-linf, steps: 20}
            """;

    private static final Pattern EVENT = Pattern.compile("\\[sweep jobs] unit (\\d+)/\\d+ (started|finished)");

    @BeforeEach
    void files() throws Exception {
        data = tmp.resolve("data");
        Synthetic.btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        Synthetic.btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        file = tmp.resolve("jobs.yaml");
        Files.writeString(file, SWEEP);
    }

    /** Runs the CLI to a clean exit; its standard output (the log and bars are on standard error). */
    private String run(String home, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data-dir", data.toString()));
        ChildCli.Result r = ChildCli.run(tmp.resolve(home), java.util.Map.of(), 600, all.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        return r.out();
    }

    /** The results CSV without the columns that name the home or time the run. */
    private List<String> results(String home) throws Exception {
        List<String> lines = run(home, "results", file.toString(), "--csv").lines().toList();
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int seconds = header.indexOf("attack_seconds");
        int record = header.indexOf("record");
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(l.split(",", -1)));
            cells.remove(Math.max(seconds, record));
            cells.remove(Math.min(seconds, record));
            out.add(String.join(",", cells));
        }
        return out;
    }

    @Test
    void twoJobsGiveTheNumbersOfOneAndRespectEveryDependency() throws Exception {
        // the classifier first, at one thread in both homes: every unit of both sweeps then runs at one thread
        for (String home : List.of("two", "one")) {
            run(home, "train", "classifier", "--dataset", "btsc", "--epochs", "2", "--batch", "8", "--threads", "1");
        }
        String parallel = run("two", "sweep", file.toString(), "--jobs", "2", "--threads", "2");
        String single = run("one", "sweep", file.toString(), "--threads", "1");
        for (String out : List.of(parallel, single)) {
            assertTrue(out.contains("  1  done   train classifier btsc seed 0"), out);
        }
        assertFalse(parallel.contains("2 threads;"), "every unit ran at one thread:\n" + parallel);
        List<String> a = results("two");
        List<String> b = results("one");
        // 3 models x 3 eps under the deterministic defense, the VAE's 3 eps under the sampled one
        assertEquals(1 + 12, a.size(), String.join("\n", a));
        assertEquals(b, a, "two jobs at one thread each stored the numbers of one job at one thread");

        // unit numbers: 1 classifier, 2 its attack, 3 ae, 4 its attack, 5 vae, 6-7 its attacks (deterministic, sampled)
        List<String[]> events = new ArrayList<>();
        for (String line : parallel.lines().toList()) {
            Matcher m = EVENT.matcher(line);
            if (m.find()) {
                events.add(new String[] {m.group(1), m.group(2)});
            }
        }
        assertEquals(12, events.size(), parallel);
        Map<Integer, Integer> finishedAt = new HashMap<>();
        int running = 0;
        int most = 0;
        for (int k = 0; k < events.size(); k++) {
            int unit = Integer.parseInt(events.get(k)[0]);
            if (events.get(k)[1].equals("finished")) {
                finishedAt.put(unit, k);
                running--;
                continue;
            }
            running++;
            most = Math.max(most, running);
            // the classifier (unit 1) is stored; the AE's attack needs the AE (3), the VAE's the VAE (5)
            int needs = unit == 4 ? 3 : unit >= 6 ? 5 : 0;
            assertTrue(needs == 0 || finishedAt.containsKey(needs), "unit " + unit + " started before unit " + needs
                    + " finished:\n" + parallel);
        }
        assertEquals(2, most, "two units ran at once:\n" + parallel);
        // the VAE's CW-Linf under the deterministic and the sampled defense share their rows: never at once
        assertFalse(overlap(events, 6, 7), parallel);
    }

    /** Whether units {@code a} and {@code b} ran at the same time (each started before the other finished). */
    private static boolean overlap(List<String[]> events, int a, int b) {
        int sa = index(events, a, "started");
        int fa = index(events, a, "finished");
        int sb = index(events, b, "started");
        int fb = index(events, b, "finished");
        return sa < fb && sb < fa;
    }

    private static int index(List<String[]> events, int unit, String what) {
        for (int k = 0; k < events.size(); k++) {
            if (events.get(k)[0].equals(String.valueOf(unit)) && events.get(k)[1].equals(what)) {
                return k;
            }
        }
        throw new AssertionError("no event " + what + " of unit " + unit);
    }

    @Test
    void aSweepKilledWithItsWorkersRunningLeavesNoneAndFinishesWhenRunAgain() throws Exception {
        List<String> args = List.of("sweep", file.toString(), "--jobs", "2", "--threads", "2", "--data-dir",
                data.toString());
        Process first = ChildCli.merged(tmp.resolve("home"), args.toArray(String[]::new)).start();
        List<String> log = new ArrayList<>();
        List<ProcessHandle> workers = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(first.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            int starts = 0;
            while ((line = r.readLine()) != null) {
                log.add(line);
                starts += line.contains("/7 started:") ? 1 : 0;
                // the sixth unit is starting: at least four are done, at most two running
                if (starts == 6) {
                    workers.addAll(first.descendants().toList());
                    first.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertFalse(workers.isEmpty(), String.join("\n", log));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (workers.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(workers.stream().noneMatch(ProcessHandle::isAlive), "every worker stopped with the sweep");

        assertTrue(log.stream().anyMatch(l -> l.contains("unit 1/7 started: train classifier btsc seed 0 (1 running,"
                + " 2 threads")), "the classifier, which every other unit waits for, ran alone on both threads:\n"
                + String.join("\n", log));

        String again = run("home", "sweep", file.toString(), "--jobs", "2", "--threads", "2");
        assertTrue(again.contains("units done in"), again);
        long reused = again.lines().filter(l -> l.contains(" done   ")).count();
        // when the sixth unit started, at least four were done
        assertTrue(reused >= 4, "the units finished before the kill were reused:\n" + again);
        List<String> rows = results("home").stream().skip(1).filter(l -> !l.contains(",worst-case,")).toList();
        // 3 models x 3 eps under the deterministic defense, the VAE's 3 eps under the sampled one
        assertEquals(9 + 3, rows.size(), String.join("\n", rows));
        assertEquals(rows.size(), rows.stream().distinct().count(), "one row per unit and eps");
    }

    /**
     * A unit that fails stops the sweep with the worker's exit code and last line, and the unit running beside it
     * is stopped rather than waited for (workers faked by shell commands).
     */
    @Test
    void aFailingUnitStopsTheSweepWithItsExitCodeAndLine() throws Exception {
        SweepRunner runner = new SweepRunner(Sweep.load(file), data, new ModelStore(tmp.resolve("models")),
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")));
        List<Process> started = new ArrayList<>();
        int[] failing = {-1};
        SweepJobs jobs = new SweepJobs(runner, 2, 2, (index, label, threads) -> {
            // the classifier (unit 1) passes; the unit started after it fails with a data error while the one
            // started beside it runs on
            if (started.size() == 1) {
                failing[0] = index;
            }
            String script = index == 0 ? "exit 0" : started.size() == 1
                    ? "echo 'aerobust: bad pixels in 00001.ppm'; exit 3" : "sleep 60";
            Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
            started.add(p);
            return p;
        });
        java.io.StringWriter text = new java.io.StringWriter();
        long t0 = System.nanoTime();
        dev.aerobust.util.AerobustException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.aerobust.util.AerobustException.class, () -> jobs.run(new java.io.PrintWriter(text)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "the sleeping unit was not waited for");
        assertEquals(dev.aerobust.util.ExitCode.DATA, e.exitCode());
        assertEquals("sweep jobs: unit " + (failing[0] + 1) + " (" + runner.order().get(failing[0]).label()
                + ") failed: bad pixels in 00001.ppm", e.getMessage());
        assertEquals(3, started.size(), text.toString());
        assertTrue(started.stream().noneMatch(Process::isAlive), "no worker outlived the sweep");
        assertTrue(text.toString().contains("unit " + (failing[0] + 1) + "/7 failed (exit 3)"), text.toString());
        assertEquals(dev.aerobust.util.ExitCode.INTERNAL, SweepJobs.exitCode(143), "a worker killed by a signal");
    }

    /**
     * A sitting with a time limit starts a unit only while its estimate (corrected by the sitting's pace) ends
     * within the limit; running units finish, nothing fails, the rest is left for the next sitting. Workers faked
     * by shell commands of 1 s; the limit is just over the classifier's estimate, which the AE's training (24 s
     * estimated) fits in after it and the VAE's (its ELBO samples) does not: the classifier, the AE and the
     * attacks on both run, the VAE and its two attacks are left. A limit nothing fits in starts nothing.
     */
    @Test
    void aSittingsTimeLimitStartsOnlyTheUnitsThatFit() throws Exception {
        SweepRunner runner = new SweepRunner(Sweep.load(file), data, new ModelStore(tmp.resolve("models")),
                new dev.aerobust.store.ResultsStore(tmp.resolve("results")));
        List<SweepRunner.Step> plan = runner.plan(1);
        double limit = plan.get(0).seconds() + 0.5;
        assertTrue(plan.get(2).seconds() + 3 < limit && plan.get(4).seconds() > limit, "the premise: " + plan);
        List<Integer> started = new ArrayList<>();
        SweepJobs.Workers sleeper = (index, label, threads) -> {
            started.add(index);
            return new ProcessBuilder("sh", "-c", "sleep 1").redirectErrorStream(true).start();
        };
        java.io.StringWriter text = new java.io.StringWriter();
        new SweepJobs(runner, 2, 2, sleeper).run(new java.io.PrintWriter(text), limit);
        assertEquals(List.of(0, 1, 2, 3), started.stream().sorted().toList(), text.toString());
        assertTrue(text.toString().contains("leaves 3 units for the next sitting"), text.toString());
        // the dry run's count, at the plan's estimates: after the classifier's, the AE's 24 s no longer fit; the
        // run fitted them because its pace found the classifier far faster than estimated
        assertEquals(2, SweepJobs.unitsInSitting(runner, plan, 2, limit));
        assertEquals(7, SweepJobs.unitsInSitting(runner, plan, 2, Double.POSITIVE_INFINITY));
        assertEquals(0, SweepJobs.unitsInSitting(runner, plan, 2, 1e-3));

        started.clear();
        text = new java.io.StringWriter();
        new SweepJobs(runner, 2, 2, sleeper).run(new java.io.PrintWriter(text), 1e-3);
        assertEquals(List.of(), started, text.toString());
        assertTrue(text.toString().contains("leaves 7 units for the next sitting"), text.toString());
        text = new java.io.StringWriter();
        runner.run(new java.io.PrintWriter(text), 1e-3);
        assertTrue(text.toString().contains("leaves 7 units for the next sitting"), "one job: " + text);
    }

    /**
     * On the paper profile: every attack waits for its model and classifier, every autoencoder for its
     * classifier; the same surrogate attack on one model under two defenses never runs twice at once, while an
     * attack with EOT at two latent scales, or CW-Linf beside AutoAttack, may.
     */
    @Test
    void thePaperProfilesUnitsWaitForTheirModelsAndShareNoSurrogateAtOnce() {
        SweepRunner r = new SweepRunner(Sweep.bundled("paper-mnist").orElseThrow(), data, null, new dev.aerobust.store.ResultsStore(tmp));
        List<Sweep.Unit> order = r.order();
        int[][] deps = r.dependencies(order);
        int classifier = order.indexOf(order.stream().filter(u -> u instanceof Sweep.TrainUnit t && !t.autoencoder())
                .findFirst().orElseThrow());
        Map<String, List<Sweep.AttackUnit>> vae04 = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            List<Integer> d = Arrays.stream(deps[i]).boxed().toList();
            int unit = i;
            assertTrue(d.stream().allMatch(j -> j < unit), "unit " + (i + 1) + " waits for a later one");
            if (order.get(i) instanceof Sweep.TrainUnit t) {
                assertEquals(t.autoencoder() ? List.of(classifier) : List.of(), d, t.label());
            } else {
                Sweep.AttackUnit a = (Sweep.AttackUnit) order.get(i);
                assertTrue(d.contains(order.indexOf(a.model())) && d.contains(classifier), a.label());
                assertEquals(a.model().autoencoder() ? 2 : 1, d.size(), a.label());
                if (a.label().contains("on vae stp 0.4")) {
                    vae04.computeIfAbsent(dev.aerobust.attack.AttackConfig.describe(a.attack()),
                            k -> new ArrayList<>()).add(a);
                }
            }
        }
        // CW-Linf on the VAE at stp 0.4: the deterministic defense and the sampled one at 4 scales
        assertEquals(5, vae04.get("cw-linf").size());
        assertEquals(1, vae04.get("cw-linf").stream().map(Scheduler::key).distinct().count());
        // APGD-CE with EOT attacks each sampled defense itself: the 4 scales share nothing
        String eot = vae04.keySet().stream().filter(k -> k.startsWith("apgd-ce (eot_draws")).findFirst().orElseThrow();
        assertEquals(4, vae04.get(eot).size());
        assertEquals(4, vae04.get(eot).stream().map(Scheduler::key).distinct().count());
        assertFalse(Scheduler.key(vae04.get("cw-linf").get(0)).equals(Scheduler.key(vae04.get("autoattack (version fast)").get(0))));
    }

    /**
     * The dry run's wall time of jobs side by side: one job adds the units up; as many jobs as units leave the
     * longest chain (classifier, VAE, then CW-Linf under the deterministic and the sampled defense, which share
     * the surrogate's rows and so never run at once); a done unit costs nothing.
     */
    @Test
    void theWallTimeOfJobsFollowsTheDependenciesAndTheSharedRows() {
        SweepRunner r = new SweepRunner(Sweep.load(file), data, null, new dev.aerobust.store.ResultsStore(tmp));
        List<Sweep.Unit> order = r.order();
        List<SweepRunner.Step> plan = order.stream().map(u -> new SweepRunner.Step(u.label(), false, 10, "k")).toList();
        assertEquals(10.0 * order.size(), SweepJobs.wallSeconds(r, plan, 1), 1e-9);
        assertEquals(40, SweepJobs.wallSeconds(r, plan, order.size()), 1e-9);
        double two = SweepJobs.wallSeconds(r, plan, 2);
        assertTrue(two >= Math.max(40, 10.0 * order.size() / 2) && two < 10.0 * order.size(), "two jobs: " + two);
        List<SweepRunner.Step> classifierDone = new ArrayList<>(plan);
        classifierDone.set(0, new SweepRunner.Step(order.get(0).label(), true, 0, "k"));
        assertTrue(order.get(0) instanceof Sweep.TrainUnit t && !t.autoencoder());
        assertEquals(30, SweepJobs.wallSeconds(r, classifierDone, order.size()), 1e-9);
    }
}
