package dev.aerobust.cli;

import java.io.PrintWriter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** The {@code aerobust} command: subcommands for data, models, attacks and reports. */
@Command(name = "aerobust",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Trains autoencoder input-purification defenses and evaluates them against white-box attacks "
                    + "on the whole stacked system (autoencoder + classifier).",
            ""},
        subcommands = {ReproduceCommand.class, DatasetsCommand.class, TrainCommand.class, ModelsCommand.class, ImportCommand.class, AttackCommand.class, SweepCommand.class, SweepUnitCommand.class, ResultsCommand.class, ReportCommand.class, SettingsCommand.class, BenchCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
            "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad data, 4 file I/O, 5 fetch failed, 6 numeric failure.",
            "Environment: AEROBUST_HOME (default ~/.aerobust), AEROBUST_THREADS (default: all cores)."})
public final class Main implements Runnable {

    @Option(names = "--debug", description = "Print stack traces of internal errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code; never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("aerobust: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
            c.getErr().flush();
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            PrintWriter e = c.getErr();
            Throwable t = ex;
            while (!(t instanceof AerobustException) && t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            if (t instanceof AerobustException ae) {
                e.println("aerobust: " + ae.getMessage());
                e.flush();
                return ae.exitCode().code();
            }
            Throwable io = ex;
            while (io != null && !(io instanceof java.io.IOException)) {
                io = io.getCause();
            }
            if (io != null) {
                String what = io instanceof java.nio.file.FileSystemException fs
                        ? fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason()
                                : io.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])",
                                        "$1 $2").toLowerCase(java.util.Locale.ROOT))
                        : io.getMessage();
                e.println("aerobust: file error: " + what);
                e.flush();
                return ExitCode.IO.code();
            }
            if (ex instanceof CommandLine.ParameterException pe) {
                e.println("aerobust: " + pe.getMessage());
                e.flush();
                return ExitCode.USAGE.code();
            }
            e.println("aerobust: internal error: " + ex.getClass().getSimpleName() + ": " + ex.getMessage()
                    + (main.debug ? "" : " (run with --debug for the stack trace)"));
            if (main.debug) {
                ex.printStackTrace(e);
            }
            e.flush();
            return ExitCode.INTERNAL.code();
        });
        return cl;
    }
}
