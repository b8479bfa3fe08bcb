package dev.aerobust.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.aerobust.util.Hashing;

/**
 * The Belgian Traffic Sign Classification set in its public layout: {@code Training/} and {@code Testing/},
 * each with one folder per class ({@code 00000} to {@code 00061}) of PPM images and a semicolon-separated
 * annotation file {@code GT-<class>.csv} giving each image's region of interest.
 *
 * <p>Each image is cropped to its region of interest, its V channel histogram-equalised in HSV, and resized to
 * 32x32. The validation split holds out 20% of the tracks of each class of {@code Training/} (a track is one
 * physical sign, the prefix of the file name before {@code _}), so no sign appears in both splits.
 */
public final class Btsc {

    public static final String TRAINING = "Training";
    public static final String TESTING = "Testing";
    /** Share of each class's tracks held out for validation. */
    public static final double VAL_TRACK_FRACTION = 0.2;
    /** The two zips of the public release and where they are usually served. */
    public static final List<String> WEB_ZIPS = List.of(
            "https://btsd.ethz.ch/shareddata/BelgiumTSC/BelgiumTSC_Training.zip",
            "https://btsd.ethz.ch/shareddata/BelgiumTSC/BelgiumTSC_Testing.zip");

    /** One annotated image. */
    record Annotation(Path file, int classId, String track, int x1, int y1, int x2, int y2) {
    }

    private Btsc() {
    }

    /**
     * Loads a split. {@code TRAIN} and {@code VAL} come from {@code Training/}, split by track with {@code seed};
     * {@code TEST} is {@code Testing/}.
     */
    public static ImageSet load(Path dir, Split split, long seed) {
        IdxDatasets.requireDir(dir, DatasetId.BTSC);
        Path part = dir.resolve(split == Split.TEST ? TESTING : TRAINING);
        IdxDatasets.requireDir(part, DatasetId.BTSC);
        List<Annotation> all = annotations(part);
        List<Annotation> chosen = split == Split.TEST ? all : trackSplit(all, seed, split == Split.VAL);
        return toImageSet(chosen, split);
    }

    /** Reads every class folder's annotation file. */
    static List<Annotation> annotations(Path part) {
        List<Annotation> out = new ArrayList<>();
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(part)) {
            classDirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new DataException(part, "cannot list: " + e.getMessage());
        }
        if (classDirs.isEmpty()) {
            throw new DataException(part, "no class folders (expected 00000 to 00061)");
        }
        for (Path cd : classDirs) {
            int classId;
            try {
                classId = Integer.parseInt(cd.getFileName().toString());
            } catch (NumberFormatException e) {
                continue; // not a class folder
            }
            Path csv;
            try (Stream<Path> s = Files.list(cd)) {
                csv = s.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".csv")).findFirst()
                        .orElseThrow(() -> new DataException(cd, "no annotation CSV (GT-*.csv)"));
            } catch (IOException e) {
                throw new DataException(cd, "cannot list: " + e.getMessage());
            }
            out.addAll(readCsv(csv, classId));
        }
        return out;
    }

    static List<Annotation> readCsv(Path csv, int folderClass) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(csv, "cannot read: " + e.getMessage());
        }
        if (lines.isEmpty()) {
            throw new DataException(csv, "empty annotation file");
        }
        List<String> header = Arrays.asList(lines.get(0).trim().split(";"));
        int[] col = new int[7];
        String[] names = {"Filename", "Roi.X1", "Roi.Y1", "Roi.X2", "Roi.Y2", "ClassId"};
        for (int i = 0; i < names.length; i++) {
            col[i] = header.indexOf(names[i]);
            if (col[i] < 0) {
                throw new DataException(csv, "annotation header lacks column " + names[i] + " (got "
                        + lines.get(0).trim() + ")");
            }
        }
        List<Annotation> out = new ArrayList<>();
        for (int ln = 1; ln < lines.size(); ln++) {
            String line = lines.get(ln).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(";");
            try {
                String name = f[col[0]];
                int cls = Integer.parseInt(f[col[5]].trim());
                if (cls != folderClass) {
                    throw new DataException(csv, "line " + (ln + 1) + ": class " + cls + " in folder of class "
                            + folderClass);
                }
                if (cls < 0 || cls >= DatasetId.BTSC.classes()) {
                    throw new DataException(csv, "line " + (ln + 1) + ": class " + cls + " outside 0..61");
                }
                int us = name.indexOf('_');
                String track = us > 0 ? name.substring(0, us) : name;
                out.add(new Annotation(csv.getParent().resolve(name), cls, track,
                        Integer.parseInt(f[col[1]].trim()), Integer.parseInt(f[col[2]].trim()),
                        Integer.parseInt(f[col[3]].trim()), Integer.parseInt(f[col[4]].trim())));
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new DataException(csv, "line " + (ln + 1) + ": malformed annotation '" + line + "'");
            }
        }
        return out;
    }

    /** Holds out {@link #VAL_TRACK_FRACTION} of each class's tracks (at least one when a class has two or more). */
    static List<Annotation> trackSplit(List<Annotation> all, long seed, boolean validation) {
        Map<Integer, TreeSet<String>> tracks = new TreeMap<>();
        for (Annotation a : all) {
            tracks.computeIfAbsent(a.classId(), k -> new TreeSet<>()).add(a.track());
        }
        Map<Integer, java.util.Set<String>> held = new TreeMap<>();
        for (Map.Entry<Integer, TreeSet<String>> e : tracks.entrySet()) {
            List<String> t = new ArrayList<>(e.getValue());
            int[] perm = ImageSet.permutation(t.size(), seed * 1_000_003L + e.getKey());
            int n = (int) Math.round(VAL_TRACK_FRACTION * t.size());
            if (n == 0 && t.size() >= 2) {
                n = 1;
            }
            java.util.Set<String> h = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                h.add(t.get(perm[i]));
            }
            held.put(e.getKey(), h);
        }
        return all.stream().filter(a -> held.get(a.classId()).contains(a.track()) == validation).toList();
    }

    private static ImageSet toImageSet(List<Annotation> anns, Split split) {
        int w = DatasetId.BTSC.width();
        int h = DatasetId.BTSC.height();
        int per = 3 * w * h;
        byte[] px = new byte[anns.size() * per];
        int[] labels = new int[anns.size()];
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < anns.size(); i++) {
            Annotation a = anns.get(i);
            Ppm.RgbImage img = ImageOps.resize(ImageOps.equalizeValue(
                    ImageOps.crop(Ppm.read(a.file()), a.x1(), a.y1(), a.x2(), a.y2())), w, h);
            float[] rgb = img.rgb();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        // HWC to CHW
                        px[i * per + c * w * h + y * w + x] = (byte) Math.round(rgb[(y * w + x) * 3 + c] * 255f);
                    }
                }
            }
            labels[i] = a.classId();
            ids.append(a.file().getFileName()).append(a.classId()).append(';');
        }
        return new ImageSet(DatasetId.BTSC, split, 3, h, w, px, labels,
                Hashing.sha256(ids.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
