package dev.aerobust.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Option;

import dev.aerobust.nn.Engine;
import dev.aerobust.sweep.SweepJobs;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** The shared {@code --jobs} option of the commands that run a sweep: how many of its units run at once. */
final class JobsOption {

    @Option(names = "--jobs", paramLabel = "N", description = "Units run at once, each in a process of its own with"
            + " an equal share of the engine threads (--threads); a unit starts once the models it needs are"
            + " trained. More jobs than threads is an error: the cores are never oversubscribed."
            + " Default: ${DEFAULT-VALUE}. Speed only: results are stored as by one job, though a unit run at another"
            + " thread count may differ in the last bits.")
    int jobs = 1;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "Run for one sitting of at most this"
            + " long (e.g. 2h30m, 45m, 90s; a batch job's wall time): a unit starts only if its estimate, corrected"
            + " by the pace of this sitting's finished units, ends within the limit, and running units finish. The"
            + " units left are the next sitting's: the same command goes on from there. Default: no limit.")
    String timeLimit;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the units as the tasks of an Apache Spark"
            + " application on MASTER (local[2], spark://HOST:7077, yarn, k8s://...; 'submit': the master spark-submit"
            + " gives), in stages (the classifiers, then the autoencoders and the attacks on the classifiers, then the"
            + " attacks on the stacks); each task runs one unit in a worker process of its own at --threads engine"
            + " threads (default 1), and Spark gives it as many cores. $AEROBUST_HOME, the store, must be a path (or"
            + " file: URI) every node reaches; the results are those of a local run. Needs the Spark module, which"
            + " ./aerobust builds when --spark is first given. See docs/cluster.md.")
    String spark;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "A Spark setting for --spark (repeat it),"
            + " e.g. spark.executor.memory=2g or spark.executorEnv.LD_PRELOAD=...")
    Map<String, String> sparkConf = new LinkedHashMap<>();

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile(
            "(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    /** The sitting's time limit in seconds: {@code --time-limit}, or no limit. */
    double limitSeconds() {
        if (timeLimit == null) {
            return Double.POSITIVE_INFINITY;
        }
        java.util.regex.Matcher m = DURATION.matcher(timeLimit.trim());
        if (timeLimit.isBlank() || !m.matches()) {
            throw new AerobustException(ExitCode.USAGE, "--time-limit takes a duration such as 2h30m, 45m or 90s, got '"
                    + timeLimit + "'");
        }
        double secs = 0;
        int[] unit = {3600, 60, 1};
        for (int g = 1; g <= 3; g++) {
            secs += m.group(g) == null ? 0 : Double.parseDouble(m.group(g)) * unit[g - 1];
        }
        if (secs <= 0) {
            throw new AerobustException(ExitCode.USAGE, "--time-limit must be longer than zero, got '" + timeLimit + "'");
        }
        return secs;
    }

    /** Each unit's engine threads on Spark: --threads, else one (a task per core). */
    private static int sparkThreads(ThreadsOption threads) {
        return threads.threads != null ? threads.threads : 1;
    }

    /** Whether {@code --debug} (an option every command inherits) was given to the command of {@code spec}. */
    static boolean debug(picocli.CommandLine.Model.CommandSpec spec) {
        picocli.CommandLine.Model.OptionSpec o = spec.findOption("--debug");
        return o != null && Boolean.TRUE.equals(o.getValue());
    }

    /** Rejects a job count the run's threads cannot hold, before anything runs. */
    void validate(ThreadsOption threads) {
        limitSeconds();
        if (spark != null) {
            if (spark.isBlank()) {
                throw new AerobustException(ExitCode.USAGE, "--spark takes a Spark master URL (local[2],"
                        + " spark://HOST:7077, yarn...) or 'submit'");
            }
            if (jobs != 1) {
                throw new AerobustException(ExitCode.USAGE, "--jobs is for a run on this machine; with --spark, units"
                        + " run as the cluster's cores allow, --threads cores each");
            }
            if (timeLimit != null) {
                throw new AerobustException(ExitCode.USAGE, "--time-limit is for a run on this machine; a Spark run"
                        + " goes until its units are done (Spark retries lost tasks)");
            }
            if (threads.threads != null && threads.threads < 1) {
                throw new AerobustException(ExitCode.USAGE, "--threads must be a positive integer, got "
                        + threads.threads);
            }
            return;
        }
        if (!sparkConf.isEmpty()) {
            throw new AerobustException(ExitCode.USAGE, "--spark-conf goes with --spark");
        }
        if (jobs < 1) {
            throw new AerobustException(ExitCode.USAGE, "--jobs must be a positive integer, got " + jobs);
        }
        if (jobs > threads.total()) {
            throw new AerobustException(ExitCode.USAGE, "--jobs " + jobs + " would run more processes than the "
                    + threads.total() + " engine threads of this run (--threads, $" + Engine.THREADS_ENV
                    + " or the cores): at most " + threads.total());
        }
    }

    /**
     * A dry run: the plan with each unit's estimate at the threads it would run at and, with more than one job,
     * the wall time of the jobs side by side.
     */
    void dryRun(SweepRunner runner, ThreadsOption threads, PrintWriter out) throws IOException {
        dryRun(runner, threads, out, false);
    }

    /** {@link #dryRun(SweepRunner, ThreadsOption, PrintWriter)}, or with {@code json} the plan as one JSON object. */
    void dryRun(SweepRunner runner, ThreadsOption threads, PrintWriter out, boolean json) throws IOException {
        if (spark != null && !json) {
            List<SweepRunner.Step> plan = runner.plan(sparkThreads(threads));
            SweepRunner.print(plan, out);
            SparkRun.describe(dev.aerobust.sweep.SweepStages.of(runner, plan), spark, sparkThreads(threads), out);
            return;
        }
        int each = spark != null ? sparkThreads(threads) : threads.total() / jobs;
        List<SweepRunner.Step> plan = runner.plan(each);
        double limit = limitSeconds();
        if (json) {
            DryRun o = new DryRun(runner.sweep().name(), jobs, each,
                    Math.round(plan.stream().mapToDouble(SweepRunner.Step::seconds).sum()),
                    // on Spark: the stages, each a list of unit numbers (the wall time is the cluster's to say)
                    spark, spark == null ? null : dev.aerobust.sweep.SweepStages.of(runner, plan).stream()
                            .map(st -> st.stream().map(dev.aerobust.sweep.SweepStages.Unit::number).toList()).toList(),
                    spark != null ? null : Math.round(SweepJobs.wallSeconds(runner, plan, jobs)),
                    limit < Double.POSITIVE_INFINITY ? SweepJobs.unitsInSitting(runner, plan, jobs, limit) : null,
                    runner.planData(plan));
            out.println(Json.MAPPER.writeValueAsString(o));
            out.flush();
            return;
        }
        SweepRunner.print(plan, out);
        if (jobs > 1) {
            SweepJobs.describe(out, jobs, each, SweepJobs.wallSeconds(runner, plan, jobs));
        }
        if (limit < Double.POSITIVE_INFINITY) {
            long left = plan.stream().filter(s -> !s.done()).count();
            out.printf("a sitting of %s (--time-limit) would run about %d of the %d units to run, at these estimates"
                    + " (the run corrects them by its pace)%n", dev.aerobust.util.Progress.seconds(limit),
                    SweepJobs.unitsInSitting(runner, plan, jobs, limit), left);
            out.flush();
        }
    }

    /**
     * Runs the units of {@code runner}'s sweep that are not done: one after another, or {@code jobs} at a time
     * in worker processes that find the sweep by {@code source} ({@code --file PATH} or {@code --bundled NAME}),
     * with {@code --debug} if the command has it.
     */
    double run(SweepRunner runner, ThreadsOption threads, Path dataDir, List<String> source, boolean debug,
               PrintWriter out) throws IOException {
        validate(threads);
        if (spark != null) {
            return new SparkRun(spark, sparkConf, sparkThreads(threads)).run(runner, dataDir, source, debug, out);
        }
        if (jobs == 1) {
            return runner.run(out, limitSeconds());
        }
        return new SweepJobs(runner, jobs, threads.total(), (index, label, t) -> {
            List<String> cmd = SweepUnitCommand.command(source, dataDir, debug);
            cmd.addAll(List.of("--unit", String.valueOf(index + 1), "--label", label, "--threads", String.valueOf(t)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(SweepUnitCommand.threadEnv(t));
            return pb.start();
        }).run(out, limitSeconds());
    }

    /** What {@code --dry-run --json} prints: the plan and its estimates. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record DryRun(String sweep, int jobs, int threadsEach, long seconds, String sparkMaster,
                  List<List<Integer>> stages, Long wallSeconds, Integer unitsInSitting,
                  List<SweepRunner.PlannedUnit> units) {
    }
}
