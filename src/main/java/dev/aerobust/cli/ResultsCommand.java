package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.nn.Engine;
import dev.aerobust.store.ModelStore;
import dev.aerobust.sweep.Results;
import dev.aerobust.sweep.Sweep;
import dev.aerobust.sweep.SweepRunner;

/** {@code aerobust results FILE}: a sweep's results as one tidy table. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"One row per (dataset, model, settings, attack, eps, seed) of every finished unit of a sweep:"
                + " robust accuracy, success rate, largest Linf/L2, latent statistics, wall time, record path; and a"
                + " worst-case row per (model, evaluation, eps) over the attacks run on it (an image counts as"
                + " robust only if every attack left it correct). Unfinished units are left out."})
final class ResultsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "The sweep file (YAML).")
    Path file;

    /** One output format at most: given two, picocli names them as a usage error. */
    static final class Format {
        @Option(names = "--csv", description = "Print CSV (the default is a table).")
        boolean csv;

        @Option(names = "--json", description = "Print a JSON array of rows.")
        boolean json;

        @Option(names = "--robustbench", description = "Print RobustBench's model_info entries (a JSON array): per"
                + " defense and eps with an AutoAttack record (standard or rand), its clean and AutoAttack accuracy in"
                + " percent, eps, threat model and the ensemble's version, with the per-image worst case over every"
                + " attack run beside them.")
        boolean robustbench;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Format format = new Format();

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Engine.init();
        Sweep sweep = Sweep.load(file, ModelStore.atHome());
        SweepRunner runner = SweepRunner.atHome(sweep, data.resolve());
        List<Results.Row> rows = Results.of(sweep, runner);
        BadRecords.name(runner, spec);
        PrintWriter out = spec.commandLine().getOut();
        if (format.robustbench) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                    Results.robustBench(rows, runner.store())));
        } else if (format.json) {
            out.println(Json.MAPPER.writeValueAsString(Results.json(rows)));
        } else if (format.csv) {
            out.print(Results.csv(rows));
            out.flush();
        } else {
            out.printf("%-14s %-26s %-6s %-5s %-13s %-16s %-6s %-9s %s%n", "dataset", "model", "family", "stp",
                    "defense", "attack", "eps", "robust", "covers");
            for (Results.Row r : rows) {
                out.printf(Locale.ROOT, "%-14s %-26s %-6s %-5s %-13s %-16s %-6.3f %-9.4f %s%n", r.dataset().cliName(), r.model(),
                        r.familyName(), r.stp() == null ? "" : r.stp(), r.defense().label() + (r.scale() == null ? ""
                                : " s=" + r.scale()), r.attackName(), r.eps(), r.robustAccuracy(),
                        r.covers() == null ? "" : r.covers());
            }
        }
        return 0;
    }
}
