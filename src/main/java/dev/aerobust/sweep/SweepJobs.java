package dev.aerobust.sweep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/**
 * Runs a sweep's units side by side, each in a worker process of its own (libtorch's generator and thread pool
 * are process-wide, so units in one JVM would disturb each other's seeded numbers). At most {@code jobs} workers
 * run at once, each with its share of the engine threads, never more threads in all than the run was given (a
 * unit that starts alone, nothing else running or startable, and that other units wait for takes them all). A
 * unit starts once the units it needs are done (an attack's trained models, an autoencoder's classifier) and no
 * running unit attacks the same model's deterministic surrogate with the same attack (they share its rows).
 *
 * <p>Each worker stores its unit as the one-at-a-time runner does, so a killed sweep, run again, redoes only the
 * units it was running. A worker reads its standard input and stops when that closes: a sweep killed even with
 * SIGKILL leaves no worker behind. The first unit that fails stops the others and the sweep, with the worker's
 * exit code and last line.
 */
public final class SweepJobs {

    /** Starts one unit in a worker process; its standard output and error, merged, are read by the runner. */
    public interface Workers {
        /** Unit {@code index} (0-based, in the runner's order) whose label is {@code label}, at {@code threads}. */
        Process start(int index, String label, int threads) throws IOException;
    }

    private record Finished(int index, int exitCode, double seconds, List<String> lastLines) {
    }

    private final SweepRunner runner;
    private final int jobs;
    private final int threads;
    private final int threadsEach;
    private final Workers workers;

    /**
     * @param jobs    units at once, at least 2 (one is {@link SweepRunner#run(PrintWriter)})
     * @param threads the engine threads of the whole run, shared among the workers; at least {@code jobs} (a
     *                user's count is checked by the command)
     */
    public SweepJobs(SweepRunner runner, int jobs, int threads, Workers workers) {
        if (jobs < 2) {
            throw new IllegalArgumentException("jobs must be at least 2, got " + jobs);
        }
        if (threads < jobs) {
            // the command checks the user's --jobs against the threads first (JobsOption.validate)
            throw new IllegalArgumentException(jobs + " jobs on " + threads + " threads");
        }
        this.runner = runner;
        this.jobs = jobs;
        this.threads = threads;
        this.threadsEach = threads / jobs;
        this.workers = workers;
    }

    /** Runs every unit not yet done; returns the seconds it took. */
    public double run(PrintWriter out) throws IOException {
        return run(out, Double.POSITIVE_INFINITY);
    }

    /**
     * Runs the units not yet done within a sitting of {@code limitSeconds}: a unit starts only if its estimate
     * (corrected by this sitting's pace) ends within the limit; running units finish; the rest is left for the
     * next sitting. Returns the seconds it took.
     */
    public double run(PrintWriter out, double limitSeconds) throws IOException {
        List<SweepRunner.Step> plan = runner.plan(threadsEach);
        runner.checkSize(plan);
        SweepRunner.print(plan, out);
        describe(out, jobs, threadsEach, wallSeconds(runner, plan, jobs));
        out.flush();
        Schedule run = new Schedule(plan, runner.order(), out, limitSeconds);
        Thread hook = new Thread(() -> run.running.values().forEach(SweepJobs::stop));
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            run.startReady();
            while (!run.running.isEmpty()) {
                run.ended(take(run.finished));
                run.startReady();
            }
        } finally {
            for (Process p : run.running.values()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran: nothing to undo
            }
        }
        run.throwIfFailed();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (run.doneCount < plan.size()) {
            out.println(SweepRunner.sittingEnd(run.name, plan.size() - run.doneCount, limitSeconds, secs));
        } else {
            out.printf("sweep %s: %d units done in %s%n", run.name, plan.size(), Progress.seconds(secs));
        }
        out.flush();
        return secs;
    }

    /** One run's state: which units are done, started, running and on how many threads, and the first failure. */
    private final class Schedule {
        final String name = runner.sweep().name();
        final List<SweepRunner.Step> plan;
        final List<Sweep.Unit> units;
        final PrintWriter out;
        final int[][] deps;
        final Scheduler scheduler;
        /** Whether another unit waits for this one. */
        final boolean[] needed;
        final Map<Integer, Process> running = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Integer> threadsOf = new java.util.HashMap<>();
        final Map<Integer, Long> startedAt = new java.util.HashMap<>();
        final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        // the plan's estimates are at the workers' threads already
        final SweepRunner.Pace pace = new SweepRunner.Pace();
        final double limitSeconds;
        final long t0 = System.nanoTime();
        /** Whether a unit was left because its estimate did not fit in the sitting's time limit. */
        boolean limited;
        int doneCount;
        Finished failed;

        Schedule(List<SweepRunner.Step> plan, List<Sweep.Unit> units, PrintWriter out, double limitSeconds) {
            this.plan = plan;
            this.units = units;
            this.out = out;
            this.limitSeconds = limitSeconds;
            int n = units.size();
            deps = runner.dependencies(units);
            boolean[] done = new boolean[n];
            needed = new boolean[n];
            for (int i = 0; i < n; i++) {
                done[i] = plan.get(i).done();
                doneCount += done[i] ? 1 : 0;
                for (int j : deps[i]) {
                    needed[j] = true;
                }
            }
            scheduler = new Scheduler(units, deps, done);
        }

        /**
         * Starts, longest path to the sweep's end first ({@link Scheduler#byCriticalPath}), every unit that may
         * start while threads are free (none after a failure).
         */
        void startReady() throws IOException {
            if (failed != null) {
                return;
            }
            int n = units.size();
            int startable = scheduler.readyCount();
            for (int i : Scheduler.byCriticalPath(deps, plan)) {
                if (threads - used() < threadsEach) {
                    break;
                }
                if (scheduler.ready(i) && !fits(i)) {
                    limited = true;
                } else if (scheduler.ready(i)) {
                    // a unit the rest waits for (the classifier at the start) takes every thread
                    int t = running.isEmpty() && startable == 1 && needed[i] ? threads : threadsEach;
                    scheduler.start(i);
                    threadsOf.put(i, t);
                    startedAt.put(i, System.nanoTime());
                    running.put(i, start(i, units.get(i).label(), t, out, finished));
                    out.printf("[sweep %s] unit %d/%d started: %s (%d running, %d thread%s; sweep eta %s)%n", name,
                            i + 1, n, units.get(i).label(), running.size(), t, t == 1 ? "" : "s",
                            Progress.seconds(eta()));
                    out.flush();
                }
            }
        }

        /** Takes a worker's end: the unit is done, or the sweep stops (the other workers with it). */
        void ended(Finished f) {
            running.remove(f.index());
            threadsOf.remove(f.index());
            startedAt.remove(f.index());
            scheduler.release(f.index());
            SweepRunner.Step s = plan.get(f.index());
            if (f.exitCode() == 0) {
                scheduler.finish(f.index());
                doneCount++;
                redoSetAside(f.index());
                pace.finished(s, f.seconds());
                out.printf("[sweep %s] unit %d/%d finished in %.1f s: %s (%d of %d done)%n", name, f.index() + 1,
                        units.size(), f.seconds(), s.label(), doneCount, units.size());
            } else if (failed == null) {
                failed = f;
                out.printf("[sweep %s] unit %d/%d failed (exit %d): %s; stopping the %d other unit(s)%n", name,
                        f.index() + 1, units.size(), f.exitCode(), s.label(), running.size());
                running.values().forEach(SweepJobs::stop);
            }
            out.flush();
        }

        /**
         * After a training, the units on its model that were done and are not any more: a model trained again to
         * other weights than its records were made on has them set aside, so they run again in this sitting.
         */
        void redoSetAside(int trained) {
            if (!(units.get(trained) instanceof Sweep.TrainUnit)) {
                return;
            }
            for (int i = 0; i < units.size(); i++) {
                if (scheduler.done(i) && !running.containsKey(i) && Arrays.stream(deps[i]).anyMatch(d -> d == trained)
                        && !runner.isDone(units.get(i))) {
                    scheduler.redo(i);
                    doneCount--;
                    plan.set(i, plan.get(i).undone());
                }
            }
        }

        void throwIfFailed() {
            if (failed != null) {
                List<String> lines = failed.lastLines();
                String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).replaceFirst("^aerobust: ",
                        "");
                throw new AerobustException(exitCode(failed.exitCode()), "sweep " + name + ": unit "
                        + (failed.index() + 1) + " (" + units.get(failed.index()).label() + ") failed: " + last);
            }
            if (doneCount < units.size() && !limited) {
                // only a unit whose dependency is not in the sweep could be left: a bug in the plan
                throw new IllegalStateException("sweep " + name + ": " + (units.size() - doneCount)
                        + " units could not start");
            }
        }

        /** Whether unit {@code i}, started now, ends within the sitting's time limit by its corrected estimate. */
        private boolean fits(int i) {
            SweepRunner.Step s = plan.get(i);
            return SweepRunner.fits((System.nanoTime() - t0) / 1e9, s.seconds() * pace.factor(s.kind()),
                    limitSeconds);
        }

        private int used() {
            return threadsOf.values().stream().mapToInt(Integer::intValue).sum();
        }

        /**
         * The wall time left: the units not done, at their estimates corrected by this run's pace (a running one's
         * less the time it has run), run {@code jobs} at a time as {@link #wallSeconds} schedules them.
         */
        private double eta() {
            List<SweepRunner.Step> left = new ArrayList<>();
            long now = System.nanoTime();
            for (int i = 0; i < plan.size(); i++) {
                SweepRunner.Step s = plan.get(i);
                double secs = s.seconds() * pace.factor(s.kind());
                Long t0 = startedAt.get(i);
                if (t0 != null) {
                    secs = Math.max(0, secs - (now - t0) / 1e9);
                }
                left.add(new SweepRunner.Step(s.label(), scheduler.done(i), scheduler.done(i) ? 0 : secs, s.kind()));
            }
            return wallSeconds(units, deps, left, jobs);
        }
    }

    /**
     * The estimated wall time of {@code plan} run {@code jobs} units at a time: the units are started in the
     * runner's order ({@link Scheduler#byCriticalPath}) (once the units they need are done, never two that must not
     * run at once),
     * each taking its estimate (made at a worker's threads).
     */
    public static double wallSeconds(SweepRunner runner, List<SweepRunner.Step> plan, int jobs) {
        List<Sweep.Unit> units = runner.order();
        return wallSeconds(units, runner.dependencies(units), plan, jobs);
    }

    /** The simulated wall time of {@code plan} with dependencies {@code deps} on {@code jobs} jobs (for tests). */
    static double simulatedWallSeconds(List<SweepRunner.Step> plan, int[][] deps, int jobs) {
        return simulate(java.util.stream.IntStream.range(0, plan.size()).boxed().toArray(), deps, plan, jobs,
                Double.POSITIVE_INFINITY)[0];
    }

    /** {@link #wallSeconds(SweepRunner, List, int)} of {@code units} (the runner's order) and their dependencies. */
    private static double wallSeconds(List<Sweep.Unit> units, int[][] deps, List<SweepRunner.Step> plan, int jobs) {
        return simulate(units.stream().map(Scheduler::key).toArray(), deps, plan, jobs, Double.POSITIVE_INFINITY)[0];
    }

    /**
     * How many of {@code plan}'s units not done a sitting of {@code limitSeconds} runs, {@code jobs} at a time, by
     * the runner's rule (a unit starts only if its estimate ends within the limit) at the plan's estimates.
     */
    public static int unitsInSitting(SweepRunner runner, List<SweepRunner.Step> plan, int jobs, double limitSeconds) {
        List<Sweep.Unit> units = runner.order();
        return (int) simulate(units.stream().map(Scheduler::key).toArray(), runner.dependencies(units), plan, jobs,
                limitSeconds)[1];
    }

    /** The schedule's wall time and the units it runs, starting a unit only if it ends within the limit. */
    private static double[] simulate(Object[] keys, int[][] deps, List<SweepRunner.Step> plan, int jobs,
                                     double limitSeconds) {
        int n = keys.length;
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            done[i] = plan.get(i).done();
        }
        Scheduler scheduler = new Scheduler(keys, deps, done);
        java.util.PriorityQueue<double[]> running = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingDouble((double[] e) -> e[0]).thenComparingDouble(e -> e[1]));
        double now = 0;
        int ran = 0;
        int[] order = Scheduler.byCriticalPath(deps, plan);
        while (true) {
            for (int i : order) {
                if (running.size() >= jobs) {
                    break;
                }
                if (scheduler.ready(i) && SweepRunner.fits(now, plan.get(i).seconds(), limitSeconds)) {
                    scheduler.start(i);
                    running.add(new double[] {now + plan.get(i).seconds(), i});
                    ran++;
                }
            }
            if (running.isEmpty()) {
                return new double[] {now, ran};
            }
            double[] e = running.poll();
            now = e[0];
            scheduler.finish((int) e[1]);
        }
    }

    /** The line that says how the jobs run and how long they are estimated to take. */
    public static void describe(PrintWriter out, int jobs, int threadsEach, double wallSeconds) {
        out.printf("%d jobs at once, %d engine thread%s each (the estimates above are at that count): about %s"
                + " of wall time%n", jobs, threadsEach, threadsEach == 1 ? "" : "s", Progress.seconds(wallSeconds));
        out.flush();
    }

    /**
     * Starts unit {@code i}, relays its output line by line, and reports its end on {@code finished} when the
     * worker exits (not when its output closes: a process it started could hold that open).
     */
    private Process start(int i, String label, int t, PrintWriter out, BlockingQueue<Finished> finished)
            throws IOException {
        long u0 = System.nanoTime();
        Process p = workers.start(i, label, t);
        Deque<String> last = new java.util.concurrent.ConcurrentLinkedDeque<>();
        Thread relay = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.println("  [" + (i + 1) + "] " + line);
                        out.flush();
                    }
                    if (!line.isBlank()) {
                        last.addLast(line);
                        if (last.size() > 5) {
                            last.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                last.addLast("its output could not be read: " + e.getMessage());
            }
        }, "sweep-unit-" + (i + 1));
        relay.setDaemon(true);
        relay.start();
        p.onExit().thenRun(() -> {
            double secs = (System.nanoTime() - u0) / 1e9;
            try {
                // the last lines, which say why a worker failed, may still be on their way
                relay.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.add(new Finished(i, p.exitValue(), secs, new ArrayList<>(last)));
        });
        return p;
    }

    /** Stops a worker and whatever it started. */
    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
    }

    private static Finished take(BlockingQueue<Finished> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AerobustException(ExitCode.INTERNAL, "interrupted while waiting for the sweep's units");
        }
    }

    /** A worker's exit code as the sweep's: the same kind of failure (a worker killed by a signal: internal). */
    static ExitCode exitCode(int code) {
        for (ExitCode c : ExitCode.values()) {
            if (c.code() == code && c != ExitCode.OK) {
                return c;
            }
        }
        return ExitCode.INTERNAL;
    }
}
