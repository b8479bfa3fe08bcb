package dev.aerobust.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep run on a Spark standalone cluster on loopback (a master and two workers of one core each, started from
 * the Maven jars) writes the numbers of the same sweep run locally, number for number; one executor, killed with
 * SIGKILL in the middle of a unit, loses that unit's task, which Spark runs again, and the sweep finishes with
 * exactly one row per unit and eps. Needs the core built (../target, as ./run-tests builds it first) and this
 * module packaged (an integration test: it runs after the jar is made).
 */
class SparkClusterIT {

    private static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path CORE = MODULE.getParent().resolve("target");

    /** Units: the classifier, AE and two VAEs and their two attacks each; one VAE trains long enough to be killed. */
    private static final String SWEEP = """
            name: cluster
            datasets: [btsc]
            classifier: {epochs: 2, batch: 8}
            autoencoders:
              - {family: [ae, vae], stp: 0.4, epochs: 2, batch: 8}
              - {family: vae, stp: 0.3, epochs: 60, batch: 8}
            evaluations:
              - {n: 6, eps: [0, 0.01, 0.03]}
            attacks:
              - {attack: cw-linf, steps: 40}
              - {attack: pgd, steps: 40}
            """;

    @TempDir
    Path tmp;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopCluster() {
        for (Process p : daemons) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aSweepOnAStandaloneClusterWritesTheLocalNumbersAndSurvivesAKilledExecutor() throws Exception {
        assertTrue(Files.isRegularFile(CORE.resolve("aerobust.jar")) && Files.isDirectory(CORE.resolve("lib")),
                "the core is not built in " + CORE + ": build it first (./run-tests does)");
        assertTrue(Files.isRegularFile(MODULE.resolve("target/aerobust-spark.jar")), "the module is not packaged");
        Path data = tmp.resolve("data");
        btscPart(data.resolve("btsc/Training"), 3, 5, 2);
        btscPart(data.resolve("btsc/Testing"), 3, 2, 1);
        Path file = tmp.resolve("cluster.yaml");
        Files.writeString(file, SWEEP);

        // the same sweep on this machine, one unit at a time at one thread
        String local = run(core(tmp.resolve("local"), "sweep", file.toString(), "--data-dir", data.toString(),
                "--threads", "1"), 600);
        assertTrue(local.contains("12 units done in"), local);
        System.out.println(local);

        String master = startCluster();
        ProcessBuilder pb = core(tmp.resolve("cluster"), "sweep", file.toString(), "--data-dir", data.toString(),
                "--threads", "1", "--spark", master, "--spark-conf", "spark.ui.enabled=false", "--spark-conf",
                "spark.executor.memory=512m");
        pb.environment().put("AEROBUST_SPARK_CLASSPATH", MODULE.resolve("target/aerobust-spark.jar")
                + File.pathSeparator + MODULE.resolve("target/lib") + File.separator + "*");
        Process sweep = pb.start();
        List<String> log = new ArrayList<>();
        Pattern started = Pattern.compile("unit (\\d+)/12 started on executor (\\S+) .*: train vae btsc stp 0.3");
        String killed = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(sweep.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.add(line);
                Matcher m = started.matcher(line);
                if (killed == null && m.find()) {
                    killed = m.group(1);
                    ProcessHandle executor = executor(m.group(2)).orElseThrow(() -> new AssertionError(
                            "no process of executor " + m.group(2)));
                    // mid-unit: its worker has run a second and a half (the engine loaded, the training begun; its
                    // checkpoints are the retry's to resume)
                    String arg = "--unit " + killed + " ";
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (executor.descendants().noneMatch(p -> p.info().commandLine().orElse("").contains(arg))
                            && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    Thread.sleep(1500);
                    executor.destroyForcibly();
                }
            }
        }
        assertTrue(sweep.waitFor(600, TimeUnit.SECONDS));
        String out = String.join("\n", log);
        assertEquals(0, sweep.exitValue(), out);
        assertTrue(killed != null, "the VAE of 60 epochs never started:\n" + out);
        String unit = "unit " + killed + "/12 ";
        int lost = indexOf(log, unit + "failed on executor");
        assertTrue(lost >= 0, "the killed executor's unit was lost:\n" + out);
        assertTrue(indexOf(log, unit + "done in") > lost, "and run again to the end:\n" + out);
        assertTrue(out.contains("12 units done in"), out);
        System.out.println(out);

        List<List<String>> a = csv(tmp.resolve("local"), file, data);
        List<List<String>> b = csv(tmp.resolve("cluster"), file, data);
        List<String> header = a.get(0);
        assertEquals(header, b.get(0));
        // 4 models x 2 attacks x 3 eps, and a worst-case row per model and eps
        assertEquals(1 + 4 * 2 * 3 + 4 * 3, a.size(), "the local rows");
        assertEquals(a.size(), b.size(), "one row per unit and eps on the cluster as here");
        int seconds = header.indexOf("attack_seconds");
        int record = header.indexOf("record");
        for (int i = 1; i < a.size(); i++) {
            for (int c = 0; c < header.size(); c++) {
                if (c != seconds && c != record) {
                    assertEquals(a.get(i).get(c), b.get(i).get(c), "row " + i + ", " + header.get(c));
                }
            }
        }
    }

    private static int indexOf(List<String> log, String text) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** The results CSV of {@code home}'s run of the sweep, as rows of fields (none of them quoted here). */
    private List<List<String>> csv(Path home, Path file, Path data) throws Exception {
        // stdout alone: a JVM option (JAVA_TOOL_OPTIONS) prints on stderr, which is not CSV
        String csv = run(core(home, "results", file.toString(), "--csv", "--data-dir", data.toString())
                .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD), 120);
        return csv.lines().map(l -> List.of(l.split(",", -1))).toList();
    }

    /** The core's CLI in a child JVM with its own store. */
    private static ProcessBuilder core(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xss4m"));
        if (Files.isDirectory(CORE.resolve("native-cache"))) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + CORE.resolve("native-cache"));
        }
        cmd.addAll(List.of("-cp", CORE.resolve("aerobust.jar") + File.pathSeparator + CORE.resolve("lib")
                + File.separator + "*", "dev.aerobust.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AEROBUST_HOME", home.toString());
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb;
    }

    private static String run(ProcessBuilder pb, int seconds) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A standalone master and two workers of one core each on loopback, from the module's Maven jars (a worker's
     * SPARK_HOME holds them in jars/); returns the master's URL once both workers have registered.
     */
    private String startCluster() throws Exception {
        Path home = tmp.resolve("spark-home");
        Files.createDirectories(home);
        Files.createSymbolicLink(home.resolve("jars"), MODULE.resolve("target/lib"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "spark://127.0.0.1:" + port;
        Path masterLog = tmp.resolve("master.log");
        daemons.add(daemon(home, masterLog, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", "0"));
        for (int w = 1; w <= 2; w++) {
            daemons.add(daemon(home, tmp.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0", "--work-dir",
                    tmp.resolve("work" + w).toString(), url));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String log = Files.exists(masterLog) ? Files.readString(masterLog) : "";
            if (log.split("Registering worker", -1).length - 1 >= 2) {
                return url;
            }
            for (Process d : daemons) {
                assertTrue(d.isAlive(), "a Spark daemon ended:\n" + log);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the workers did not register in 120 s:\n" + Files.readString(masterLog));
    }

    private Process daemon(Path sparkHome, Path log, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-cp", sparkHome.resolve("jars")
                + File.separator + "*", main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb.start();
    }

    /** The JVM of executor {@code id}: a descendant of a worker. */
    private Optional<ProcessHandle> executor(String id) {
        return daemons.stream().flatMap(Process::descendants).filter(p -> {
            String line = p.info().commandLine().orElse("");
            return line.contains("CoarseGrainedExecutorBackend") && line.contains("--executor-id " + id + " ");
        }).findFirst();
    }

    /**
     * A small BTSC tree (PPM images and a GT CSV per class), made by the core tests' own maker
     * ({@code dev.aerobust.testing.Synthetic}, JDK only), loaded from the core's test classes.
     */
    private static void btscPart(Path part, int classes, int tracks, int perTrack) throws Exception {
        Path classes0 = CORE.resolve("test-classes");
        assertTrue(Files.isDirectory(classes0), "the core's tests are not compiled in " + classes0);
        try (java.net.URLClassLoader l = new java.net.URLClassLoader(new java.net.URL[] {classes0.toUri().toURL()},
                null)) {
            l.loadClass("dev.aerobust.testing.Synthetic").getMethod("btscPart", Path.class, int.class, int.class,
                    int.class).invoke(null, part, classes, tracks, perTrack);
        }
    }
}
