package io.cgroovy.runtime;

import java.util.Objects;

/**
 * One mount a user asked for, before anything is resolved on the host.
 *
 * @param type        what is mounted
 * @param source      volume name (null for an anonymous volume), host path for a bind, unused for tmpfs
 * @param destination absolute path in the container (resolved inside the rootfs, symlinks refused)
 * @param readOnly    mounted read-only
 * @param size        tmpfs size in bytes, or null for the kernel's default (half the RAM)
 */
public record MountSpec(Type type, String source, String destination, boolean readOnly, Long size) {
    public enum Type { VOLUME, BIND, TMPFS }

    public MountSpec {
        Objects.requireNonNull(type, "mount type");
        if (destination == null || !destination.startsWith("/")) {
            throw new ContainerException("mount destination '" + destination + "' is not an absolute path");
        }
    }

    public static MountSpec volume(String name, String destination, boolean readOnly) {
        return new MountSpec(Type.VOLUME, name, destination, readOnly, null);
    }

    public static MountSpec bind(String hostPath, String destination, boolean readOnly) {
        return new MountSpec(Type.BIND, hostPath, destination, readOnly, null);
    }

    public static MountSpec tmpfs(String destination, Long size) {
        return new MountSpec(Type.TMPFS, null, destination, false, size);
    }
}
