package dev.aerobust.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver of a sweep run on Spark: reads the plan that {@code aerobust sweep FILE --spark MASTER} wrote, then
 * runs its stages one after another, each unit of a stage a task ({@link UnitTask}) that takes {@code threads}
 * cores ({@code spark.task.cpus}), so an executor never runs more unit threads than its cores. Spark retries a
 * failed or lost task; the units write the store as a local run does, so a retry redoes only what is missing.
 *
 * <p>Started by aerobust ({@code --watch-stdin}: it stops when aerobust is gone), or by spark-submit on a plan
 * written with {@code --spark submit}: {@code spark-submit --class dev.aerobust.spark.SparkSweep aerobust-spark.jar
 * PLAN}. A failure ends with one line {@code aerobust: exit CODE: MESSAGE}, the code a failed unit's worker
 * ended with (2 usage, 3 data, 4 file system...), or 1.
 */
public final class SparkSweep {

    private static final Pattern UNIT_FAILURE = Pattern.compile(
            "unit (\\d+) \\((.*?)\\) failed with exit (\\d+): (.*)");

    private final Plan plan;

    SparkSweep(Plan plan) {
        this.plan = plan;
    }

    public static void main(String[] args) {
        boolean watch = args.length == 2 && "--watch-stdin".equals(args[0]);
        if (args.length != (watch ? 2 : 1)) {
            System.err.println("usage: SparkSweep [--watch-stdin] PLAN.json   (the plan aerobust sweep FILE --spark"
                    + " submit writes)");
            System.exit(2);
        }
        if (watch) {
            Thread t = new Thread(() -> {
                try {
                    while (System.in.read() != -1) {
                        // aerobust writes nothing; it only holds the pipe open
                    }
                } catch (IOException ignored) {
                    // the same: aerobust is gone
                }
                System.err.println("aerobust: the sweep that started this Spark driver is gone; stopping");
                Runtime.getRuntime().halt(1);
            }, "aerobust-watch");
            t.setDaemon(true);
            t.start();
        }
        int code;
        try {
            code = new SparkSweep(Plan.read(Path.of(args[watch ? 1 : 0]))).run(System.out);
        } catch (IOException e) {
            System.out.println("aerobust: exit 4: cannot read the plan: " + e.getMessage());
            code = 4;
        }
        System.out.flush();
        System.exit(code);
    }

    /** The jar this class was loaded from, which executors load the tasks from; null when run from classes. */
    private static String ownJar() {
        try {
            Path p = Path.of(SparkSweep.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return p.toString().endsWith(".jar") ? p.toString() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Runs the plan's stages, printing to {@code out}; returns the exit code (0 when every unit is done). */
    int run(PrintStream out) {
        SparkConf conf = new SparkConf().setAppName("aerobust sweep " + plan.sweep());
        if (!"submit".equals(plan.master())) {
            conf.setMaster(plan.master());
        }
        conf.set("spark.task.cpus", String.valueOf(plan.threads()));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        String jar = ownJar();
        if (jar != null) {
            conf.setIfMissing("spark.jars", jar);
        }
        plan.conf().forEach(conf::set);
        long t0 = System.nanoTime();
        StageProgress progress = new StageProgress(plan, out);
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) {  // Scala throws SparkException unchecked
            out.println("aerobust: exit 2: Spark did not start on " + plan.master() + ": " + firstLine(e));
            return 2;
        }
        boolean ranAStage = false;
        try {
            sc.sc().addSparkListener(progress);
            UnitTask task = new UnitTask(plan.command(), plan.env(), plan.threads());
            for (int k = 0; k < plan.stages().size(); k++) {
                List<Plan.Unit> st = plan.stages().get(k);
                out.printf(Locale.ROOT, "[sweep %s] stage %d/%d: %d unit%s%n", plan.sweep(), k + 1,
                        plan.stages().size(), st.size(), st.size() == 1 ? "" : "s");
                out.flush();
                sc.setLocalProperty(StageProgress.STAGE, String.valueOf(k));
                sc.setJobDescription("aerobust sweep " + plan.sweep() + ": stage " + (k + 1));
                sc.parallelize(st, st.size()).map(task).collect();
                ranAStage = true;
            }
        } catch (Exception e) {  // Scala throws SparkException unchecked
            // a unit failed on every attempt Spark gave it (or Spark itself failed)
            Matcher m = UNIT_FAILURE.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                out.println("aerobust: exit " + m.group(3) + ": unit " + m.group(1) + " (" + m.group(2)
                        + ") failed on Spark: " + m.group(4).lines().findFirst().orElse(""));
                return Integer.parseInt(m.group(3));
            }
            if (sc.sc().isStopped() && !ranAStage) {
                // the master never took the application: a wrong URL, or a cluster that is down
                out.println("aerobust: exit 2: Spark's master " + plan.master() + " did not take the"
                        + " application (unreachable, or it refused it; Spark's lines above say which)");
                return 2;
            }
            out.println("aerobust: exit 1: the Spark run failed: " + firstLine(e));
            return 1;
        } finally {
            sc.stop();
        }
        out.printf(Locale.ROOT, "[sweep %s] %d units run on Spark in %.1f s (%d task attempt%s failed and %s"
                + " run again)%n", plan.sweep(), plan.units(), (System.nanoTime() - t0) / 1e9,
                progress.failedAttempts(), progress.failedAttempts() == 1 ? "" : "s",
                progress.failedAttempts() == 1 ? "was" : "were");
        return 0;
    }

    private static String firstLine(Throwable e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getSimpleName());
    }
}
