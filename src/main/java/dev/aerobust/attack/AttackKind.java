package dev.aerobust.attack;

import java.util.Map;

import dev.aerobust.config.SettingMap;

/** The attacks aerobust runs, as the CLI, sweep files and result records name them. */
public enum AttackKind {
    /** The study's CW-L2 inside an L-infinity box, best iterate (the default). */
    CW_LINF(SettingMap.of(Map.of("variant", "best_iterate"))),
    /** The same, as the authors' code ran it: their loss, start and last iterate. */
    CW_LINF_AUTHORS(SettingMap.of(Map.of("variant", "authors"))),
    /** PGD with a random start. */
    PGD(SettingMap.of(Map.of("eot_draws", 1))),
    /** PGD with EOT over draws of the randomized (sampled) defense. */
    EOT_PGD(SettingMap.EMPTY),
    /** DeepFool (L-infinity), clipped into each box. */
    DEEPFOOL(SettingMap.EMPTY),
    /** The textbook CW-L2 (eps are L2 budgets). */
    CW_L2(SettingMap.of(Map.of("eps_norm", "l2"))),
    /** Auto-PGD on the cross-entropy (Croce and Hein 2020). */
    APGD_CE(SettingMap.EMPTY),
    /** Auto-PGD on the difference of logits ratio. */
    APGD_DLR(SettingMap.EMPTY),
    /** Auto-PGD on the targeted DLR, once per target class. */
    APGD_T(SettingMap.EMPTY),
    /** The Square attack: random search, score-based, no gradients (Andriushchenko et al. 2020). */
    SQUARE(SettingMap.EMPTY),
    /** FAB-T: the minimally distorted targeted attack (Croce and Hein 2020), L-infinity. */
    FAB_T(SettingMap.EMPTY),
    /** AutoAttack's ensembles, each member on the rows the earlier ones left correct. */
    AUTOATTACK(SettingMap.EMPTY);

    private final SettingMap fixed;

    AttackKind(SettingMap fixed) {
        this.fixed = fixed;
    }

    /** The attack of this name ({@link #label}); an unknown name is a usage error listing the known ones. */
    public static AttackKind parse(String name) {
        for (AttackKind k : values()) {
            if (k.label().equals(name)) {
                return k;
            }
        }
        throw new dev.aerobust.util.AerobustException(dev.aerobust.util.ExitCode.USAGE, "unknown attack '" + name
                + "' (known: " + String.join(", ", java.util.Arrays.stream(values()).map(AttackKind::label).toList())
                + ")");
    }

    /** The attack's name in records and on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * What the kind itself fixes, spelled into the run key beside the settings (the keys earlier versions
     * wrote, so their runs keep their keys).
     */
    SettingMap fixed() {
        return fixed;
    }

    public boolean cw() {
        return this == CW_LINF || this == CW_LINF_AUTHORS;
    }

    public boolean pgd() {
        return this == PGD || this == EOT_PGD;
    }

    public boolean apgd() {
        return this == APGD_CE || this == APGD_DLR || this == APGD_T;
    }

    /** Whether it runs in chunks of (image, eps) rows and can resume at its chunk. */
    public boolean chunked() {
        return cw() || pgd() || apgd() || this == SQUARE || this == FAB_T || this == AUTOATTACK;
    }

    /** Whether its eps are L2 budgets rather than L-infinity ones. */
    public boolean l2Budget() {
        return this == CW_L2;
    }
}
