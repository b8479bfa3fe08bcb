package dev.aerobust.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.aerobust.util.Atomic;

/**
 * Extracts zip archives, refusing any entry whose path would land outside the target folder ("zip slip"):
 * absolute paths, {@code ..} segments, and anything else that escapes after normalisation.
 */
public final class SafeZip {

    private SafeZip() {
    }

    /** Extracts {@code zip} into {@code target}; returns the number of files written. Nothing is written if any entry escapes. */
    public static int extract(Path zip, Path target) {
        Path root = target.toAbsolutePath().normalize();
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            // check every entry before writing any, so a malicious archive leaves no partial extraction
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                resolve(zip, root, en.nextElement());
            }
            int files = 0;
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                Path out = resolve(zip, root, e);
                if (e.isDirectory() || out.equals(root)) {
                    Files.createDirectories(out);
                    continue;
                }
                try (InputStream in = zf.getInputStream(e)) {
                    Atomic.write(out, o -> in.transferTo(o));
                }
                files++;
            }
            return files;
        } catch (java.util.zip.ZipException e) {
            throw new DataException(zip, "not a readable zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new DataException(zip, "cannot extract: " + e.getMessage());
        }
    }

    private static Path resolve(Path zip, Path root, ZipEntry e) {
        String name = e.getName().replace('\\', '/');
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw new DataException(zip, "refusing zip entry with an absolute path: " + e.getName());
        }
        Path out = root.resolve(name).normalize();
        if (!out.startsWith(root)) {
            throw new DataException(zip, "refusing zip entry that escapes the target folder: " + e.getName());
        }
        return out;
    }
}
