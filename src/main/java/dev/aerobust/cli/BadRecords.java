package dev.aerobust.cli;

import java.io.PrintWriter;

import picocli.CommandLine.Model.CommandSpec;

import dev.aerobust.sweep.SweepRunner;

/** What the commands that read a sweep's results say of the stored records that failed their checks. */
final class BadRecords {

    private BadRecords() {
    }

    /** One line on standard error per record left out: its file and the check it failed. */
    static void name(SweepRunner runner, CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        runner.badRecords().forEach((file, check) -> err.println("aerobust: left out " + file
                + ", which fails its check: " + check + " (its unit counts as not done; a run of the sweep moves it"
                + " aside and runs the unit again)"));
        err.flush();
    }
}
