package dev.aerobust.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.aerobust.data.IdxCatalog.IdxFile;
import dev.aerobust.data.IdxCatalog.IdxSpec;
import dev.aerobust.data.IdxCatalog.IdxSplit;
import dev.aerobust.util.Hashing;

/** Loads and verifies the IDX datasets from their folder. Every file is checked against its SHA-256 first. */
public final class IdxDatasets {

    private IdxDatasets() {
    }

    /** Loads one split after checking both files' checksums. */
    public static ImageSet load(IdxSpec spec, Path dir, Split split) {
        IdxSplit sp = spec.split(split);
        requireDir(dir, spec.id());
        Path imgPath = dir.resolve(sp.images().storedName());
        Path lblPath = dir.resolve(sp.labels().storedName());
        checkSha(imgPath, sp.images());
        checkSha(lblPath, sp.labels());
        return parse(spec.id(), split, imgPath, lblPath, Hashing.sha256(
                (sp.images().sha256() + sp.labels().sha256()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Parses an images file and a labels file into an {@link ImageSet}, validating shapes and counts. */
    public static ImageSet parse(DatasetId id, Split split, Path imgPath, Path lblPath, String checksum) {
        IdxReader.IdxArray img = IdxReader.read(imgPath);
        IdxReader.IdxArray lbl = IdxReader.read(lblPath);
        if (img.dims().length != 3) {
            throw new DataException(imgPath, "expected a 3-dimensional IDX image file [n, rows, cols], got "
                    + img.dims().length + " dimensions");
        }
        if (img.dims()[1] != id.height() || img.dims()[2] != id.width()) {
            throw new DataException(imgPath, "images are " + img.dims()[1] + "x" + img.dims()[2] + ", " + id
                    + " needs " + id.height() + "x" + id.width());
        }
        if (lbl.dims().length != 1) {
            throw new DataException(lblPath, "expected a 1-dimensional IDX label file, got " + lbl.dims().length
                    + " dimensions");
        }
        if (lbl.count() != img.count()) {
            throw new DataException(lblPath, "label count " + lbl.count() + " differs from the image count "
                    + img.count() + " in " + imgPath.getFileName());
        }
        int[] labels = new int[lbl.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = lbl.data()[i] & 0xff;
            if (labels[i] >= id.classes()) {
                throw new DataException(lblPath, "label " + labels[i] + " at index " + i + " is outside 0.."
                        + (id.classes() - 1));
            }
        }
        return new ImageSet(id, split, 1, id.height(), id.width(), img.data(), labels, checksum);
    }

    /** Checks a stored file against its pinned SHA-256; a mismatch names the file and both values. */
    public static void checkSha(Path file, IdxFile spec) {
        String actual = sha(file);
        if (!actual.equals(spec.sha256())) {
            throw new DataException(file, "SHA-256 mismatch: expected " + spec.sha256() + ", got " + actual
                    + " (corrupt or not the genuine file; delete it and fetch again)");
        }
    }

    static String sha(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file, "file not found (run: aerobust datasets fetch "
                    + file.getParent().getFileName() + ")");
        }
        try {
            return Hashing.sha256(file);
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage());
        }
    }

    static void requireDir(Path dir, DatasetId id) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "directory not found (run: aerobust datasets fetch " + id + ")");
        }
    }

    /**
     * The result of verifying one split; {@code sha256Checked} says whether its files matched pinned checksums
     * (BTSC has none: its {@code sha256} is computed from the loaded images, for provenance).
     */
    public record SplitReport(String split, int images, int[] shape, int[] labelCounts, boolean sha256Checked,
                              Map<String, String> sha256) {
    }

    /** Verifies every file of the dataset: checksums, headers, shapes and counts. Throws on the first problem. */
    public static List<SplitReport> verify(IdxSpec spec, Path dir) {
        requireDir(dir, spec.id());
        List<SplitReport> out = new ArrayList<>();
        for (IdxSplit sp : spec.splits()) {
            ImageSet set = load(spec, dir, sp.split());
            if (set.size() != sp.expectedCount()) {
                throw new DataException(dir.resolve(sp.images().storedName()), "holds " + set.size()
                        + " images, expected " + sp.expectedCount());
            }
            Map<String, String> shas = new LinkedHashMap<>();
            shas.put(sp.images().storedName(), sp.images().sha256());
            shas.put(sp.labels().storedName(), sp.labels().sha256());
            out.add(new SplitReport(sp.split().label(), set.size(), set.shape(), set.classCounts(), true, shas));
        }
        return out;
    }
}
