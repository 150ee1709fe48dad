package io.cgroovy.api.http;

import java.io.IOException;
import java.io.InputStream;

/** A request body of a known length: reading stops there, so the next request on the connection stays intact. */
final class LimitedInput extends InputStream {
    private final InputStream in;
    private long left;

    LimitedInput(InputStream in, long length) {
        this.in = in;
        this.left = length;
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) return -1;
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) throw ApiError.badRequest("connection closed " + left + " bytes before the end of the body");
        left -= n;
        return n;
    }
}
