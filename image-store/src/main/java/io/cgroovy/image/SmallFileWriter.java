package io.cgroovy.image;

import com.sun.jna.LastErrorException;

import java.util.ArrayDeque;

/**
 * Writes small regular files of one extraction on a second thread while the first reads the tar.
 * Unpacking many small files is half decompression and hashing, half the kernel creating files:
 * the two overlap on two cores. Each file is created new (O_EXCL|O_NOFOLLOW) with its data,
 * owner, mode and times through one fd. The caller hands over only paths nothing else in the
 * extraction touches, and calls {@link #drain} before any entry that could (dirs, links,
 * whiteouts, a path seen before), so the order of effects on the tree stays the tar's.
 */
final class SmallFileWriter implements AutoCloseable {
    /** Files up to this size are copied into memory and written by the second thread. */
    static final int MAX_FILE = 256 * 1024;
    private static final long MAX_PENDING = 8L << 20; // bytes held in memory at most
    private static final int EPERM = 1;

    private record Job(String path, byte[] data, int uid, int gid, int mode, long mtimeMs, String entry) {}

    private final String layer;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private long pendingBytes;
    private boolean busy;
    private boolean closed;
    private ImageException failure;
    private boolean canChown = true;
    private Thread thread;

    SmallFileWriter(String layer) {
        this.layer = layer;
    }

    /** Queues a file (blocks while too much is pending); throws the writer's first failure. */
    synchronized void submit(String path, byte[] data, int uid, int gid, int mode, long mtimeMs, String entry) throws InterruptedException {
        if (thread == null) {
            thread = new Thread(this::loop, "cgroovy-unpack-writer");
            thread.setDaemon(true);
            thread.start();
        }
        while (failure == null && !queue.isEmpty() && pendingBytes + data.length > MAX_PENDING) wait();
        if (failure != null) throw failure;
        queue.add(new Job(path, data, uid, gid, mode, mtimeMs, entry));
        pendingBytes += data.length;
        notifyAll();
    }

    /** Waits until every queued file is written; throws the first failure. */
    synchronized void drain() throws InterruptedException {
        while (failure == null && (busy || !queue.isEmpty())) wait();
        if (failure != null) throw failure;
    }

    /** Stops the thread after the file in hand (queued ones are dropped); safe to call twice. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            queue.clear();
            notifyAll();
            t = thread;
        }
        if (t == null) return;
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the tree is removed after this: the writer must be gone first
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void loop() {
        while (true) {
            Job j;
            synchronized (this) {
                while (!closed && queue.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                j = queue.poll();
                busy = true;
            }
            ImageException failed = null;
            try {
                write(j);
            } catch (ImageException e) {
                failed = e;
            } catch (RuntimeException e) {
                failed = new ImageException("layer " + layer + ": entry '" + j.entry + "': " + e, e);
            }
            synchronized (this) {
                busy = false;
                pendingBytes -= j.data.length;
                if (failed != null && failure == null) {
                    failure = failed;
                    queue.clear();
                }
                notifyAll();
            }
        }
    }

    private void write(Job j) {
        int fd;
        try {
            fd = LibC.INSTANCE.open(j.path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0600);
        } catch (LastErrorException x) {
            throw error(j, "create", x);
        }
        ImageException first = null;
        try {
            for (int off = 0; off < j.data.length; ) {
                byte[] chunk = off == 0 ? j.data : java.util.Arrays.copyOfRange(j.data, off, j.data.length); // short writes are rare
                try {
                    off += (int) LibC.INSTANCE.write(fd, chunk, chunk.length);
                } catch (LastErrorException x) {
                    throw error(j, "write", x);
                }
            }
            if (canChown) {
                try {
                    LibC.INSTANCE.fchown(fd, j.uid, j.gid);
                } catch (LastErrorException x) {
                    if (x.getErrorCode() != EPERM) throw error(j, "fchown", x);
                    canChown = false; // rootless: files stay ours, as with the main thread's files
                }
            }
            try {
                LibC.INSTANCE.fchmod(fd, j.mode & 07777);
                long sec = Math.floorDiv(j.mtimeMs, 1000L), nsec = Math.floorMod(j.mtimeMs, 1000L) * 1_000_000L;
                LibC.INSTANCE.futimens(fd, new long[] {sec, nsec, sec, nsec});
            } catch (LastErrorException x) {
                throw error(j, "fchmod/futimens", x);
            }
        } catch (ImageException e) {
            first = e;
            throw e;
        } finally {
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException x) {
                if (first == null) throw error(j, "close", x); // never hides the error before it
            }
        }
    }

    private ImageException error(Job j, String what, LastErrorException x) {
        return new ImageException("layer " + layer + ": entry '" + j.entry + "': " + what + " failed (" + LibC.describe(x) + ")");
    }
}
