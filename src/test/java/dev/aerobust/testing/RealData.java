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
