package dev.aerobust.data;

import java.util.Locale;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** A dataset split. MNIST and Fashion-MNIST ship train and test; BTSC's validation split is carved by track. */
public enum Split {
    TRAIN, VAL, TEST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split parse(String s) {
        for (Split v : values()) {
            if (v.label().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new AerobustException(ExitCode.USAGE, "unknown split '" + s + "' (known: train, val, test)");
    }
}
