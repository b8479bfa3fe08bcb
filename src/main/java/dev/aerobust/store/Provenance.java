package dev.aerobust.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.aerobust.nn.Engine;
import dev.aerobust.util.Versions;

/**
 * What every saved model and result records about how it was made: versions of aerobust, libtorch and Java,
 * the OS, the thread count, the time, the seed and the dataset's checksum. Generated, never written by hand.
 *
 * @param versions        aerobust, libtorch, javacpp preset, java, os
 * @param threads         intra-op threads of the engine
 * @param created         ISO-8601 time
 * @param seed            the run's one seed
 * @param dataset         dataset name
 * @param datasetChecksum SHA-256 identifying the dataset files
 */
public record Provenance(Map<String, String> versions, int threads, String created, long seed, String dataset,
                         String datasetChecksum) {

    public static Provenance now(long seed, String dataset, String datasetChecksum) {
        Map<String, String> v = new LinkedHashMap<>(Versions.basic());
        v.put("libtorch", Engine.torchVersion());
        v.put("javacpp_preset", Engine.presetVersion());
        return new Provenance(v, Engine.threads(), Instant.now().toString(), seed, dataset, datasetChecksum);
    }
}
