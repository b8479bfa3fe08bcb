package dev.aerobust.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.aerobust.experiment.ModelStore;
import dev.aerobust.experiment.Sweep;
import dev.aerobust.experiment.SweepRunner;
import dev.aerobust.nn.Engine;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
        SweepRunner.atHome(sweep, data.resolve()).runUnit(unit - 1, label);
        return 0;
    }
}
