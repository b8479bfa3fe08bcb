package dev.aerobust.cli;

import java.nio.file.Path;

import dev.aerobust.data.DataHome;
import picocli.CommandLine.Option;

/** The shared {@code --data-dir} option. */
final class DataDirOption {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $AEROBUST_HOME/data, or ~/.aerobust/data).")
    Path dataDir;

    Path resolve() {
        return DataHome.dataDir(dataDir);
    }
}
