package dev.aerobust.store;

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
 * An attack's finished chunks on disk, one file per chunk ({@code chunk-<first row>.bin}), each written
 * atomically: a mark, the hash of the run and pass it belongs to, rows, values per row, the kept iterates, the
 * margins, and the SHA-256 of all that. A file that is not whole, is another run's or fails its checksum is
 * ignored, with a warning, and its chunk attacked again; one of an earlier version (no mark) is read by its size. A run's own folder is removed once its records are written; a shared one (the chunks of an
 * attack on a deterministic surrogate, which other runs reuse) is kept. A later pass over some of the rows (an
 * ensemble's member) keeps its chunks in a sub-folder named by the pass and the hash of its rows, so a pass over
 * other rows never takes them.
 */
public final class FileChunkStore implements ChunkStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileChunkStore.class);

    private final Path dir;
    private final long seed;
    private final boolean shared;
    private final Path own;
    /** The run's store, which counts the rows of every pass; this store's rows as the run's rows (null: itself). */
    private final FileChunkStore run;
    private final int[] runRows;
    /** The run's rows some pass took from a store, and those some pass attacked in this run (in the run's store). */
    private final java.util.BitSet loaded = new java.util.BitSet();
    private final java.util.BitSet attacked = new java.util.BitSet();
    /** The SHA-256 of what the chunks belong to: the run (or surrogate) and the pass. */
    private final byte[] owner;

    /** The mark of a chunk file of this version ("ARC1"). */
    private static final int MARK = 0x41524331;

    /**
     * A store in {@code dir}, kept by {@link #clear} if {@code shared}; {@code own}, if not null, is the run's own
     * folder, where an earlier version kept the chunks of a run now shared: read when {@code dir} lacks a chunk,
     * removed by {@link #clear}. {@code owner} names the run the chunks belong to (bound into every chunk).
     */
    FileChunkStore(Path dir, long seed, boolean shared, Path own, String owner) {
        this.dir = dir;
        this.seed = seed;
        this.shared = shared;
        this.own = own;
        this.run = this;
        this.runRows = null;
        this.owner = sha(owner);
    }

    private static byte[] sha(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A later pass over {@code rows} of {@code parent}'s rows, in a folder of its own inside the parent's. */
    private FileChunkStore(FileChunkStore parent, String name, int[] rows) {
        String id = name + "-" + dev.aerobust.util.Hashing.sha256(java.util.Arrays.toString(rows)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
        this.dir = parent.dir.resolve(id);
        this.seed = parent.seed * 31 + name.hashCode();
        this.shared = parent.shared;
        this.own = null;
        this.run = parent.run;
        this.owner = sha(java.util.HexFormat.of().formatHex(parent.owner) + "|" + id);
        this.runRows = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            runRows[i] = parent.runRows == null ? rows[i] : parent.runRows[rows[i]];
        }
    }

    @Override
    public ChunkStore pass(String name, int[] rows) {
        return new FileChunkStore(this, name, rows);
    }

    /** The pass at {@code eps}: its chunks' files are named {@code eps-0.0500} as the records of that eps are. */
    @Override
    public ChunkStore atEps(double eps, int[] rows) {
        return pass(ResultsStore.epsName(eps), rows);
    }

    /** Marks this store's rows {@code first} to {@code first + rows - 1} in {@code set} of the run's store. */
    private void mark(java.util.BitSet set, int first, int rows) {
        for (int r = first; r < first + rows; r++) {
            set.set(runRows == null ? r : runRows[r]);
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * The rows taken from the store instead of attacked (by no pass of this run), counting only rows of eps above
     * 0 (rows are ordered eps by eps, {@code n} images each).
     */
    public int reusedRows(double[] eps, int n) {
        java.util.BitSet reused = (java.util.BitSet) loaded.clone();
        reused.andNot(attacked);
        return (int) reused.stream().filter(r -> eps[r / n] > 0).count();
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
            long payload = 8L + 4L * rows * perRow + 8L * rows;
            if (b.capacity() >= 4 && b.getInt(0) == MARK) {
                String why = b.capacity() != 4 + 32 + payload + 32 ? "it is not whole"
                        : !java.util.Arrays.equals(owner, java.util.Arrays.copyOfRange(b.array(), 4, 36))
                        ? "it is another run's chunk"
                        : !java.util.Arrays.equals(java.util.Arrays.copyOfRange(b.array(), b.capacity() - 32,
                                b.capacity()), digest(b.array(), b.capacity() - 32)) ? "its checksum does not match"
                        : null;
                if (why != null) {
                    LOG.warn("{}: {}; the chunk is attacked again", f, why);
                    return Optional.empty();
                }
                b.position(36);
                b = b.slice();
            } else if (b.capacity() != payload) {
                LOG.warn("{} is not whole; the chunk is attacked again", f);
                return Optional.empty();
            }
            if (b.getInt() != rows || b.getInt() != perRow) {
                LOG.warn("{} holds another chunk's shape; the chunk is attacked again", f);
                return Optional.empty();
            }
            float[] adv = new float[rows * perRow];
            b.asFloatBuffer().get(adv);
            b.position(8 + 4 * adv.length);
            double[] margins = new double[rows];
            b.asDoubleBuffer().get(margins);
            LOG.info("rows {} to {} were attacked before, in {}; reusing them", first, first + rows - 1,
                    f.getParent().getFileName());
            mark(run.loaded, first, rows);
            return Optional.of(new Chunk(adv, margins));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] digest(byte[] bytes, int length) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(bytes, 0, length);
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void save(int first, Chunk chunk) {
        int rows = chunk.margins().length;
        mark(run.attacked, first, rows);
        int payload = 8 + 4 * chunk.adversarial().length + 8 * rows;
        ByteBuffer b = ByteBuffer.allocate(4 + 32 + payload + 32);
        b.putInt(MARK).put(owner);
        b.putInt(rows).putInt(chunk.adversarial().length / rows);
        b.asFloatBuffer().put(chunk.adversarial());
        b.position(36 + 8 + 4 * chunk.adversarial().length);
        b.asDoubleBuffer().put(chunk.margins());
        b.position(36 + payload);
        b.put(digest(b.array(), 36 + payload));
        try {
            Atomic.writeBytes(file(first), b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the run's own folder (a shared one stays for other runs): the run's records now hold its rows. */
    public void clear() throws IOException {
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
