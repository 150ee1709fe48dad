package io.cgroovy.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails once more than a limit of bytes went through: the guard against gzip bombs. */
final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    /** @param what names the stream in the error, e.g. "layer sha256:..." */
    BoundedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) add(1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) add(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipping must count too, or a bomb's bytes could pass unseen; read instead of skip
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    private void add(long n) {
        count += n;
        if (count > limit) {
            throw new ImageException(what + ": expands to more than " + limit + " bytes; refusing it (gzip bomb?)");
        }
    }
}
