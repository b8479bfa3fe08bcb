package dev.aerobust.attack;

import java.util.Map;

/** The attacks aerobust runs, as the CLI, sweep files and result records name them. */
public enum AttackKind {
    /** The study's CW-L2 inside an L-infinity box, best iterate (the default). */
    CW_LINF(Map.of("variant", "best_iterate")),
    /** The same, as the authors' code ran it: their loss, start and last iterate. */
    CW_LINF_AUTHORS(Map.of("variant", "authors")),
    /** PGD with a random start. */
    PGD(Map.of("eot_draws", 1)),
    /** PGD with EOT over draws of the randomized (sampled) defense. */
    EOT_PGD(Map.of()),
    /** DeepFool (L-infinity), clipped into each box. */
    DEEPFOOL(Map.of()),
    /** The textbook CW-L2 (eps are L2 budgets). */
    CW_L2(Map.of("eps_norm", "l2"));

    private final Map<String, Object> fixed;

    AttackKind(Map<String, Object> fixed) {
        this.fixed = fixed;
    }

    /** The attack's name in records and on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * What the kind itself fixes, spelled into the run key beside the settings (the keys earlier versions
     * wrote, so their runs keep their keys).
     */
    Map<String, Object> fixed() {
        return fixed;
    }

    public boolean cw() {
        return this == CW_LINF || this == CW_LINF_AUTHORS;
    }

    public boolean pgd() {
        return this == PGD || this == EOT_PGD;
    }

    /** Whether its eps are L2 budgets rather than L-infinity ones. */
    public boolean l2Budget() {
        return this == CW_L2;
    }
}
