package dev.aerobust.util;

/** The process exit codes of the CLI, one per kind of failure, so scripts can tell them apart. */
public enum ExitCode {
    /** Everything worked. */
    OK(0),
    /** A bug: an unexpected internal error. */
    INTERNAL(1),
    /** Bad command line: unknown flag, bad value, missing argument. */
    USAGE(2),
    /** A data file is missing, truncated, corrupt, or fails its checksum. */
    DATA(3),
    /** A file or directory could not be read or written. */
    IO(4),
    /** A download or package client failed, and no source could provide the files. */
    FETCH(5),
    /** A numerical failure: NaN or Inf in a loss, an invariant broken by an attack. */
    NUMERIC(6);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
