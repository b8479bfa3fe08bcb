package dev.aerobust.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.aerobust.data.DataHome;
import dev.aerobust.data.DatasetId;

/**
 * Access to the real datasets for tests. On CI ({@code CI=true}) they must be there, since {@code .ci/run}
 * fetches them; elsewhere a test that needs them is skipped when they are absent.
 */
public final class RealData {

    private RealData() {
    }

    /** The 6000 MNIST training images the brief trainings use (drawn with seed 1). */
    public static dev.aerobust.data.ImageSet mnistTrainSample() {
        return dev.aerobust.data.Datasets.load(DatasetId.MNIST, dev.aerobust.data.Split.TRAIN,
                dataDir(DatasetId.MNIST), 0).sample(6000, 1);
    }

    /**
     * A classifier trained briefly (seed 2; batch 100, lr 1e-3, two epochs) on {@code train}, validated on
     * {@code val}, frozen.
     */
    public static dev.aerobust.model.Classifier briefClassifier(dev.aerobust.data.ImageSet train,
            dev.aerobust.data.ImageSet val, Path workDir) throws java.io.IOException {
        dev.aerobust.nn.Engine.seed(2);
        dev.aerobust.model.Classifier clf = new dev.aerobust.model.Classifier(DatasetId.MNIST);
        dev.aerobust.train.Trainer.fit(clf, new dev.aerobust.train.ClassifierObjective(clf), train, val,
                Configs.constantLr(100, 1e-3, 0, 0, 2, 2, 2), workDir);
        clf.freeze();
        return clf;
    }

    public static Path dataDir(DatasetId id) {
        Path dataDir = DataHome.dataDir(null);
        boolean present = Files.isDirectory(DataHome.datasetDir(dataDir, id));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(id + " is missing from " + dataDir + " on CI: .ci/run must fetch it");
        }
        assumeTrue(present, id + " not fetched into " + dataDir + "; run ./aerobust datasets fetch " + id);
        return dataDir;
    }
}
