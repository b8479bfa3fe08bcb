package dev.aerobust.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * How the stores turn names into paths: a name read from a file or the command line (a model id, a run id, a
 * sweep's name) is one path component of the store's own characters, never a path; every path the store builds is
 * checked to lie under the store, through no link (a link inside the store is refused, naming it, before anything
 * is written through it).
 */
public final class StorePaths {

    /** A name the store gives or takes: no separator, no leading dot, nothing a shell or a path would read apart. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

    private StorePaths() {
    }

    /** Whether {@code name} is one component the store may use. */
    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    /**
     * {@code root}'s descendant {@code names[0]/names[1]/...}, each name one valid component (a usage error naming
     * {@code what} otherwise), unchecked on disk: for asking whether something is there.
     */
    public static Path named(Path root, String what, String... names) {
        Path p = root;
        for (String n : names) {
            if (!valid(n)) {
                throw new AerobustException(ExitCode.USAGE, "'" + n + "' is not a " + what + " (letters, digits, '.',"
                        + " '_' and '-', starting with a letter or digit; never a path)");
            }
            p = p.resolve(n);
        }
        return p;
    }

    /**
     * {@code root}'s descendant {@code names[0]/names[1]/...}: each name one valid component (a usage error naming
     * {@code what} otherwise), each existing component a folder or file of its own, not a link (a file error naming
     * it), and the whole under {@code root}'s real path: for reading and writing there.
     */
    public static Path inside(Path root, String what, String... names) {
        Path p = root;
        for (String n : names) {
            p = named(p, what, n);
            if (Files.isSymbolicLink(p)) {
                throw new AerobustException(ExitCode.IO, p + " is a link inside the store; aerobust writes through no"
                        + " link (remove it, or put the store where it points)");
            }
        }
        checkUnder(root, p);
        return p;
    }

    /** Fails (a file error) if the existing part of {@code p} resolves outside {@code root}. */
    static void checkUnder(Path root, Path p) {
        try {
            Path existing = p;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.exists(root)) {
                return;
            }
            Path real = existing.toRealPath();
            Path top = root.toRealPath();
            if (!real.startsWith(top)) {
                throw new AerobustException(ExitCode.IO, p + " resolves to " + real + ", outside the store " + top);
            }
        } catch (IOException e) {
            throw new AerobustException(ExitCode.IO, p + ": " + e.getMessage());
        }
    }

}
