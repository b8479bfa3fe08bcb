package dev.aerobust.data;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where aerobust keeps its files. The home is {@code $AEROBUST_HOME} if set, else {@code ~/.aerobust}; data
 * lives in {@code <home>/data/<dataset>} unless a command is given another data directory.
 */
public final class DataHome {

    public static final String HOME_ENV = "AEROBUST_HOME";

    private DataHome() {
    }

    /** The aerobust home directory. */
    public static Path home() {
        String env = System.getenv(HOME_ENV);
        if (env != null && !env.isBlank()) {
            return Paths.get(env).toAbsolutePath();
        }
        return Paths.get(System.getProperty("user.home"), ".aerobust");
    }

    /** The data directory: {@code override} if given, else {@code <home>/data}. */
    public static Path dataDir(Path override) {
        return override != null ? override.toAbsolutePath() : home().resolve("data");
    }

    /** The folder that holds one dataset's files. */
    public static Path datasetDir(Path dataDir, DatasetId id) {
        return dataDir.resolve(id.cliName());
    }
}
