package dev.aerobust.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** $AEROBUST_HOME as a path or a file: URI (a cluster's shared store); another scheme is a usage error. */
class DataHomeTest {

    @Test
    void aHomeIsAPathOrAFileUri() {
        assertEquals(Path.of("/shared/aerobust"), DataHome.parse("/shared/aerobust"));
        assertEquals(Path.of("/shared/aerobust"), DataHome.parse("file:///shared/aerobust"));
        assertEquals(Path.of("/shared/a b"), DataHome.parse("file:///shared/a%20b"));
        assertEquals(Path.of("rel").toAbsolutePath(), DataHome.parse("rel"));
        // a colon later in a path is no scheme
        assertEquals(Path.of("/data/x:y"), DataHome.parse("/data/x:y"));
    }

    @Test
    void anObjectStoreIsAUsageErrorThatSaysWhatTheStoreMustBe() {
        AerobustException e = assertThrows(AerobustException.class, () -> DataHome.parse("s3a://bucket/aerobust"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("is a s3a: URI") && e.getMessage().contains("docs/cluster.md"),
                e.getMessage());
    }
}
