package dev.aerobust.util;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive locks across processes on one piece of work of a store (a model's training, an attack run, the rows
 * of a surrogate): a second process doing the same work waits for the first, then finds its result on disk,
 * instead of computing it again beside it. A lock is an advisory lock on a file under a {@code .locks} folder of
 * the store; it is released when the process ends, however it ends (a {@code kill -9} leaves no stale lock).
 */
public final class FileLocks {

    private static final Logger LOG = LoggerFactory.getLogger(FileLocks.class);

    private FileLocks() {
    }

    /**
     * Takes the lock named {@code name} in {@code locks}, waiting for another process that holds it (and saying
     * so: {@code another run is <what>; waiting for it}); close the result to release it.
     */
    public static Closeable exclusive(Path locks, String name, String what) throws IOException {
        Files.createDirectories(locks);
        FileChannel ch = FileChannel.open(locks.resolve(name + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                LOG.info("another run is {}; waiting for it", what);
                lock = ch.lock();
            }
            FileLock held = lock;
            return () -> {
                held.release();
                ch.close();
            };
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
