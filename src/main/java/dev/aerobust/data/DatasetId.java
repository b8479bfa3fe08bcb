package dev.aerobust.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** The datasets aerobust knows, with the image geometry the study's networks expect. */
public enum DatasetId {
    MNIST("mnist", 1, 28, 28, 10),
    FASHION_MNIST("fashion-mnist", 1, 28, 28, 10),
    BTSC("btsc", 3, 32, 32, 62);

    private final String cliName;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    DatasetId(String cliName, int channels, int height, int width, int classes) {
        this.cliName = cliName;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /** The name used on the command line and as the folder name under the data directory. */
    public String cliName() {
        return cliName;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int classes() {
        return classes;
    }

    /** Parses a dataset name such as {@code mnist}; an unknown name is a usage error that lists the known ones. */
    public static DatasetId parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DatasetId d : values()) {
            if (d.cliName.equals(n) || (d == FASHION_MNIST && n.equals("fashion"))) {
                return d;
            }
        }
        throw new AerobustException(ExitCode.USAGE, "unknown dataset '" + name + "' (known: " + names() + ")");
    }

    public static String names() {
        return Arrays.stream(values()).map(DatasetId::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
