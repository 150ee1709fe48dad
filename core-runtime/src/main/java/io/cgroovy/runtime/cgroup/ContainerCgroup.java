package io.cgroovy.runtime.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** One container's cgroup (one directory per controller on v1, one directory on v2). */
public interface ContainerCgroup extends AutoCloseable {
    /** The cgroup directories a process must join (write its pid to each dir's cgroup.procs), in order. */
    List<Path> joinDirs();

    /**
     * True when the kernel OOM-killed a process in this cgroup (v1 memory.oom_control, v2 memory.events oom_kill).
     * Still answers after {@link #close()} (the value read just before the directories went).
     */
    boolean oomKilled();

    /** Stops every process of the container (v1 freezer.state FROZEN, v2 cgroup.freeze 1) and waits until it is frozen. */
    void freeze();

    /** Lets the processes run again after {@link #freeze()}. */
    void thaw();

    /** True while frozen. */
    boolean frozen();

    /** Usage and limits read back from the kernel; the same fields on v1 and v2. */
    Stats stats();

    /** The container's directory in the cgroup v2 tree (for clone3 CLONE_INTO_CGROUP); empty on v1. */
    Optional<Path> v2Dir();

    /**
     * Limits the devices its processes may open or make to {@code rules} (applied in order, a later rule
     * overriding an earlier one): v1 writes devices.deny/devices.allow, v2 attaches a BPF device program.
     * Call it before the container's first process starts. No rules: no device limit.
     */
    void restrictDevices(List<DeviceRule> rules);

    /** The pids in the container's cgroup now (v1: of the first hierarchy, which all processes join). */
    List<Long> pids();

    /** Kills what is left in the cgroup, waits until it is empty and removes the directories. Idempotent. */
    @Override
    void close();
}
