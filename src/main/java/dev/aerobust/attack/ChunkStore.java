package dev.aerobust.attack;

import java.util.Optional;

/**
 * Where a batched attack keeps its finished chunks of rows, so a killed run resumes at the chunk it was in. Each
 * chunk runs from its own seed ({@link #seed} plus its first row), so a resumed run computes what an
 * uninterrupted one does.
 */
public interface ChunkStore {

    /** A finished chunk: its rows' kept iterates (flattened) and final margins. */
    record Chunk(float[] adversarial, double[] margins) {
    }

    /** The seed the chunks' seeds derive from. */
    long seed();

    /** The chunk that starts at row {@code first} and has {@code rows} rows, if it was finished and kept whole. */
    Optional<Chunk> load(int first, int rows, int perRow);

    /** Keeps a finished chunk. */
    void save(int first, Chunk chunk);

    /**
     * The store of a later pass over some of these rows ({@code rows}, indices into this store's rows): an
     * ensemble's member, which attacks the rows the members before it left correct. Its chunks are its own, under
     * {@code name}, and so is its seed.
     */
    ChunkStore pass(String name, int[] rows);

    /**
     * The store of the pass at one eps of a run over several ({@code rows}, indices into this store's rows): how
     * its chunks are named is the store's to say.
     */
    default ChunkStore atEps(double eps, int[] rows) {
        return pass("eps " + eps, rows);
    }
}
