package dev.aerobust.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, held by a scan of the sources: a package uses only packages below it
 * (imports and qualified names alike; comments and strings do not count), and only {@code store} names the files
 * of the store (records, sanity reports, chunks, locks, quarantine and stale markers, model metadata and weights).
 */
class ArchitectureTest {

    /** The packages from the bottom up; packages on one line are peers and use neither each other. */
    static final List<Set<String>> LAYERS = List.of(
            Set.of("util"),
            Set.of("nn"),
            Set.of("data"),
            Set.of("config", "model"),
            Set.of("attack", "defense"),
            Set.of("store"),
            Set.of("eval"),
            Set.of("train"),
            Set.of("experiment"),
            Set.of("sweep"),
            Set.of("report", "bench"),
            Set.of("cli"));

    /** How the store's files are named: only {@code store} may spell these. */
    static final List<String> STORE_FILE_NAMES = List.of("eps-", "sanity.json", "partial-", "meta.json",
            "weights.pt", ".stale", ".bad", ".locks");

    static final Path MAIN = Path.of("src/main/java/dev/aerobust");

    private static final Pattern USE = Pattern.compile("\\bdev\\.aerobust\\.([a-z]+)\\.");

    @Test
    void everyPackageHasALayerAndADescription() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> s = Files.list(MAIN)) {
            s.filter(Files::isDirectory).forEach(p -> packages.add(p.getFileName().toString()));
        }
        Set<String> layered = new TreeSet<>();
        LAYERS.forEach(layered::addAll);
        assertEquals(layered, packages, "every package of dev.aerobust has its layer here and in"
                + " docs/architecture.md");
        for (String p : packages) {
            assertTrue(Files.isRegularFile(MAIN.resolve(p).resolve("package-info.java")),
                    p + " has a package-info.java saying what it is for and what it may use");
        }
        String doc = Files.readString(Path.of("docs/architecture.md"));
        for (String p : packages) {
            assertTrue(doc.contains("`" + p + "`"), "docs/architecture.md describes " + p);
        }
    }

    @Test
    void noPackageUsesOneAboveItOrAPeer() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Path, String> f : sources().entrySet()) {
            String pkg = packageOf(f.getKey());
            Matcher m = USE.matcher(code(f.getValue()));
            Set<String> used = new TreeSet<>();
            while (m.find()) {
                used.add(m.group(1));
            }
            for (String u : used) {
                if (!u.equals(pkg) && rank(u) >= rank(pkg)) {
                    wrong.add(MAIN.relativize(f.getKey()) + " (" + pkg + ", layer " + rank(pkg) + ") uses " + u
                            + " (layer " + rank(u) + ")");
                }
            }
        }
        assertEquals(List.of(), wrong, "a package uses only the layers below its own");
    }

    @Test
    void onlyTheStoreNamesItsFiles() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<Path, String> f : sources().entrySet()) {
            if (packageOf(f.getKey()).equals("store")) {
                continue;
            }
            for (String literal : strings(f.getValue())) {
                for (String name : STORE_FILE_NAMES) {
                    if (literal.contains(name)) {
                        wrong.add(MAIN.relativize(f.getKey()) + ": \"" + literal + "\"");
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "only the store spells the names of its files");
    }

    /** The scan sees what the compiler sees: a use in code counts, the same text in a comment or string not. */
    @Test
    void theScanReadsCodeNotCommentsOrStrings() {
        String src = """
                package dev.aerobust.nn;
                import dev.aerobust.util.X; // dev.aerobust.cli.Main in a comment
                /* dev.aerobust.sweep.Sweep */ class A { String s = "dev.aerobust.report.R \\" eps-"; char c = '"';
                  Object o = dev.aerobust.store.ModelStore.JSON; String t = \"""
                    dev.aerobust.bench.B
                    \"""; }
                """;
        Matcher m = USE.matcher(code(src));
        List<String> used = new ArrayList<>();
        while (m.find()) {
            used.add(m.group(1));
        }
        assertEquals(List.of("util", "store"), used);
        assertEquals(List.of("dev.aerobust.report.R \\\" eps-", "    dev.aerobust.bench.B\n    "), strings(src));
    }

    private static int rank(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package " + pkg + " has no layer in ArchitectureTest.LAYERS");
    }

    private static String packageOf(Path file) {
        return MAIN.relativize(file).getName(0).toString();
    }

    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                out.put(p, Files.readString(p));
            }
        }
        assertTrue(out.size() > 100, "the scan found the sources (run from the project's root)");
        return out;
    }

    /** The source with its comments and the contents of its string and char literals blanked. */
    static String code(String src) {
        StringBuilder b = new StringBuilder();
        scan(src, b, null);
        return b.toString();
    }

    /** The contents of the source's string literals (text blocks included), escapes as written. */
    static List<String> strings(String src) {
        List<String> out = new ArrayList<>();
        scan(src, new StringBuilder(), out);
        return out;
    }

    private static void scan(String s, StringBuilder code, List<String> literals) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                int e = s.indexOf('\n', i);
                i = e < 0 ? n : e;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int e = s.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
                code.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int e = s.indexOf("\"\"\"", i + 3);
                int end = e < 0 ? n : e;
                String body = s.substring(s.indexOf('\n', i) + 1, end);
                if (literals != null) {
                    literals.add(body);
                }
                code.append("\"\"");
                i = e < 0 ? n : e + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"' && literals != null) {
                    literals.add(s.substring(i + 1, Math.min(j, n)));
                }
                code.append(c).append(c);
                i = j + 1;
            } else {
                code.append(c);
                i++;
            }
        }
    }
}
