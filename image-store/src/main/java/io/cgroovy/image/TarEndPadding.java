package io.cgroovy.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Lets a tar stream end right after its last entry's data, without block padding or the
 * two zero end blocks. umoci 0.4 writes layers like that and Go's archive/tar (Docker,
 * containerd) reads them as ended; commons-compress calls them truncated. At the real end
 * this serves zeros to the next block boundary plus the end blocks. Entry data must never
 * come from those zeros: {@link #paddedBefore} tells the unpacker when it did.
 */
final class TarEndPadding extends FilterInputStream {
    private long position;
    private long realEnd = -1;
    private long padEnd;

    TarEndPadding(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] b = new byte[1];
        int n = read(b, 0, 1);
        return n < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (realEnd < 0) {
            int n = in.read(b, off, len);
            if (n >= 0) {
                position += n;
                return n;
            }
            realEnd = position;
            padEnd = ((position + 511) / 512) * 512 + 1024;
        }
        int n = (int) Math.min(len, padEnd - position);
        if (n <= 0) return -1;
        java.util.Arrays.fill(b, off, off + n, (byte) 0);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    /** True when bytes handed out so far include made-up zeros (so the last entry's data was cut short). */
    boolean paddedBefore() {
        return realEnd >= 0 && realEnd < position;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
