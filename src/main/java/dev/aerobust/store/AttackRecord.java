package dev.aerobust.store;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.aerobust.attack.AttackKind;
import dev.aerobust.config.SettingMap;
import dev.aerobust.data.DatasetId;
import dev.aerobust.defense.DefendedClassifier;

/**
 * The result of one attack on one model at one eps: the run's key (model, classifier, defense, attack and its
 * settings), the aggregates (robust accuracy, success rate, largest perturbations, NaN count), the latent
 * statistics of an autoencoder defense, the provenance, and the outcome of every attacked image by its
 * test-set index, so a reader can take the per-image worst case over several attacks. Written and read with
 * Jackson in snake case; a record written by an earlier version (no schema, no per-image outcomes) still reads.
 *
 * @param schema            2; absent in records of earlier versions
 * @param eps               the budget, [0, 1] pixel units (L2 for cw-l2)
 * @param model             the model attacked: an autoencoder (the defense) or a classifier (none)
 * @param classifier        the classifier under the autoencoder
 * @param defense           none, deterministic or sampled
 * @param scale             latent scale s of a sampled defense (0 otherwise)
 * @param samples           sampling seeds of a sampled defense's accuracy (1 otherwise)
 * @param n                 attacked images
 * @param seed              the run's seed
 * @param attack            the attack's name
 * @param attackConfig      the attack's identity settings
 * @param dataset           the dataset
 * @param robustAccuracy    accuracy of the deployed defense on the attack's outputs (mean over draws)
 * @param robustAccuracyStd its std over draws (0 for a deterministic defense)
 * @param accuracyDraws     draws of the defense the accuracy is taken over
 * @param attackSuccessRate fraction of images the attack fooled on the model it attacked
 * @param maxLinf           largest L-infinity perturbation
 * @param maxL2             largest L2 perturbation
 * @param nanCount          NaN values among the outputs
 * @param attackSeconds     wall time of the attack over every eps of the run
 * @param reusedRows        rows (image x eps above 0) of the run that it did not attack itself but took from
 *                          chunks kept before it: by a killed run, or by the same attack on the same
 *                          deterministic surrogate (another latent scale); absent when none
 * @param rowsAttacked      the images the attack ran on at this eps: all n, or with eps nesting those no smaller
 *                          eps had fooled (0 at eps 0); absent in records of earlier versions
 * @param latent            latent statistics of an autoencoder defense
 * @param adversarialNpy    where the adversarial inputs were saved, if asked
 * @param provenance        versions, threads, time, seed, dataset checksum
 * @param speed             the speed settings it ran with
 * @param perImage          every image's outcome
 * @param checksum          the SHA-256 of the record's content without this field ({@link ResultsStore} writes
 *                          and checks it); absent in records of earlier versions, which are read unchecked
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AttackRecord(Integer schema, double eps, String model, String classifier,
                           DefendedClassifier.Mode defense, double scale, int samples, int n, long seed,
                           AttackKind attack, SettingMap attackConfig, DatasetId dataset, double robustAccuracy, double robustAccuracyStd, int accuracyDraws,
                           double attackSuccessRate, double maxLinf, double maxL2, int nanCount, double attackSeconds,
                           Integer reusedRows, Integer rowsAttacked, LatentSummary latent, String adversarialNpy,
                           Provenance provenance, SettingMap speed, PerImage perImage, String checksum) {

    /** The schema this version writes: 3 carries a checksum; 2 per-image outcomes; none, neither. */
    public static final int SCHEMA = 3;

    /** The record with {@code sum} as its checksum. */
    AttackRecord withChecksum(String sum) {
        return new AttackRecord(schema, eps, model, classifier, defense, scale, samples, n, seed, attack, attackConfig,
                dataset, robustAccuracy, robustAccuracyStd, accuracyDraws, attackSuccessRate, maxLinf, maxL2, nanCount,
                attackSeconds, reusedRows, rowsAttacked, latent, adversarialNpy, provenance, speed, perImage, sum);
    }

    /** The key of the run that wrote it: what its folder is named by. */
    public RunKey runKey() {
        return new RunKey(model, classifier, defense.label(), scale, samples, n, seed, attack.label(), attackConfig);
    }

    /**
     * Where the record contradicts itself: its summary numbers against its own per-image outcomes (the images
     * attacked, the robust accuracy, the success rate), a budget or an accuracy out of range, a NaN. Empty for a
     * record that holds together; a record of an earlier version without per-image outcomes is checked for its
     * ranges alone.
     */
    public java.util.List<String> inconsistencies() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (model == null || attack == null || defense == null) {
            out.add("it names no model, attack or defense");
            return out;
        }
        if (!(eps >= 0) || !(robustAccuracy >= 0 && robustAccuracy <= 1) || !(attackSuccessRate >= 0
                && attackSuccessRate <= 1) || !(n > 0) || !(accuracyDraws >= 1)) {
            out.add(String.format(java.util.Locale.ROOT, "a number out of range (eps %s, n %d, robust_accuracy %s,"
                    + " attack_success_rate %s, accuracy_draws %d)", eps, n, robustAccuracy, attackSuccessRate,
                    accuracyDraws));
            return out;
        }
        if (perImage == null) {
            return out;
        }
        if (perImage.index() == null || perImage.robust() == null || perImage.margin() == null
                || perImage.index().length != n) {
            out.add("per_image holds " + (perImage.index() == null ? 0 : perImage.index().length) + " images where n is "
                    + n);
            return out;
        }
        int robust = 0;
        int fooled = 0;
        for (int i = 0; i < n; i++) {
            robust += perImage.robust()[i] ? 1 : 0;
            fooled += perImage.margin()[i] < 0 ? 1 : 0;
        }
        double expected;
        if (perImage.correctDraws() != null) {
            long correct = 0;
            for (int i = 0; i < n; i++) {
                int c = perImage.correctDraws()[i];
                correct += c;
                if (c < 0 || c > accuracyDraws || (c == accuracyDraws) != perImage.robust()[i]) {
                    out.add("per_image of image " + perImage.index()[i] + ": robust " + perImage.robust()[i]
                            + " but correct under " + c + " of " + accuracyDraws + " draws");
                    return out;
                }
            }
            expected = (double) correct / ((double) n * accuracyDraws);
        } else {
            expected = (double) robust / n;
        }
        if (Math.abs(expected - robustAccuracy) > 1e-9) {
            out.add(String.format(java.util.Locale.ROOT, "robust_accuracy %s where its per_image outcomes give %s",
                    robustAccuracy, expected));
        }
        if (Math.abs((double) fooled / n - attackSuccessRate) > 1e-9) {
            out.add(String.format(java.util.Locale.ROOT, "attack_success_rate %s where its per_image margins give %s",
                    attackSuccessRate, (double) fooled / n));
        }
        return out;
    }

    /**
     * The outcome of each attacked image.
     *
     * @param index        the image's index in the test set
     * @param robust       whether the deployed defense still classified it correctly (under every draw of a
     *                     sampled defense)
     * @param margin       the final margin {@code Z_y - max_{j != y} Z_j} on the model the attack ran on
     * @param correctDraws for a sampled defense, in how many draws it was classified correctly
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PerImage(int[] index, boolean[] robust, double[] margin, int[] correctDraws) {
        public PerImage {
            if (index.length != robust.length || index.length != margin.length) {
                throw new IllegalArgumentException("per-image arrays of different lengths");
            }
        }
    }

    /**
     * The attack as a report names it, its settings away from their defaults included ({@code apgd-t (targets
     * 3)}); the bare name where the stored settings cannot be read as today's.
     */
    public String describeAttack() {
        try {
            return dev.aerobust.attack.AttackConfig.describe(dev.aerobust.attack.AttackConfig.fromRecord(
                    attack.label(), attackConfig));
        } catch (RuntimeException e) {
            return attack.label();
        }
    }

    /** Whether the record holds per-image outcomes (records of earlier versions do not). */
    public boolean hasPerImage() {
        return perImage != null;
    }

    /**
     * {@code records} (nulls skipped) grouped by the attack call that wrote them: a call writes a record for each
     * eps it ran, each with the call's wall time, so the records of one call share {@link #attackSeconds()}.
     */
    public static java.util.Collection<java.util.List<AttackRecord>> byCall(
            java.util.Collection<AttackRecord> records) {
        Map<Double, java.util.List<AttackRecord>> calls = new java.util.LinkedHashMap<>();
        for (AttackRecord r : records) {
            if (r != null) {
                calls.computeIfAbsent(r.attackSeconds(), k -> new java.util.ArrayList<>()).add(r);
            }
        }
        return calls.values();
    }
}
