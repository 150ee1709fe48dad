package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The host's cgroup hierarchy (v1 or v2, chosen by {@link #detect()} from what
 * /sys/fs/cgroup is). Creates one cgroup per container under a parent
 * ("cgroovy" unless CGROOVY_CGROUP_PARENT says otherwise): {@code <root>/<parent>/<containerId>}.
 */
public interface Cgroups {
    /** Parent used when neither a parameter nor CGROOVY_CGROUP_PARENT names one. */
    String DEFAULT_PARENT = "cgroovy";

    /** Environment variable naming the parent cgroup (relative to each hierarchy root, may contain '/'). */
    String PARENT_ENV = "CGROOVY_CGROUP_PARENT";

    /** Creates the container's cgroup(s) and writes the limits; fails with a one-line message naming the controller. */
    ContainerCgroup create(String containerId, Resources resources);

    /** "v1" or "v2". */
    String version();

    /** Re-attaches to the cgroup of a container created earlier (e.g. by another shell); empty if it does not exist. */
    Optional<ContainerCgroup> open(String containerId);

    /** Names of the container cgroups that exist under the parent now (live or stale). */
    List<String> containerIds();

    /** The parent directory in every hierarchy used (one on v2), e.g. /sys/fs/cgroup/memory/cgroovy. */
    List<Path> parentDirs();

    /**
     * Kills and removes every container cgroup under the parent whose id is not in {@code liveIds}
     * (what a crashed engine left behind). Returns the ids removed.
     */
    default List<String> cleanupStale(java.util.Set<String> liveIds) {
        List<String> removed = new java.util.ArrayList<>();
        for (String id : containerIds()) {
            if (liveIds.contains(id)) continue;
            open(id).ifPresent(ContainerCgroup::close);
            removed.add(id);
        }
        return removed;
    }

    /** Kills and removes every container cgroup under the parent, then the parent directories themselves. */
    void removeParent();

    /** Detects the cgroup layout of this host; parent from CGROOVY_CGROUP_PARENT or "cgroovy". */
    static Cgroups detect() {
        String env = System.getenv(PARENT_ENV);
        return detect(env == null || env.isBlank() ? DEFAULT_PARENT : env);
    }

    /** Detects the cgroup layout of this host (from /proc/self/mountinfo) and uses {@code parent} under each root. */
    static Cgroups detect(String parent) {
        return CgroupMounts.read().cgroups(parent);
    }

    /**
     * A cgroup v2 tree rooted at {@code root} (a cgroup2 mount point or a delegated directory in one):
     * controllers are enabled from {@code root} down to the parent, never above it.
     */
    static Cgroups v2(Path root, String parent) {
        return new CgroupsV2(root, CgroupFs.checkParent(parent));
    }

    /** [major, minor] of a host block device (for config.json's blockIO); a one-line error if it is not one. */
    static long[] deviceNumbers(String path) {
        BlockDevice d = BlockDevice.of(path);
        return new long[]{d.major(), d.minor()};
    }

    /** Fails unless {@code containerId} can be used as a cgroup directory name. */
    static String checkContainerId(String containerId) {
        if (containerId == null || !containerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
            throw new ContainerException("invalid container id for a cgroup name: '" + containerId
                    + "' (use letters, digits, '_', '.', '-', at most 128 characters)");
        }
        return containerId;
    }
}
