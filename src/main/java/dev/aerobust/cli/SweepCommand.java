package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** {@code aerobust sweep FILE}: run every unit of a sweep file. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Expand a sweep file into units (train one model; attack one model with one attack over its"
                + " eps values), show which already exist and are reused and estimate the time of the rest from"
                + " rates measured on this machine, then run the rest, one progress line for the whole sweep.",
            "Each finished unit is stored before the next starts: after a kill, the same command redoes only the"
                    + " unfinished unit (a training resumes from its last epoch, an attack from its finished eps"
                    + " values).",
            "Keys of the file are the settings' names (aerobust settings); an unknown key or a bad value is an"
                    + " error naming the file, line and key, before anything runs. The files of the study's figures"
                    + " are in sweeps/."})
final class SweepCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The sweep file (YAML).")
    Path file;

    @Option(names = "--dry-run", description = "Show the plan and the estimated time; run nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Start a sweep above " + SweepRunner.MAX_UNITS + " units or a week of"
            + " estimated compute (without it such a run is refused: a grid typed wrong can be millions of units).")
    boolean yes;

    @Option(names = "--json", description = "With --dry-run: the plan as one JSON object (per unit: kind, label,"
            + " done, estimate, the model's id and whether its weights are stored, the units it needs; with --spark,"
            + " the stages as lists of unit numbers), for scripts.")
    boolean json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JobsOption jobs;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (json && !dryRun) {
            throw new AerobustException(ExitCode.USAGE, "--json goes with --dry-run (a run prints its progress)");
        }
        jobs.validate(threads);
        Sweep sweep = Sweep.load(file, ModelStore.atHome());
        threads.apply();
        Engine.init();
        Path dataDir = data.resolve();
        PrintWriter out = spec.commandLine().getOut();
        SweepRunner runner = SweepRunner.atHome(sweep, dataDir);
        if (dryRun) {
            if (!json) {
                // the count first: the plan of a large grid takes a while to make
                out.println("sweep " + sweep.name() + " (" + sweep.size() + " units):");
                out.flush();
            }
            jobs.dryRun(runner, threads, out, json);
            return 0;
        }
        runner.quarantining().allowingLarge(yes);
        out.println("sweep " + sweep.name() + ":");
        jobs.run(runner, threads, dataDir, List.of("--file", file.toAbsolutePath().toString()), JobsOption.debug(spec),
                out);
        return 0;
    }
}
