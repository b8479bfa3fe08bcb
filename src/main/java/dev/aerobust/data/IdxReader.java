package dev.aerobust.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), raw or gzipped, with the header fully validated: the magic number, the
 * element type, the dimension count, and the sizes against the file length.
 */
public final class IdxReader {

    /** IDX element type code for unsigned bytes, the only type the image datasets use. */
    static final int UBYTE = 0x08;
    private static final int MAX_DIMS = 4;

    private IdxReader() {
    }

    /** A parsed IDX file: its dimensions and its unsigned-byte payload. */
    public record IdxArray(int[] dims, byte[] data) {

        public int count() {
            return dims[0];
        }

        /** Elements per item: the product of all dimensions after the first. */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < dims.length; i++) {
                n *= dims[i];
            }
            return n;
        }
    }

    public static IdxArray read(Path file) {
        byte[] bytes;
        try {
            bytes = readAll(file);
        } catch (ZipException | java.io.EOFException e) {
            throw new DataException(file, "corrupt or truncated gzip stream (" + e.getMessage() + ")");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataException(file, "file not found");
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage());
        }
        return parse(file, bytes);
    }

    static IdxArray parse(Path file, byte[] bytes) {
        if (bytes.length < 4) {
            throw new DataException(file, "truncated IDX file: " + bytes.length + " bytes, no room for a header");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes); // IDX is big-endian, ByteBuffer's default
        int magic = buf.getInt();
        if ((magic >>> 16) != 0) {
            throw new DataException(file, String.format(
                    "bad IDX magic number 0x%08x (the first two bytes must be zero)", magic));
        }
        int type = (magic >>> 8) & 0xff;
        int ndims = magic & 0xff;
        if (type != UBYTE) {
            throw new DataException(file, String.format(
                    "unsupported IDX element type 0x%02x in magic 0x%08x (expected 0x08, unsigned byte)", type,
                    magic));
        }
        if (ndims < 1 || ndims > MAX_DIMS) {
            throw new DataException(file, "bad IDX dimension count " + ndims + " in magic number (expected 1 to "
                    + MAX_DIMS + ")");
        }
        int header = 4 + 4 * ndims;
        if (bytes.length < header) {
            throw new DataException(file, "truncated IDX header: " + bytes.length + " bytes, need " + header
                    + " for " + ndims + " dimensions");
        }
        int[] dims = new int[ndims];
        long expected = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = buf.getInt();
            if (dims[i] < 0) {
                throw new DataException(file, "negative IDX dimension " + dims[i] + " at index " + i);
            }
            expected *= dims[i];
        }
        long actual = (long) bytes.length - header;
        if (actual < expected) {
            throw new DataException(file, "truncated IDX file: header " + Arrays.toString(dims) + " needs "
                    + expected + " bytes of data, file has " + actual);
        }
        if (actual > expected) {
            throw new DataException(file, "IDX file has " + (actual - expected)
                    + " bytes after the data that its header " + Arrays.toString(dims) + " describes");
        }
        return new IdxArray(dims, Arrays.copyOfRange(bytes, header, bytes.length));
    }

    private static byte[] readAll(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
                in.transferTo(out);
                return out.toByteArray();
            }
        }
        return raw;
    }
}
