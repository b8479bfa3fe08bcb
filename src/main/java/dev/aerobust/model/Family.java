package dev.aerobust.model;

import java.util.Locale;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/**
 * The six autoencoder families of the study. A family fixes whether the model is variational, whether it is
 * trained to denoise (target = clean image) or on noise-augmented data (target = the noisy input), and whether
 * the contractive penalty is on.
 */
public enum Family {
    AE(false, false, false),
    DAE(false, true, false),
    VAE(true, false, false),
    DVAE(true, true, false),
    /** Contractive AE; denoising or not is a separate switch (the study trained it "as AE or DAE"). */
    CAE(false, false, true),
    /** Contractive VAE; likewise. */
    CVAE(true, false, true);

    private final boolean variational;
    private final boolean denoising;
    private final boolean contractive;

    Family(boolean variational, boolean denoising, boolean contractive) {
        this.variational = variational;
        this.denoising = denoising;
        this.contractive = contractive;
    }

    public boolean variational() {
        return variational;
    }

    /** Whether the family itself denoises; CAE and CVAE take it from their configuration. */
    public boolean denoising() {
        return denoising;
    }

    public boolean contractive() {
        return contractive;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Family parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AerobustException(ExitCode.USAGE, "unknown autoencoder family '" + s
                    + "' (known: ae, dae, vae, dvae, cae, cvae)");
        }
    }
}
