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
 * @param cpuQuotaUs          CPU time per period (v1 cpu.cfs_quota_us, v2 cpu.max first field); null = no quota
 * @param cpuPeriodUs         the period (v1 cpu.cfs_period_us, v2 cpu.max second field); 0 when the kernel has no cpu controller here
 * @param cpuShares           relative weight on Docker's shares scale (v1 cpu.shares, v2 cpu.weight converted back); null if unknown
 * @param ioReadBytes         bytes read from block devices (v1 blkio.throttle.io_service_bytes, v2 io.stat rbytes)
 * @param ioWriteBytes        bytes written to block devices (v1 ... Write, v2 io.stat wbytes)
 */
public record Stats(long memoryUsageBytes, Long memoryLimitBytes, Long memoryMaxUsageBytes, long oomKills,
                    long cpuUsageNanos, long pidsCurrent, Long pidsMax, long cpuThrottledPeriods,
                    Long cpuQuotaUs, long cpuPeriodUs, Long cpuShares, long ioReadBytes, long ioWriteBytes) {
}
