package dev.aerobust.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * {@code aerobust sweep-unit}: one unit of a sweep, the worker that {@code sweep --jobs} starts. It stops when
 * its standard input closes, so a sweep killed in any way leaves no worker running.
 */
@Command(name = "sweep-unit", hidden = true, mixinStandardHelpOptions = true,
        description = {"Run one unit of a sweep: the worker process of 'sweep --jobs' and 'reproduce --jobs'.",
            "It stops when its standard input closes (the sweep that started it is gone)."})
final class SweepUnitCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--file", paramLabel = "FILE", description = "The sweep file.")
        Path file;

        @Option(names = "--bundled", paramLabel = "NAME", description = "A sweep shipped in sweeps/ (e.g. paper-mnist).")
        String bundled;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--unit", required = true, paramLabel = "K", description = "The unit's number in the sweep's plan.")
    int unit;

    @Option(names = "--label", required = true, paramLabel = "TEXT", description = "The unit's label, as the plan prints it.")
    String label;

    @Mixin
    ThreadsOption threads;

    @Mixin
    DataDirOption data;

    /**
     * The command line that starts this worker in a JVM like this one (its options, its classpath), on the sweep
     * of {@code source} ({@code --file PATH} or {@code --bundled NAME}), less the unit's {@code --unit},
     * {@code --label} and {@code --threads}: what {@code --jobs} and {@code --spark} start.
     */
    static List<String> command(List<String> source, Path dataDir, boolean debug) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep-unit"));
        cmd.addAll(source);
        cmd.addAll(List.of("--data-dir", dataDir.toString()));
        if (debug) {
            cmd.add("--debug");
        }
        return cmd;
    }

    /** The environment that holds a worker's thread pools to its {@code threads}. */
    static Map<String, String> threadEnv(int threads) {
        return Map.of("OMP_NUM_THREADS", String.valueOf(threads), Engine.THREADS_ENV,
                String.valueOf(threads));
    }

    @Override
    public Integer call() throws IOException {
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // the sweep writes nothing; it only holds the pipe open
                }
            } catch (IOException ignored) {
                // a broken pipe means the same: the sweep is gone
            }
            System.err.println("aerobust: the sweep that started unit " + unit + " is gone; stopping");
            Runtime.getRuntime().halt(ExitCode.INTERNAL.code());
        }, "sweep-watch");
        watch.setDaemon(true);
        watch.start();
        Sweep sweep = source.file != null ? Sweep.load(source.file, ModelStore.atHome())
                : Sweep.bundled(source.bundled).orElseThrow(() -> new AerobustException(ExitCode.USAGE,
                        "no bundled sweep '" + source.bundled + "'"));
        threads.apply();
        Engine.init();
        SweepRunner.atHome(sweep, data.resolve()).quarantining().runUnit(unit - 1, label);
        return 0;
    }
}
