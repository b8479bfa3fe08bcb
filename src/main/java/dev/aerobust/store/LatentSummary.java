package dev.aerobust.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The latent-space statistics of one set of clean and adversarial inputs (system.md section 5), as an attack
 * record stores them: each as mean and std over images, and the diameters of the sets of mu and mu*.
 *
 * @param cosMuMuAdv        cos(mu, mu*)
 * @param normRatio         |mu*| / |mu|
 * @param normDiff          |mu*| - |mu|
 * @param distMuMuAdv       |mu* - mu|
 * @param centroidDistMu    distance of mu to the centroid of the set of mu
 * @param centroidDistMuAdv distance of mu* to the centroid of the set of mu*
 * @param diameterMu        largest pairwise distance in the set of mu
 * @param diameterMuAdv     largest pairwise distance in the set of mu*
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LatentSummary(MeanStd cosMuMuAdv, MeanStd normRatio, MeanStd normDiff, MeanStd distMuMuAdv,
                            MeanStd centroidDistMu, MeanStd centroidDistMuAdv, double diameterMu, double diameterMuAdv) {

    /** Mean and std over images. */
    public record MeanStd(double mean, double std) {
    }
}
