package dev.aerobust.data;

import java.nio.file.Path;
import java.nio.file.Paths;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * Where aerobust keeps its files. The home is {@code $AEROBUST_HOME} if set, else {@code ~/.aerobust}; data
 * lives in {@code <home>/data/<dataset>} unless a command is given another data directory.
 */
public final class DataHome {

    public static final String HOME_ENV = "AEROBUST_HOME";

    private DataHome() {
    }

    /**
     * The aerobust home directory. Something there that is not a folder (a regular file) is a file error at once,
     * in every command, before anything is read or written under it.
     */
    public static Path home() {
        String env = System.getenv(HOME_ENV);
        Path home = env != null && !env.isBlank() ? parse(env.trim())
                : Paths.get(System.getProperty("user.home"), ".aerobust");
        if (java.nio.file.Files.exists(home) && !java.nio.file.Files.isDirectory(home)) {
            throw new AerobustException(ExitCode.IO, home + " is not a folder: the aerobust home"
                    + (env != null && !env.isBlank() ? " ($" + HOME_ENV + ")" : "") + " must be one");
        }
        return home;
    }

    /**
     * A home given as a path or a {@code file:} URI (a store shared by a cluster's nodes is named either way); any
     * other scheme is a usage error, for aerobust's store is a file system (docs/cluster.md says what an object
     * store would need).
     */
    static Path parse(String home) {
        if (!URI_SCHEME.matcher(home).lookingAt()) {
            return Paths.get(home).toAbsolutePath();
        }
        try {
            java.net.URI uri = new java.net.URI(home);
            if ("file".equalsIgnoreCase(uri.getScheme())) {
                return Paths.get(uri).toAbsolutePath();
            }
            throw new AerobustException(ExitCode.USAGE, "$" + HOME_ENV + " is a " + uri.getScheme() + ": URI; the"
                    + " store must be a file system path or a file: URI that every process reaches (a shared mount"
                    + " on a cluster; see docs/cluster.md)");
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new AerobustException(ExitCode.USAGE, "$" + HOME_ENV + " is not a valid path or file: URI: " + home);
        }
    }

    /** A URI's scheme and colon at the start of a string (two letters at least: no drive letter is a scheme). */
    private static final java.util.regex.Pattern URI_SCHEME = java.util.regex.Pattern.compile(
            "[a-zA-Z][a-zA-Z0-9+.-]+:");

    /** The data directory: {@code override} if given, else {@code <home>/data}. */
    public static Path dataDir(Path override) {
        return override != null ? override.toAbsolutePath() : home().resolve("data");
    }

    /** The folder that holds one dataset's files. */
    public static Path datasetDir(Path dataDir, DatasetId id) {
        return dataDir.resolve(id.cliName());
    }
}
