package io.cgroovy.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file held by this thread: a POSIX record lock against other processes
 * (other shells on the same state root) and a JVM lock against other threads (POSIX locks are per
 * process). Used around every change of a detached container's directory.
 */
final class FileLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(ReentrantLock local, FileChannel channel, java.nio.channels.FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits for the lock on {@code file} (created if missing). */
    static FileLock acquire(Path file) {
        ReentrantLock local = LOCAL.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new ReentrantLock());
        local.lock();
        try {
            if (local.getHoldCount() > 1) return new FileLock(local, null, null); // re-entered: the outer one holds the file
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new FileLock(local, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            local.unlock();
            throw new ContainerException("cannot lock " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /**
     * True when some process holds a lock on {@code file} (the monitor's monitor.lock): a lock
     * this process can take is held by nobody. A missing file is not held.
     */
    static boolean heldByOther(Path file) {
        if (!java.nio.file.Files.exists(file)) return false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock l = ch.tryLock();
            if (l == null) return true;
            l.release();
            return false;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            throw new ContainerException("cannot check the lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) lock.release();
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock anyway
        } finally {
            local.unlock();
        }
    }
}
