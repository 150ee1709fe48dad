package io.cgroovy.api.http;

import java.io.IOException;
import java.io.InputStream;

/** The body of a request sent with {@code Transfer-Encoding: chunked}, de-chunked. */
final class ChunkedInput extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInput(InputStream in) {
        this.in = in;
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        if (done) return -1;
        if (left == 0) {
            String size = Lines.read(in);
            if (size == null) throw new ApiError(400, "chunked body: connection closed before the last chunk");
            int semi = size.indexOf(';');
            try {
                left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new ApiError(400, "chunked body: bad chunk size '" + size + "'");
            }
            if (left == 0) {
                while (true) {                       // trailers, up to the empty line
                    String t = Lines.read(in);
                    if (t == null || t.isEmpty()) break;
                }
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) throw new ApiError(400, "chunked body: connection closed inside a chunk");
        left -= n;
        if (left == 0) Lines.read(in);           // the CRLF after the chunk
        return n;
    }
}
