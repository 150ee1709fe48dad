/**
 * Container cgroups on cgroup v1 and v2, chosen by {@link io.cgroovy.runtime.cgroup.Cgroups#detect()} from
 * /proc/self/mountinfo.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li><b>v1</b> (also hybrid hosts, where the controller-less cgroup2 at /sys/fs/cgroup/unified is ignored):
 *   {@code <mount of controller>/<parent>/<id>} for each mounted controller of memory, cpu, cpuacct, cpuset, pids,
 *   devices, freezer, blkio (a combined mount such as cpu,cpuacct is one directory). The container's first process
 *   joins every one ({@link io.cgroovy.runtime.cgroup.ContainerCgroup#joinDirs()}). New cpuset levels get their
 *   parent's cpuset.cpus/mems. Files: memory.limit_in_bytes, memory.memsw.limit_in_bytes (if present; unset swap =
 *   twice the memory), cpu.cfs_period_us=100000 / cpu.cfs_quota_us, cpu.shares, pids.max, cpuset.cpus/mems,
 *   blkio.weight (or blkio.bfq.weight), blkio.throttle.{read,write}_{bps,iops}_device.</li>
 *   <li><b>v2</b>: {@code <cgroup2 mount>/<parent>/<id>}, one directory; memory, cpu, pids and io are enabled in
 *   cgroup.subtree_control of the root and of every parent level. Files: memory.max, memory.swap.max
 *   (memorySwap - memory; unset = as much swap as memory), cpu.max "quota 100000", cpu.weight (from shares as runc
 *   converts), pids.max, cpuset.cpus/mems, io.weight "default N" (Docker's blkio weight converted as runc does;
 *   io.bfq.weight when only bfq offers weights), io.max "MAJ:MIN rbps= wbps= riops= wiops=". A controller the
 *   kernel lacks (the root's cgroup.controllers) is an error naming it; one not passed down names the level.</li>
 * </ul>
 * The parent is "cgroovy" unless CGROOVY_CGROUP_PARENT or {@link io.cgroovy.runtime.cgroup.Cgroups#detect(String)}
 * names another. Every user error is a one-line {@link io.cgroovy.runtime.ContainerException} naming the
 * controller, file, value and errno text.
 */
package io.cgroovy.runtime.cgroup;
