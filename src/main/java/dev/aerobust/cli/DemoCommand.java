package dev.aerobust.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.aerobust.data.DataHome;
import dev.aerobust.experiment.Demo;
import dev.aerobust.experiment.ModelStore;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code aerobust demo}: the end-to-end MNIST job that writes the report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"End to end on MNIST: fetch, train the classifier, a DAE and a VAE (stp 0.4), attack the"
                + " classifier and both stacks with CW-Linf over eps 0 to 0.3, and write the report (HTML + PNG).",
            "Finished models and attack records are reused, so a rerun or a resumed run redoes nothing."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--ae-epochs", paramLabel = "N", description = "Most epochs per autoencoder (default 10).")
    int aeEpochs = 10;

    @Option(names = "--clf-epochs", paramLabel = "N", description = "Most classifier epochs; early stopping usually ends sooner (default 80).")
    int clfEpochs = 80;

    @Option(names = "--n", paramLabel = "N", description = "Attack-set size (default 1000).")
    int n = 1000;

    @Option(names = "--steps", paramLabel = "N", description = "CW-Linf steps (default 100).")
    int steps = 100;

    @Option(names = "--seed", paramLabel = "N", description = "The one seed (default 0).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default $AEROBUST_HOME/reports/demo-mnist).")
    Path out;

    @Mixin
    DataDirOption data;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (aeEpochs <= 0 || clfEpochs <= 0 || n <= 0 || steps <= 0) {
            throw new AerobustException(ExitCode.USAGE, "epochs, --n and --steps must be positive");
        }
        Path dir = out != null ? out : DataHome.home().resolve("reports").resolve("demo-mnist");
        Path html = Demo.run(new Demo.Budget(aeEpochs, clfEpochs, n, steps, seed), data.resolve(),
                ModelStore.atHome(), DataHome.home().resolve("results"), dir);
        spec.commandLine().getOut().println("report: " + html);
        return 0;
    }
}
