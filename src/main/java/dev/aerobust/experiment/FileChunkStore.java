package dev.aerobust.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.aerobust.attack.ChunkStore;
import dev.aerobust.util.Atomic;

/**
 * An attack's finished chunks on disk, one file per chunk ({@code chunk-<first row>.bin}: rows, values per row,
 * the kept iterates and the margins), each written atomically. A file of the wrong size is ignored and its chunk
 * attacked again. A run's own folder is removed once its records are written; a shared one (the chunks of an
 * attack on a deterministic surrogate, which other runs reuse) is kept.
 */
final class FileChunkStore implements ChunkStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileChunkStore.class);

    private final Path dir;
    private final long seed;
    private final boolean shared;
    private final Path own;
    /** The row ranges {first, rows} this store handed back, not attacked in this run. */
    private final java.util.List<int[]> loaded = new java.util.ArrayList<>();

    /** A run's own store in {@code dir}, removed by {@link #clear}. */
    FileChunkStore(Path dir, long seed) {
        this(dir, seed, false, null);
    }

    /**
     * A store in {@code dir}, kept by {@link #clear} if {@code shared}; {@code own}, if not null, is the run's own
     * folder, where an earlier version kept the chunks of a run now shared: read when {@code dir} lacks a chunk,
     * removed by {@link #clear}.
     */
    FileChunkStore(Path dir, long seed, boolean shared, Path own) {
        this.dir = dir;
        this.seed = seed;
        this.shared = shared;
        this.own = own;
    }

    Path dir() {
        return dir;
    }

    /**
     * The rows taken from this store instead of attacked, counting only rows of eps above 0 (rows are ordered eps
     * by eps, {@code n} images each).
     */
    int reusedRows(double[] eps, int n) {
        int k = 0;
        for (int[] range : loaded) {
            for (int r = range[0]; r < range[0] + range[1]; r++) {
                k += eps[r / n] > 0 ? 1 : 0;
            }
        }
        return k;
    }

    @Override
    public long seed() {
        return seed;
    }

    private Path file(int first) {
        return dir.resolve("chunk-" + first + ".bin");
    }

    @Override
    public Optional<Chunk> load(int first, int rows, int perRow) {
        Path f = file(first);
        if (!Files.isRegularFile(f) && own != null) {
            f = own.resolve(f.getFileName());
        }
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
            long want = 8L + 4L * rows * perRow + 8L * rows;
            if (b.capacity() != want || b.getInt() != rows || b.getInt() != perRow) {
                LOG.warn("{} is not whole; the chunk is attacked again", f);
                return Optional.empty();
            }
            float[] adv = new float[rows * perRow];
            b.asFloatBuffer().get(adv);
            b.position(8 + 4 * adv.length);
            double[] margins = new double[rows];
            b.asDoubleBuffer().get(margins);
            LOG.info("rows {} to {} were attacked before, in {}; reusing them", first, first + rows - 1,
                    f.getParent().getFileName());
            loaded.add(new int[] {first, rows});
            return Optional.of(new Chunk(adv, margins));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void save(int first, Chunk chunk) {
        // attacked in this run after all (a kept chunk that did not hold)
        loaded.removeIf(r -> r[0] == first);
        int rows = chunk.margins().length;
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * chunk.adversarial().length + 8 * rows);
        b.putInt(rows).putInt(chunk.adversarial().length / rows);
        b.asFloatBuffer().put(chunk.adversarial());
        b.position(8 + 4 * chunk.adversarial().length);
        b.asDoubleBuffer().put(chunk.margins());
        try {
            Atomic.writeBytes(file(first), b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the run's own folder (a shared one stays for other runs): the run's records now hold its rows. */
    void clear() throws IOException {
        remove(shared ? own : dir);
    }

    private static void remove(Path folder) throws IOException {
        if (folder != null && Files.isDirectory(folder)) {
            try (Stream<Path> s = Files.walk(folder)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
