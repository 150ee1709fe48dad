package io.cgroovy.runtime;

import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.inspect.Mounts;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A container's filesystem held for reading or changing it from the host (diff, cp, commit): a
 * kept foreground container, or a detached one that is created, running, paused or exited.
 * While held, a detached container is not started, stopped or removed (its lock is held), and
 * a running one is frozen, as {@code docker commit} pauses it: what is read is consistent, and
 * nothing in the container can swap a directory for a symlink under a copy. {@link #close()}
 * lets it run on (one the user had paused stays paused).
 */
public final class ContainerFilesystem implements AutoCloseable {
    private final KeptContainer record;
    private final Path upper;
    private final Path liveRoot;
    private final FileLock lock;
    private final ContainerCgroup frozenByUs;
    private boolean closed;

    ContainerFilesystem(KeptContainer record, Path upper, Path liveRoot, FileLock lock, ContainerCgroup frozenByUs) {
        this.record = record;
        this.upper = upper;
        this.liveRoot = liveRoot;
        this.lock = lock;
        this.frozenByUs = frozenByUs;
    }

    /** How the container was made (image, command, env, mount destinations). */
    public KeptContainer record() { return record; }

    /** Its upper (writable) directory: its changes to the image, overlay whiteouts in kernel form. */
    public Path upper() { return upper; }

    /**
     * The host id of the container's root when it had a user namespace ({@code userns} beside the upper
     * dir: "HOSTID SIZE"), else 0: files it wrote are owned by host ids, files written for it must be too.
     */
    public long[] userns() {
        try {
            String[] f = java.nio.file.Files.readString(upper.resolveSibling(UsernsRootfs.RECORD)).trim().split(" ");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
        } catch (java.io.IOException | RuntimeException e) {
            return new long[] {0, 1L << 32};
        }
    }

    /**
     * While its processes exist: its root as they see it ({@code /proc/PID/root/.}, the mounted
     * overlay with its volumes, binds and tmpfs mounts), to be walked without following symlinks.
     * Empty when it does not run (its overlay is mounted nowhere; read and write the upper dir).
     */
    public Optional<Path> liveRoot() { return Optional.ofNullable(liveRoot); }

    /** File systems of the kernel's own (nothing of the container's files): never copied out. */
    private static final java.util.Set<String> KERNEL_TYPES = java.util.Set.of("proc", "sysfs", "cgroup", "cgroup2",
            "devpts", "mqueue", "securityfs", "debugfs", "tracefs", "bpf", "configfs", "fusectl", "pstore");

    /**
     * The container paths where its processes see a kernel file system mounted (/proc, /sys,
     * /dev/pts, ...): a copy out of a directory above them leaves them out. Empty when it does not run.
     */
    public java.util.Set<String> kernelMounts() {
        if (liveRoot == null) return java.util.Set.of();
        Path mountinfo = liveRoot.getParent().resolveSibling("mountinfo");
        java.util.Set<String> out = new java.util.HashSet<>();
        try {
            for (Mounts.Mount m : Mounts.parse(java.nio.file.Files.readString(mountinfo))) {
                if (KERNEL_TYPES.contains(m.fsType())) out.add(m.mountPoint());
            }
        } catch (java.io.IOException e) {
            throw new ContainerException("cannot read the mounts of container " + record.name() + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (frozenByUs != null) {
                try {
                    frozenByUs.thaw();
                } catch (RuntimeException e) {
                    // it ended (and its cgroup went) meanwhile: nothing to thaw
                }
            }
        } finally {
            if (lock != null) lock.close();
        }
    }
}
