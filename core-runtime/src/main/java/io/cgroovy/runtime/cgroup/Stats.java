package io.cgroovy.runtime.cgroup;

/**
 * A container's resource usage, read the same way on cgroup v1 and v2. A null limit means unlimited.
 *
 * @param memoryUsageBytes    memory charged now (v1 memory.usage_in_bytes, v2 memory.current)
 * @param memoryLimitBytes    memory limit (v1 memory.limit_in_bytes, v2 memory.max); null = unlimited
 * @param memoryMaxUsageBytes highest usage seen (v1 memory.max_usage_in_bytes, v2 memory.peak); null if the kernel has no such file
 * @param oomKills            processes killed by the OOM killer in this cgroup (v1 memory.oom_control, v2 memory.events oom_kill)
 * @param cpuUsageNanos       CPU time used (v1 cpuacct.usage, v2 cpu.stat usage_usec * 1000)
 * @param pidsCurrent         tasks now (pids.current)
 * @param pidsMax             task limit (pids.max); null = unlimited
 * @param cpuThrottledPeriods CFS periods in which the quota ran out (cpu.stat nr_throttled on v1 and v2)
 */
public record Stats(long memoryUsageBytes, Long memoryLimitBytes, Long memoryMaxUsageBytes, long oomKills,
                    long cpuUsageNanos, long pidsCurrent, Long pidsMax, long cpuThrottledPeriods) {
}
