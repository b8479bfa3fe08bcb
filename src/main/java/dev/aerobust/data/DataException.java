package dev.aerobust.data;

import java.nio.file.Path;

import dev.aerobust.util.AerobustException;
import dev.aerobust.util.ExitCode;

/** A data file that is missing, malformed or fails its checksum. The message names the file and the problem. */
public class DataException extends AerobustException {

    private static final long serialVersionUID = 1L;

    public DataException(Path file, String problem) {
        super(ExitCode.DATA, file + ": " + problem);
    }

    public DataException(String message) {
        super(ExitCode.DATA, message);
    }
}
