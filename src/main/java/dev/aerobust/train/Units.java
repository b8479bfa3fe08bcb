package dev.aerobust.train;

/**
 * The study's code worked in [-1, 1]; aerobust works in [0, 1]. It keeps the study's numbers as labels and
 * converts here, in one place. A length in [-1, 1] units is twice the same length in [0, 1] units.
 */
public final class Units {

    private Units() {
    }

    /** The study's stp (a noise std in [-1, 1] units) as a std in [0, 1]: stp 0.4 is 0.2. */
    public static double noiseStd(double stp) {
        return stp / 2;
    }

    /** A variance in [-1, 1] units as one in [0, 1]: the floor 0.01 is 0.0025. */
    public static double variance(double studyVariance) {
        return studyVariance / 4;
    }

    /**
     * The study's contractive weight as one for [0, 1] inputs. The Jacobian with respect to [0, 1] inputs is
     * twice the one with respect to [-1, 1] inputs, so its squared norm is 4 times larger: alpha / 4 keeps the
     * penalty the same.
     */
    public static double contractiveWeight(double studyAlpha) {
        return studyAlpha / 4;
    }

    /** The study's eps is already in [0, 1] units (the code doubled it); the attack's Adam lr halves. */
    public static double attackLr(double studyLr) {
        return studyLr / 2;
    }
}
