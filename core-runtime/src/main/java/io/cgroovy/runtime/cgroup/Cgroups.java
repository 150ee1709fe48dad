package io.cgroovy.runtime.cgroup;

/**
 * The host's cgroup hierarchy (v1 or v2, chosen by {@link #detect()} from what
 * /sys/fs/cgroup is). Creates one cgroup per container under a parent
 * ("cgroovy" unless CGROOVY_CGROUP_PARENT says otherwise).
 */
public interface Cgroups {
    /** Creates the container's cgroup(s) and writes the limits; fails with a one-line message naming the controller. */
    ContainerCgroup create(String containerId, Resources resources);

    /** "v1" or "v2". */
    String version();

    static Cgroups detect() {
        throw new IllegalStateException("cgroup detection is provided by the cgroup implementation");
    }
}
