package io.cgroovy.runtime;

import java.util.List;

/**
 * A container's security settings, Docker's defaults unless set: the 14 default capabilities,
 * the default seccomp profile, no_new_privs, masked and read-only /proc paths, a writable root,
 * no user namespace, RLIMIT_NOFILE 1024:1024.
 *
 * @param capAdd     capabilities added to the default set ("NET_ADMIN" or "CAP_NET_ADMIN"; "ALL")
 * @param capDrop    capabilities removed from it ("ALL" drops every one; applied before capAdd, as Docker does)
 * @param privileged every capability, no seccomp filter, no masked or read-only paths, every device allowed
 * @param seccomp    null for Docker's default profile, "unconfined", or the path of a profile in Docker's JSON format
 * @param readOnly   the root filesystem is mounted read-only
 * @param userns     null for none; otherwise root in the container is {@code userns.hostId()} on the host
 * @param ulimits    rlimits replacing the defaults (name as Docker spells it: "nofile", "nproc", ...)
 * @param devices    host devices added to the container and allowed in its device cgroup (--device)
 */
public record Security(List<String> capAdd, List<String> capDrop, boolean privileged, String seccomp,
                       boolean readOnly, UserNamespace userns, List<Ulimit> ulimits, List<Device> devices) {
    public static final Security DEFAULT = new Security(List.of(), List.of(), false, null, false, null, List.of());

    public Security {
        capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
        capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
        ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        devices = devices == null ? List.of() : List.copyOf(devices);
        if (privileged && userns != null) {
            throw new ContainerException("userns: a privileged container cannot have a user namespace (as with Docker: use one or the other)");
        }
    }

    /** No host devices added. */
    public Security(List<String> capAdd, List<String> capDrop, boolean privileged, String seccomp,
                    boolean readOnly, UserNamespace userns, List<Ulimit> ulimits) {
        this(capAdd, capDrop, privileged, seccomp, readOnly, userns, ulimits, List.of());
    }

    /** The same settings with these host devices added. */
    public Security withDevices(List<Device> more) {
        return new Security(capAdd, capDrop, privileged, seccomp, readOnly, userns, ulimits, more);
    }

    /**
     * A host device given to the container ({@code docker run --device HOST[:CONTAINER][:PERMS]}): made at
     * {@code containerPath} with the host's type and numbers, and allowed in the device cgroup for {@code access}.
     */
    public record Device(String hostPath, String containerPath, String access) {
        public Device {
            if (hostPath == null || !hostPath.startsWith("/")) throw new ContainerException("device '" + hostPath + "': not an absolute path");
            containerPath = containerPath == null || containerPath.isEmpty() ? hostPath : containerPath;
            if (!containerPath.startsWith("/")) throw new ContainerException("device '" + hostPath + "': container path '" + containerPath + "' is not absolute");
            access = access == null || access.isEmpty() ? "rwm" : access;
            if (!access.matches("[rwm]{1,3}")) throw new ContainerException("device '" + hostPath + "': permissions '" + access + "' are not a subset of rwm");
        }

        /** "HOST", "HOST:CONTAINER", "HOST:PERMS" or "HOST:CONTAINER:PERMS", as docker run --device takes it. */
        public static Device parse(String text) {
            String[] f = text.split(":", -1);
            return switch (f.length) {
                case 1 -> new Device(f[0], null, null);
                case 2 -> f[1].matches("[rwm]{1,3}") ? new Device(f[0], null, f[1]) : new Device(f[0], f[1], null);
                case 3 -> new Device(f[0], f[1], f[2]);
                default -> throw new ContainerException("device '" + text + "': expected HOST[:CONTAINER][:PERMS]");
            };
        }
    }

    /**
     * A user namespace: container ids 0..size-1 are host ids hostId..hostId+size-1 (uids and gids alike),
     * like Docker's userns-remap with a subordinate range.
     */
    public record UserNamespace(long hostId, long size) {
        /** The range Docker's "dockremap" user usually gets in /etc/subuid. */
        public static final UserNamespace DEFAULT = new UserNamespace(100_000, 65_536);

        public UserNamespace {
            if (hostId <= 0) throw new ContainerException("userns: the host id must be > 0 (root in the container must not be root on the host), not " + hostId);
            if (hostId >= 0xffff_ffffL) throw new ContainerException("userns: the host id must be below 4294967295, not " + hostId);
            if (size < 1 || size > 0xffff_ffffL - hostId) {
                throw new ContainerException("userns: the range size must be 1.." + (0xffff_ffffL - hostId) + " (host ids end at 4294967294), not " + size);
            }
        }
    }

    /** One resource limit ({@code docker run --ulimit nofile=1024:2048}). */
    public record Ulimit(String name, long soft, long hard) {
        /** The names Docker accepts and the RLIMIT_ each stands for. */
        public static final List<String> NAMES = List.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
                "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as");

        public Ulimit {
            if (name == null || !NAMES.contains(name)) {
                throw new ContainerException("unknown ulimit '" + name + "' (one of " + String.join(", ", NAMES) + ")");
            }
            if (soft < -1 || hard < -1) throw new ContainerException("ulimit " + name + ": values must be >= 0 or -1 (unlimited)");
            if (Long.compareUnsigned(soft, hard) > 0) {
                throw new ContainerException("ulimit " + name + ": soft limit " + soft + " is above the hard limit " + hard);
            }
        }

        /** "nofile=1024:2048" or "nofile=1024" (soft = hard), as {@code docker run --ulimit}. */
        public static Ulimit parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) throw new ContainerException("invalid ulimit '" + text + "' (expected NAME=SOFT[:HARD], e.g. nofile=1024:2048)");
            String name = text.substring(0, eq);
            String[] v = text.substring(eq + 1).split(":", -1);
            try {
                if (v.length == 1) return new Ulimit(name, Long.parseLong(v[0]), Long.parseLong(v[0]));
                if (v.length == 2) return new Ulimit(name, Long.parseLong(v[0]), Long.parseLong(v[1]));
            } catch (NumberFormatException e) {
                // below
            }
            throw new ContainerException("invalid ulimit '" + text + "' (expected NAME=SOFT[:HARD], e.g. nofile=1024:2048)");
        }

        /** The OCI rlimit type, e.g. RLIMIT_NOFILE. */
        public String rlimit() { return "RLIMIT_" + name.toUpperCase(); }
    }
}
