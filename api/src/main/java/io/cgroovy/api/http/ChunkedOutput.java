package io.cgroovy.api.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A response body of unknown length: each flush sends what was written as one chunk. */
final class ChunkedOutput extends OutputStream {
    private final OutputStream out;
    private final byte[] buf = new byte[16 * 1024];
    private int used;
    private boolean closed;

    ChunkedOutput(OutputStream out) {
        this.out = out;
    }

    @Override public void write(int b) throws IOException {
        if (used == buf.length) sendChunk();
        buf[used++] = (byte) b;
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("response already ended");
        while (len > 0) {
            if (used == buf.length) sendChunk();
            int n = Math.min(len, buf.length - used);
            System.arraycopy(b, off, buf, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    @Override public void flush() throws IOException {
        sendChunk();
        out.flush();
    }

    /** Ends the body (the zero chunk); the connection stays usable. */
    @Override public void close() throws IOException {
        if (closed) return;
        sendChunk();
        closed = true;
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void sendChunk() throws IOException {
        if (used == 0) return;
        out.write((Integer.toHexString(used) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(buf, 0, used);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        used = 0;
    }
}
