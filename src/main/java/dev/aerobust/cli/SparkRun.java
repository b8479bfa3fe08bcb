package dev.aerobust.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.aerobust.data.DataHome;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.sweep.SweepStages;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;
import dev.aerobust.util.Progress;

/**
 * Runs a sweep's units as the tasks of an Apache Spark application ({@code --spark MASTER}). The core never loads
 * Spark: it plans the sweep, cuts it into stages ({@link SweepStages}), and starts the driver of aerobust's Spark
 * module (its own classpath, given by {@code $AEROBUST_SPARK_CLASSPATH}, which the launcher sets) with a plan file
 * that holds the stages and the command line of the unit worker ({@code sweep-unit}). Each task runs one unit in
 * such a worker process on its executor, so a unit's seeds and threads are its own whatever else the executor runs,
 * and it writes the store exactly as a local run does (atomic records, a lock per model and attack run): a task
 * Spark retries or runs twice (speculation) redoes only what is not stored. The store is {@code $AEROBUST_HOME},
 * which every node must reach at the same path, as it must reach aerobust itself.
 */
final class SparkRun {

    /** The classpath of the Spark module's driver: its jar and Spark's jars (the launcher sets it). */
    static final String CLASSPATH_ENV = "AEROBUST_SPARK_CLASSPATH";
    private static final String DRIVER = "dev.aerobust.spark.SparkSweep";
    /** The master that writes a plan for spark-submit rather than running one. */
    static final String SUBMIT = "submit";
    /** The driver's last line when it fails: {@code aerobust: exit <code>: <message>}. */
    private static final java.util.regex.Pattern FAILURE = java.util.regex.Pattern.compile(
            "aerobust: exit (\\d+): (.*)");

    private final String master;
    private final Map<String, String> conf;
    private final int threads;

    /**
     * @param master  a Spark master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn}...), or
     *                {@code submit} for the one spark-submit gives
     * @param conf    Spark settings given on the command line
     * @param threads each unit's engine threads, and the cores Spark gives its task
     */
    SparkRun(String master, Map<String, String> conf, int threads) {
        this.master = master;
        this.conf = conf;
        this.threads = threads;
    }

    /** The dry run's account of the stages the plan would run as. */
    static void describe(List<List<SweepStages.Unit>> stages, String master, int threads, PrintWriter out) {
        if (stages.isEmpty()) {
            out.printf("on Spark (%s): nothing to run%n", master);
            return;
        }
        out.printf("on Spark (%s): %d stage%s, each unit a task of %d core%s (the units of a stage run at once as"
                + " the executors' cores allow):%n", master, stages.size(), stages.size() == 1 ? "" : "s", threads,
                threads == 1 ? "" : "s");
        for (int s = 0; s < stages.size(); s++) {
            List<SweepStages.Unit> st = stages.get(s);
            double longest = st.stream().mapToDouble(SweepStages.Unit::seconds).max().orElse(0);
            double sum = st.stream().mapToDouble(SweepStages.Unit::seconds).sum();
            out.printf(Locale.ROOT, "  stage %d: %d unit%s, estimated %s in all, the longest %s%n", s + 1, st.size(),
                    st.size() == 1 ? "" : "s", Progress.seconds(sum), Progress.seconds(longest));
        }
        out.flush();
    }

    /**
     * Runs every unit of {@code runner}'s sweep that is not done on Spark; workers find the sweep by
     * {@code source} ({@code --file PATH} or {@code --bundled NAME}). Returns the seconds it took.
     */
    double run(SweepRunner runner, Path dataDir, List<String> source, boolean debug, PrintWriter out)
            throws IOException {
        Path jar = moduleJar();
        long t0 = System.nanoTime();
        String name = runner.sweep().name();
        List<SweepRunner.Step> plan = runner.plan(threads);
        runner.checkSize(plan);
        SweepRunner.print(plan, out);
        List<List<SweepStages.Unit>> stages = SweepStages.of(runner, plan);
        describe(stages, master, threads, out);
        if (stages.isEmpty()) {
            out.printf("sweep %s: %d units done (reused)%n", name, plan.size());
            out.flush();
            return 0;
        }
        Path home = DataHome.home();
        Worker w = worker(home, dataDir, shared(source, home, name), debug);
        if (SUBMIT.equals(master)) {
            // a plan for spark-submit (YARN, Kubernetes...): written where the store is, run by the user
            Path spec = home.resolve("spark").resolve("plan-" + name + ".json");
            Files.createDirectories(spec.getParent());
            Atomic.writeString(spec, specJson(name, plan.size(), stages, w));
            out.printf("sweep %s: the plan of its %d units to run is %s; run it with%n  spark-submit --class %s"
                    + " [--master ...] %s %s%nthen 'aerobust sweep' on the same file shows them done.%n", name,
                    stages.stream().mapToInt(List::size).sum(), spec, DRIVER, jar, spec);
            out.flush();
            return 0;
        }
        Path dir = home.resolve("spark");
        Files.createDirectories(dir);
        Path spec = Files.createTempFile(dir, "run-", ".json");
        Files.writeString(spec, specJson(name, plan.size(), stages, w));
        try {
            drive(spec, out);
        } finally {
            Files.deleteIfExists(spec);
        }
        // what the tasks stored, read back as a local run would read it
        List<SweepRunner.Step> after = runner.plan(threads);
        long left = after.stream().filter(s -> !s.done()).count();
        if (left > 0) {
            throw new IllegalStateException("the Spark run ended but " + left + " unit(s) of sweep " + name
                    + " are not stored");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        out.printf("sweep %s: %d units done in %s (on Spark, %s)%n", name, plan.size(), Progress.seconds(secs),
                master);
        out.flush();
        return secs;
    }

    /**
     * The sweep's source as every node reads it: a bundled sweep by name; a file copied into the store (which every
     * node reaches), named by its content.
     */
    private static List<String> shared(List<String> source, Path home, String name) throws IOException {
        if (!"--file".equals(source.get(0))) {
            return source;
        }
        byte[] text = Files.readAllBytes(Path.of(source.get(1)));
        Path copy = home.resolve("spark").resolve("sweeps").resolve(name + "-" + Hashing.sha256(text).substring(0, 12)
                + ".yaml");
        if (!Files.exists(copy)) {
            Files.createDirectories(copy.getParent());
            Atomic.writeBytes(copy, text);
        }
        return List.of("--file", copy.toString());
    }

    /** The unit worker's command line, less its unit, label and threads, and its environment. */
    private Worker worker(Path home, Path dataDir, List<String> source, boolean debug) {
        List<String> cmd = SweepUnitCommand.command(source, dataDir, debug);
        Map<String, String> env = new LinkedHashMap<>();
        env.put(DataHome.HOME_ENV, home.toString());
        env.put("OPENBLAS_NUM_THREADS", "1");
        env.putAll(SweepUnitCommand.threadEnv(threads));
        String preload = System.getenv("LD_PRELOAD");
        if (preload != null && !preload.isBlank()) {
            env.put("LD_PRELOAD", preload);
        }
        return new Worker(cmd, env);
    }

    /** The unit worker as the plan file names it: its command line and its environment. */
    record Worker(List<String> command, Map<String, String> env) {
    }

    /** One unit of a stage, as the plan file names it. */
    record StageUnit(int unit, String label) {
    }

    /** The plan file the Spark driver reads ({@code dev.aerobust.spark.Plan}). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PlanFile(String sweep, String master, int threads, int planUnits, Map<String, String> conf, Worker worker,
                    List<List<StageUnit>> stages) {
    }

    private String specJson(String name, int planUnits, List<List<SweepStages.Unit>> stages,
                            Worker worker) throws IOException {
        PlanFile o = new PlanFile(name, master, threads, planUnits, conf, worker, stages.stream()
                .map(s -> s.stream().map(u -> new StageUnit(u.number(), u.label())).toList()).toList());
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    }

    /** The Spark module's jar, the first entry of its classpath; a usage error if it is not built. */
    private static Path moduleJar() {
        String cp = System.getenv(CLASSPATH_ENV);
        Path jar = cp == null || cp.isBlank() ? null : Path.of(cp.split(java.io.File.pathSeparator)[0]);
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new AerobustException(ExitCode.USAGE, "--spark needs aerobust's Spark module, which is not built"
                    + " here ($" + CLASSPATH_ENV + " names its jar): ./aerobust builds it the first time --spark is"
                    + " given (mvn -f spark/pom.xml package)");
        }
        return jar;
    }

    /** Starts the Spark driver on the plan file, relays its output, and maps its failure to an exit code. */
    private void drive(Path spec, PrintWriter out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getenv(CLASSPATH_ENV), DRIVER, "--watch-stdin", spec.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process driver = pb.start();
        // the driver stops when its standard input closes: when this process is gone, however it ended
        Thread hook = new Thread(driver::destroy);
        Runtime.getRuntime().addShutdownHook(hook);
        String last = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(driver.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("aerobust: exit ")) {
                    last = line;
                    continue;
                }
                out.println(line);
                out.flush();
            }
            int code = driver.waitFor();
            if (code != 0) {
                java.util.regex.Matcher m = FAILURE.matcher(last);
                if (m.matches()) {
                    int c = Integer.parseInt(m.group(1));
                    ExitCode e = java.util.Arrays.stream(ExitCode.values()).filter(x -> x.code() == c).findFirst()
                            .orElse(ExitCode.INTERNAL);
                    throw new AerobustException(e, m.group(2));
                }
                throw new AerobustException(ExitCode.INTERNAL, "the Spark driver ended with exit " + code
                        + " (its output is above)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the Spark driver ran", e);
        } finally {
            driver.destroy();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran
            }
        }
    }
}
