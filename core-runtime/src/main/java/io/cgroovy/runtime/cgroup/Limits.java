package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

/** Checks {@link Resources} the same way for v1 and v2 (Docker's rules) and derives the kernel values. */
final class Limits {
    /** Docker's floor: below this a container cannot even start its init. */
    static final long MIN_MEMORY = 6L * 1024 * 1024;
    static final long CFS_PERIOD_US = 100_000;
    static final long MIN_SHARES = 2, MAX_SHARES = 262_144;

    private Limits() {}

    static Resources check(Resources r) {
        if (r == null) return Resources.NONE;
        Long mem = r.memoryBytes(), swap = r.memorySwapBytes();
        if (mem != null && mem < MIN_MEMORY) {
            throw new ContainerException("memory limit " + mem + " bytes is below the minimum of 6m (" + MIN_MEMORY + " bytes)");
        }
        if (swap != null) {
            if (mem == null) {
                throw new ContainerException("memory+swap limit " + swap + " needs a memory limit too (set memory as well)");
            }
            if (swap != -1 && swap < mem) {
                throw new ContainerException("memory+swap limit " + swap + " bytes is smaller than the memory limit "
                        + mem + " bytes (it counts memory plus swap; use -1 for unlimited swap)");
            }
        }
        if (r.cpus() != null && (r.cpus().isNaN() || r.cpus().isInfinite() || r.cpus() <= 0)) {
            throw new ContainerException("cpus " + r.cpus() + " is not a positive number");
        }
        if (r.cpuShares() != null && (r.cpuShares() < MIN_SHARES || r.cpuShares() > MAX_SHARES)) {
            throw new ContainerException("cpu shares " + r.cpuShares() + " out of range " + MIN_SHARES + ".." + MAX_SHARES);
        }
        if (r.pidsMax() != null && r.pidsMax() != -1 && r.pidsMax() < 1) {
            throw new ContainerException("pids limit " + r.pidsMax() + " must be at least 1 (or -1 for unlimited)");
        }
        if (r.cpusetCpus() != null) checkList("cpuset cpus", r.cpusetCpus());
        if (r.cpusetMems() != null) checkList("cpuset mems", r.cpusetMems());
        if (r.blkioWeight() != null && (r.blkioWeight() < MIN_BLKIO_WEIGHT || r.blkioWeight() > MAX_BLKIO_WEIGHT)) {
            throw new ContainerException("blkio weight " + r.blkioWeight() + " out of range " + MIN_BLKIO_WEIGHT + ".." + MAX_BLKIO_WEIGHT);
        }
        for (Resources.IoLimit l : r.ioLimits()) {
            if (!Resources.IoLimit.KINDS.contains(l.kind())) {
                throw new ContainerException("unknown device limit '" + l.kind() + "' (use one of " + Resources.IoLimit.KINDS + ")");
            }
            if (l.value() <= 0) throw new ContainerException("device " + l.kind() + " limit " + l.value() + " for " + l.device() + " must be > 0");
            BlockDevice.of(l.device()); // fails now, with the path, if it is not a block device
        }
        return r;
    }

    static final int MIN_BLKIO_WEIGHT = 10, MAX_BLKIO_WEIGHT = 1000;

    /** A cpu or memory-node list as the kernel and Docker take it: "0", "0-3", "0,2-3". */
    private static void checkList(String what, String list) {
        if (!list.matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*")) {
            throw new ContainerException(what + " '" + list + "' is not a list like 0-1 or 0,2");
        }
        for (String range : list.split(",")) {
            String[] ab = range.split("-");
            if (ab.length == 2 && Long.parseLong(ab[0]) > Long.parseLong(ab[1])) {
                throw new ContainerException(what + " '" + list + "': range " + range + " goes backwards");
            }
        }
    }

    static boolean wantsCpuset(Resources r) { return r.cpusetCpus() != null || r.cpusetMems() != null; }

    static boolean wantsIo(Resources r) { return r.blkioWeight() != null || !r.ioLimits().isEmpty(); }

    /** Docker's blkio weight (10..1000) → cgroup v2 io.weight (1..10000), as runc converts. */
    static long blkioToIoWeight(int w) { return 1 + ((long) w - 10) * 9999 / 990; }

    static boolean wantsMemory(Resources r) { return r.memoryBytes() != null || r.memorySwapBytes() != null; }

    static boolean wantsCpu(Resources r) { return r.cpus() != null || r.cpuShares() != null; }

    static boolean wantsPids(Resources r) { return r.pidsMax() != null; }

    /** CFS quota in microseconds per 100 ms period. */
    static long quotaUs(double cpus) { return Math.round(cpus * CFS_PERIOD_US); }

    /** Docker shares → cgroup v2 cpu.weight, as runc and crun convert: 2 → 1, 1024 → 39, 262144 → 10000. */
    static long sharesToWeight(long shares) { return 1 + ((shares - 2) * 9999) / 262142; }

    /** cgroup v2 cpu.weight → Docker shares (the inverse of {@link #sharesToWeight}; 100 → 2597, close to 1024's 39 → 1013). */
    static long weightToShares(long weight) { return 2 + ((weight - 1) * 262142) / 9999; }

    /** pids.max file value. */
    static String pids(long max) { return max == -1 ? "max" : Long.toString(max); }
}
