package dev.aerobust.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

import dev.aerobust.data.DataHome;

/** The shared {@code --data-dir} option. */
final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $AEROBUST_HOME/data, or ~/.aerobust/data).")
    Path dataDir;

    Path resolve() {
        return DataHome.dataDir(dataDir);
    }
}
