package dev.aerobust.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.data.DataHome;
import dev.aerobust.nn.Engine;
import dev.aerobust.report.SweepReport;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;

/** {@code aerobust report FILE}: the study's figures and findings from a sweep's records. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write the report of a sweep's finished units: Figures 1 to 5 for the study's attack"
                + " (CW-Linf) and for the per-image worst case over every attack run, the diameters of the sets of mu,"
                + " the findings table with a verdict per finding computed from the records, the sanity warnings and"
                + " the provenance of every model and run.",
            "One self-contained HTML page (figures embedded) plus each figure as PNG and SVG."})
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The sweep file (YAML).")
    Path file;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default $AEROBUST_HOME/reports/<sweep name>).")
    Path out;

    @Option(names = "--fig5-eps", paramLabel = "EPS", description = "The eps of Figure 5 (default 0.1).")
    double fig5Eps = 0.1;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Engine.init();
        Sweep sweep = Sweep.load(file, ModelStore.atHome());
        SweepRunner runner = SweepRunner.atHome(sweep, data.resolve());
        Path dir = out != null ? out : DataHome.home().resolve("reports").resolve(sweep.name());
        Path html = SweepReport.write(sweep, runner, runner.store(), dir, List.of("Sweep file: " + file), fig5Eps);
        BadRecords.name(runner, spec);
        spec.commandLine().getOut().println("report: " + html);
        return 0;
    }
}
