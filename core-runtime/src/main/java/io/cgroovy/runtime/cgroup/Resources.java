package io.cgroovy.runtime.cgroup;

/**
 * Resource limits for one container; null means "not set" (no limit written).
 *
 * @param memoryBytes     memory limit (v1 memory.limit_in_bytes, v2 memory.max)
 * @param memorySwapBytes memory+swap limit as Docker counts it (-1 = unlimited swap)
 * @param cpus            CPUs as a fraction (0.5 = quota 50000 / period 100000)
 * @param cpuShares       relative weight, Docker's shares scale (2..262144)
 * @param pidsMax         max number of tasks
 */
public record Resources(Long memoryBytes, Long memorySwapBytes, Double cpus, Long cpuShares, Long pidsMax) {
    public static final Resources NONE = new Resources(null, null, null, null, null);
}
