package io.cgroovy.api.endpoints;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Docker's multiplexed stream for containers without a TTY: every write becomes a frame of an 8-byte
 * header (stream 1 = stdout, 2 = stderr; big-endian length) and the bytes. Both streams of one
 * connection share {@code out}, so frames are written whole under its lock.
 */
final class StdStream extends OutputStream {
    static final int STDOUT = 1;
    static final int STDERR = 2;

    private final OutputStream out;
    private final int stream;

    StdStream(OutputStream out, int stream) {
        this.out = out;
        this.stream = stream;
    }

    @Override public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        byte[] head = {(byte) stream, 0, 0, 0, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        synchronized (out) {
            out.write(head);
            out.write(b, off, len);
            out.flush();
        }
    }

    @Override public void flush() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }
}
