package io.cgroovy.runtime.cgroup;

import java.util.List;

/**
 * Resource limits for one container; null means "not set" (no limit written).
 *
 * @param memoryBytes     memory limit (v1 memory.limit_in_bytes, v2 memory.max)
 * @param memorySwapBytes memory+swap limit as Docker counts it (-1 = unlimited swap)
 * @param cpus            CPUs as a fraction (0.5 = quota 50000 / period 100000)
 * @param cpuShares       relative weight, Docker's shares scale (2..262144)
 * @param pidsMax         max number of tasks
 * @param cpusetCpus      CPUs the container may run on, Docker's --cpuset-cpus list ("0-1", "0,2")
 * @param cpusetMems      memory nodes, Docker's --cpuset-mems list ("0")
 * @param blkioWeight     relative block I/O weight, Docker's --blkio-weight scale (10..1000); v1 blkio.weight or
 *                        blkio.bfq.weight, v2 io.weight (converted as runc does) or io.bfq.weight
 * @param ioLimits        per-device throttles (Docker's --device-read-bps and friends); v1 blkio.throttle.*, v2 io.max
 */
public record Resources(Long memoryBytes, Long memorySwapBytes, Double cpus, Long cpuShares, Long pidsMax,
                        String cpusetCpus, String cpusetMems, Integer blkioWeight, List<IoLimit> ioLimits) {
    public static final Resources NONE = new Resources(null, null, null, null, null);

    public Resources {
        ioLimits = ioLimits == null ? List.of() : List.copyOf(ioLimits);
    }

    /** Memory, cpu and pids limits only. */
    public Resources(Long memoryBytes, Long memorySwapBytes, Double cpus, Long cpuShares, Long pidsMax) {
        this(memoryBytes, memorySwapBytes, cpus, cpuShares, pidsMax, null, null, null, List.of());
    }

    /** A copy with the cpuset lists set (null = not set). */
    public Resources withCpuset(String cpus, String mems) {
        return new Resources(memoryBytes, memorySwapBytes, this.cpus, cpuShares, pidsMax, cpus, mems, blkioWeight, ioLimits);
    }

    /** A copy with the block I/O weight and device throttles set. */
    public Resources withIo(Integer weight, List<IoLimit> limits) {
        return new Resources(memoryBytes, memorySwapBytes, cpus, cpuShares, pidsMax, cpusetCpus, cpusetMems, weight, limits);
    }

    /**
     * One device throttle, as Docker's --device-read-bps /dev/sda:1mb.
     *
     * @param device a block device path on the host ("/dev/vda")
     * @param kind   one of {@link #KINDS}
     * @param value  bytes per second or I/O operations per second (> 0)
     */
    public record IoLimit(String device, String kind, long value) {
        /** Docker's four throttles: read/write bytes per second, read/write operations per second. */
        public static final List<String> KINDS = List.of("readBps", "writeBps", "readIops", "writeIops");
    }
}
