package dev.aerobust.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.aerobust.store.AttackRecord;

/**
 * The per-image worst case over several attacks on one model at one eps: an image counts as robust only if
 * every attack left it correct (for a sampled defense: correct under every draw). Its accuracy is never above
 * the lowest of the attacks' own, and is the headline number of a defense.
 */
public final class WorstCase {

    /**
     * @param accuracy the fraction of images every attack left correct
     * @param images   the images all the records share
     * @param attacks  the attacks it covers, as a report names them ({@link AttackRecord#describeAttack})
     * @param robust   per image (in {@code index} order), robust under every attack
     * @param index    the test-set indices
     */
    public record Value(double accuracy, int images, List<String> attacks, boolean[] robust, int[] index) {
    }

    private WorstCase() {
    }

    /**
     * The worst case over {@code records} on the images {@code index} alone (every record must hold them all, as
     * a larger evaluation's records hold a subset's first images); null if no record has per-image outcomes or one
     * lacks an image.
     */
    public static Value on(List<AttackRecord> records, int[] index) {
        List<AttackRecord> with = records.stream().filter(r -> r != null && r.hasPerImage()).toList();
        if (with.isEmpty()) {
            return null;
        }
        boolean[] robust = new boolean[index.length];
        java.util.Arrays.fill(robust, true);
        List<String> attacks = new ArrayList<>();
        for (AttackRecord r : with) {
            Map<Integer, Integer> pos = new HashMap<>();
            for (int i = 0; i < r.perImage().index().length; i++) {
                pos.put(r.perImage().index()[i], i);
            }
            for (int i = 0; i < index.length; i++) {
                Integer at = pos.get(index[i]);
                if (at == null) {
                    return null;
                }
                robust[i] &= r.perImage().robust()[at];
            }
            attacks.add(r.describeAttack());
        }
        int k = 0;
        for (boolean b : robust) {
            k += b ? 1 : 0;
        }
        return new Value((double) k / index.length, index.length, attacks, robust, index.clone());
    }

    /**
     * The worst case over {@code records} (one eps, one model, one evaluation); records without per-image
     * outcomes (written by an earlier version) are left out. Null if none has them.
     */
    public static Value of(List<AttackRecord> records) {
        List<AttackRecord> with = records.stream().filter(r -> r != null && r.hasPerImage()).toList();
        if (with.isEmpty()) {
            return null;
        }
        int[] index = with.get(0).perImage().index();
        Map<Integer, Integer> pos = new HashMap<>();
        for (int i = 0; i < index.length; i++) {
            pos.put(index[i], i);
        }
        boolean[] robust = new boolean[index.length];
        java.util.Arrays.fill(robust, true);
        List<String> attacks = new ArrayList<>();
        for (AttackRecord r : with) {
            AttackRecord.PerImage p = r.perImage();
            if (p.index().length != index.length) {
                throw new IllegalArgumentException("records over different images: " + r.attack());
            }
            for (int i = 0; i < p.index().length; i++) {
                Integer at = pos.get(p.index()[i]);
                if (at == null) {
                    throw new IllegalArgumentException("records over different images: " + r.attack());
                }
                robust[at] &= p.robust()[i];
            }
            attacks.add(r.describeAttack());
        }
        int k = 0;
        for (boolean b : robust) {
            k += b ? 1 : 0;
        }
        return new Value((double) k / index.length, index.length, attacks, robust, index);
    }
}
