package dev.aerobust.nn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Unpacks the native libraries of the engine into JavaCPP's cache <em>before</em> JavaCPP loads any of them.
 *
 * <p>Why: JavaCPP extracts each library just before it loads it. When {@code libtorch.so} is loaded from an
 * empty cache, its dependency {@code libtorch_cpu.so} is not on disk yet, and the first JVM crashed with
 * SIGSEGV. Unpacking every native jar's {@code org/} tree into the cache layout
 * ({@code <cachedir>/<jar file name>/org/...}) first, with the entries' sizes and timestamps, makes JavaCPP
 * find every file already in place.
 *
 * <p>This class must not touch any {@code org.bytedeco} class: loading one would start the native load.
 */
public final class NativeCache {

    /** The system property JavaCPP reads for its cache directory. */
    public static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

    /** One resource per native jar, found on the class path to locate that jar. */
    private static final List<String> MARKERS = List.of(
            "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
            "org/bytedeco/openblas/linux-x86_64/libjniopenblas.so",
            "org/bytedeco/pytorch/linux-x86_64/libjnitorch.so");

    private static volatile Path prepared;

    private NativeCache() {
    }

    /**
     * Makes sure the cache holds every native library, and points JavaCPP at it. Idempotent and safe across
     * processes (a file lock guards the unpacking).
     *
     * @return the cache directory in use
     */
    public static synchronized Path prepare() {
        if (prepared != null) {
            return prepared;
        }
        Path cacheDir = cacheDir();
        System.setProperty(CACHE_DIR_PROPERTY, cacheDir.toString());
        try {
            Files.createDirectories(cacheDir);
            try (FileChannel ch = FileChannel.open(cacheDir.resolve(".aerobust-unpack.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                ClassLoader cl = NativeCache.class.getClassLoader();
                for (String marker : MARKERS) {
                    URL url = cl.getResource(marker);
                    if (url == null || !"jar".equals(url.getProtocol())) {
                        continue; // not packaged as a jar (or another platform): let JavaCPP do its usual work
                    }
                    JarURLConnection conn = (JarURLConnection) url.openConnection();
                    conn.setUseCaches(false);
                    Path jar = Paths.get(conn.getJarFileURL().toURI());
                    unpack(jar, cacheDir.resolve(jar.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the native library cache " + cacheDir + ": "
                    + e.getMessage(), e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        prepared = cacheDir;
        return cacheDir;
    }

    /** The cache directory: the JavaCPP property if set, else JavaCPP's own default. */
    public static Path cacheDir() {
        String prop = System.getProperty(CACHE_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop).toAbsolutePath();
        }
        return Paths.get(System.getProperty("user.home"), ".javacpp", "cache");
    }

    private static void unpack(Path jar, Path target) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.isDirectory() || !e.getName().startsWith("org/")) {
                    continue;
                }
                Path out = target.resolve(e.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("entry escapes the cache: " + e.getName());
                }
                if (Files.isRegularFile(out) && Files.size(out) == e.getSize()
                        && Files.getLastModifiedTime(out).toMillis() == e.getTime()) {
                    continue;
                }
                Files.createDirectories(out.getParent());
                Path tmp = Files.createTempFile(out.getParent(), ".unpack", ".tmp");
                try (InputStream in = jf.getInputStream(e)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    tmp.toFile().setLastModified(e.getTime());
                    if (e.getName().endsWith(".so") || e.getName().contains(".so.")) {
                        tmp.toFile().setExecutable(true);
                    }
                    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }
}
