package dev.aerobust.util;

/**
 * A problem the user can act on: bad input, a missing or corrupt file, an impossible setting. The CLI prints
 * its message as one line and exits with {@link #exitCode()}, never with a stack trace.
 */
public class AerobustException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public AerobustException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public AerobustException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
