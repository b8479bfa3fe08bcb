package dev.aerobust.store;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.config.SettingMap;

/**
 * What determines an attack run's records apart from eps: the model, the classifier under it, the defense, its
 * latent scale and sampling draws, the images, the seed, the attack and its identity settings. A run's folder is
 * named by the key's hash and the attack set's checksum ({@link ResultsStore#runId}); earlier versions hashed the
 * same fields, so their records are found again.
 *
 * @param model        the model attacked
 * @param classifier   the classifier under an autoencoder (the model itself when it is a classifier)
 * @param defense      none, deterministic or sampled
 * @param scale        a sampled defense's latent scale (0 otherwise)
 * @param samples      a sampled defense's draws (1 otherwise)
 * @param n            images
 * @param seed         the run's seed
 * @param attack       the attack's name
 * @param attackConfig the attack's identity settings, by name
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunKey(String model, String classifier, String defense, double scale, int samples, int n, long seed,
                     String attack, SettingMap attackConfig) {
}
