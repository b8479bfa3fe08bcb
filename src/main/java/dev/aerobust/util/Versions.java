package dev.aerobust.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions a saved result records: aerobust, the engine, Java and the OS. */
public final class Versions {

    private Versions() {
    }

    /** aerobust's own version, from the build. */
    public static String aerobust() {
        return resourceVersion("dev/aerobust/version.properties");
    }

    /** The {@code version} of a properties resource on the class path (a build's or a Maven artifact's). */
    public static String resourceVersion(String resource) {
        try (InputStream in = Versions.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String java() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")";
    }

    public static String os() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
    }

    /** aerobust, Java and OS versions, without loading the engine. */
    public static Map<String, String> basic() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("aerobust", aerobust());
        m.put("java", java());
        m.put("os", os());
        return m;
    }
}
