package io.cgroovy.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The single writer lock of a store root. A file lock keeps other JVMs out; since the JVM
 * owns file locks per process (a second lock from another thread throws), threads of this
 * JVM first queue on a per-root ReentrantLock. Re-entrant, so writers may call writers.
 */
final class StoreLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    private final Path lockFile;
    private final ReentrantLock threads;
    private FileChannel channel;
    private FileLock fileLock;

    StoreLock(Path root) {
        this.lockFile = root.resolve("lock");
        this.threads = THREAD_LOCKS.computeIfAbsent(canonical(root), k -> new ReentrantLock());
    }

    /** The real path, so two spellings of one root (a symlink, a relative path) share one thread lock. */
    private static Path canonical(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root.toAbsolutePath().normalize();
        }
    }

    <T> T with(Supplier<T> action) {
        threads.lock();
        try {
            if (threads.getHoldCount() == 1) acquireFile();
            try {
                return action.get();
            } finally {
                if (threads.getHoldCount() == 1) releaseFile();
            }
        } finally {
            threads.unlock();
        }
    }

    void run(Runnable action) {
        with(() -> { action.run(); return null; });
    }

    private void acquireFile() {
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fileLock = channel.lock();
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("lock " + lockFile, e);
        }
    }

    private void releaseFile() {
        try {
            if (fileLock != null) fileLock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        channel = null;
        fileLock = null;
    }
}
