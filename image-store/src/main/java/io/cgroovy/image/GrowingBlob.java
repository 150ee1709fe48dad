package io.cgroovy.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A blob being downloaded, readable while it arrives: the layer is unpacked as its bytes come in
 * instead of after the last one. The reader ends only when the whole blob is in and its digest
 * verified; a download that fails, or starts over from byte 0 (a registry that ignores Range),
 * makes the reader fail with {@link Abandoned}, and the caller unpacks from the stored blob or
 * reports the download's error.
 */
final class GrowingBlob {
    /** The reader's end: the download failed or started over; what was read is not the blob. */
    static final class Abandoned extends IOException {
        Abandoned(String why) {
            super(why);
        }
    }

    private Path file;
    private long written;
    private boolean done;
    private boolean verified;
    private String abandoned;

    /** The download has created its temp file (before its first byte). */
    synchronized void created(Path tmp) {
        file = tmp;
        notifyAll();
    }

    /** {@code total} bytes of the blob are in the file. */
    synchronized void grew(long total) {
        written = total;
        notifyAll();
    }

    /** The download begins again from byte 0: a reader has read bytes that are gone. */
    synchronized void restarted() {
        if (abandoned == null) abandoned = "the download started over";
        notifyAll();
    }

    /** The download is over: with the digest verified, or not (then readers fail). Later calls change nothing. */
    synchronized void finished(boolean ok) {
        if (done) return;
        done = true;
        verified = ok && abandoned == null;
        if (!verified && abandoned == null) abandoned = "the download failed";
        notifyAll();
    }

    /** The blob's bytes from the start, as they arrive; blocks for more; EOF only after verification. */
    InputStream reader() throws IOException {
        Path f;
        synchronized (this) {
            while (file == null && abandoned == null && !done) pause();
            if (abandoned != null) throw new Abandoned(abandoned);
            if (file == null) throw new Abandoned("nothing was downloaded (the store had the blob)");
            f = file;
        }
        // an fd of its own: reads go on after the download closes, renames or removes the temp file
        FileChannel ch;
        try {
            ch = FileChannel.open(f, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            // a small blob can be in, verified and renamed before this thread opens it: read the stored blob instead
            throw new Abandoned("the download ended before the reader opened it");
        }
        return new InputStream() {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                long have;
                synchronized (GrowingBlob.this) {
                    while (abandoned == null && pos >= written && !done) pause();
                    if (abandoned != null) throw new Abandoned(abandoned);
                    have = written;
                }
                if (pos >= have) return -1; // done and verified, every byte read
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, have - pos)), pos);
                if (n < 0) throw new IOException("the blob's temp file is shorter than the bytes written to it");
                pos += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private void pause() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
