package dev.aerobust.store;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The sanity checks of one attack run ({@link Sanity}): what was checked, the warnings, and the numbers of the
 * small runs behind them.
 *
 * @param warnings every failed check, in words
 * @param checks   the checks that ran
 * @param runs     the numbers of the small check runs
 * @param runId    the run the checks are of (its folder's name); absent in files of earlier versions
 * @param checksum the SHA-256 of the content without this field; absent in files of earlier versions
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SanityReport(List<String> warnings, List<String> checks, Runs runs, String runId, String checksum) {

    /** A run's checks, not yet bound to a run's folder (the store binds them when it writes them). */
    public SanityReport(List<String> warnings, List<String> checks, Runs runs) {
        this(warnings, checks, runs, null, null);
    }

    /** The checks every run makes. */
    public static final List<String> CHECKS = List.of("accuracy never rises with eps",
            "input gradients neither zero nor NaN", "randomized defense attacked with EOT",
            "an unbounded attack reaches about 0%", "twice the steps changes accuracy by no more than noise");

    /**
     * @param unboundedAccuracy            accuracy left by the attack at eps 1 (the whole box)
     * @param accuracyAtMaxEps             accuracy at the largest eps on the check's images
     * @param accuracyAtMaxEpsDoubledSteps the same with twice the steps
     * @param maxEps                       the largest eps of the run the checks were made for
     * @param images                       images the small runs used
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Runs(Double unboundedAccuracy, Double accuracyAtMaxEps, Double accuracyAtMaxEpsDoubledSteps,
                       Double maxEps, Integer images) {
        public static final Runs NONE = new Runs(null, null, null, null, null);

        /** Whether the small runs have been made for a run whose largest eps is {@code maxEps}. */
        public boolean doneFor(double maxEps) {
            return unboundedAccuracy != null && images != null && this.maxEps != null && this.maxEps == maxEps;
        }
    }
}
