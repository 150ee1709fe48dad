package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * cgroup v1: one hierarchy per controller (or per combined mount such as "cpu,cpuacct"). A container gets
 * {@code <hierarchy>/<parent>/<id>} in every hierarchy cgroovy uses and its first process joins them all.
 */
public final class CgroupsV1 implements Cgroups {
    /** The v1 controllers cgroovy creates a directory in (when mounted), in join order. */
    public static final List<String> CONTROLLERS =
            List.of("memory", "cpu", "cpuacct", "cpuset", "pids", "devices", "freezer", "blkio");

    private final Map<String, Path> hierarchies; // controller -> mount point
    private final String parent;

    CgroupsV1(Map<String, Path> hierarchies, String parent) {
        this.hierarchies = Collections.unmodifiableMap(new LinkedHashMap<>(hierarchies));
        this.parent = parent;
    }

    @Override public String version() { return "v1"; }

    /** controller → hierarchy mount point. */
    public Map<String, Path> hierarchies() { return hierarchies; }

    public String parent() { return parent; }

    private List<Path> roots() { return new ArrayList<>(new LinkedHashSet<>(hierarchies.values())); }

    @Override
    public List<Path> parentDirs() {
        List<Path> out = new ArrayList<>();
        for (Path r : roots()) out.add(r.resolve(parent));
        return out;
    }

    private void require(String controller, String why) {
        if (!hierarchies.containsKey(controller)) {
            throw new ContainerException("cgroup v1 controller " + controller + " is not mounted (needed for " + why
                    + "); mount it under /sys/fs/cgroup/" + controller + " or drop the limit");
        }
    }

    @Override
    public ContainerCgroup create(String containerId, Resources resources) {
        Cgroups.checkContainerId(containerId);
        Resources r = Limits.check(resources);
        if (Limits.wantsMemory(r)) require("memory", "the memory limit");
        if (Limits.wantsCpu(r)) require("cpu", r.cpus() != null ? "the cpus limit" : "cpu shares");
        if (Limits.wantsPids(r)) require("pids", "the pids limit");
        if (Limits.wantsCpuset(r)) require("cpuset", "the cpuset");
        if (Limits.wantsIo(r)) require("blkio", r.blkioWeight() != null ? "the blkio weight" : "the device I/O limits");

        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : hierarchies.entrySet()) {
            dirs.put(e.getKey(), e.getValue().resolve(parent).resolve(containerId));
        }
        Container c = new Container(containerId, dirs);
        List<Path> created = new ArrayList<>();
        try {
            for (Path root : roots()) {
                boolean cpuset = root.equals(hierarchies.get("cpuset"));
                Path parentDir = ensureParent(root, cpuset);
                Path dir = parentDir.resolve(containerId);
                CgroupFs.mkdir("for container " + containerId, dir);
                created.add(dir);
                if (cpuset) copyCpuset(parentDir, dir);
            }
            writeLimits(c, r);
            return c;
        } catch (RuntimeException e) {
            Collections.reverse(created);
            for (Path d : created) {
                try {
                    CgroupFs.killAll(List.of(d));
                    CgroupFs.removeTree(d);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Creates root/parent level by level; in the cpuset hierarchy each new level gets its parent's cpus and mems. */
    private Path ensureParent(Path root, boolean cpuset) {
        Path p = root;
        for (String seg : parent.split("/")) {
            Path child = p.resolve(seg);
            CgroupFs.mkdirIfMissing(child);
            if (cpuset) copyCpuset(p, child);
            p = child;
        }
        return p;
    }

    /** The classic v1 trap: a new cpuset cgroup has empty cpus/mems and refuses every task until they are set. */
    private static void copyCpuset(Path from, Path to) {
        for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
            Path dst = to.resolve(f);
            if (CgroupFs.read(dst).isEmpty()) CgroupFs.write("cpuset", dst, CgroupFs.read(from.resolve(f)));
        }
    }

    private static void writeLimits(Container c, Resources r) {
        if (r.memoryBytes() != null) {
            Path mem = c.dirs.get("memory");
            CgroupFs.write("memory", mem.resolve("memory.limit_in_bytes"), Long.toString(r.memoryBytes()));
            Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                long total = r.memorySwapBytes() == null ? 2 * r.memoryBytes() : r.memorySwapBytes();
                CgroupFs.write("memory", memsw, Long.toString(total));
            }
        }
        if (r.cpus() != null) {
            Path cpu = c.dirs.get("cpu");
            CgroupFs.write("cpu", cpu.resolve("cpu.cfs_period_us"), Long.toString(Limits.CFS_PERIOD_US));
            CgroupFs.write("cpu", cpu.resolve("cpu.cfs_quota_us"), Long.toString(Limits.quotaUs(r.cpus())));
        }
        if (r.cpuShares() != null) {
            CgroupFs.write("cpu", c.dirs.get("cpu").resolve("cpu.shares"), Long.toString(r.cpuShares()));
        }
        if (r.pidsMax() != null) {
            CgroupFs.write("pids", c.dirs.get("pids").resolve("pids.max"), Limits.pids(r.pidsMax()));
        }
        // mems before cpus does not matter on v1; both were copied from the parent, the user's lists replace them
        if (r.cpusetMems() != null) CgroupFs.write("cpuset", c.dirs.get("cpuset").resolve("cpuset.mems"), r.cpusetMems());
        if (r.cpusetCpus() != null) CgroupFs.write("cpuset", c.dirs.get("cpuset").resolve("cpuset.cpus"), r.cpusetCpus());
        if (r.blkioWeight() != null) {
            Path blkio = c.dirs.get("blkio");
            Path w = blkio.resolve("blkio.weight"); // CFQ (kernels before 5.0)
            if (!Files.exists(w)) w = blkio.resolve("blkio.bfq.weight");
            if (!Files.exists(w)) {
                throw new ContainerException("cgroup v1 blkio has no weight file (blkio.weight, blkio.bfq.weight) in " + blkio
                        + ": no block device uses the bfq scheduler; switch one (echo bfq > /sys/block/DEV/queue/scheduler)"
                        + " or drop the blkio weight");
            }
            CgroupFs.write("blkio", w, Integer.toString(r.blkioWeight()));
        }
        for (Resources.IoLimit l : r.ioLimits()) {
            String file = switch (l.kind()) {
                case "readBps" -> "blkio.throttle.read_bps_device";
                case "writeBps" -> "blkio.throttle.write_bps_device";
                case "readIops" -> "blkio.throttle.read_iops_device";
                default -> "blkio.throttle.write_iops_device";
            };
            CgroupFs.write("blkio", c.dirs.get("blkio").resolve(file), BlockDevice.of(l.device()).id() + " " + l.value());
        }
    }

    @Override
    public Optional<ContainerCgroup> open(String containerId) {
        Cgroups.checkContainerId(containerId);
        Map<String, Path> dirs = new LinkedHashMap<>();
        boolean any = false;
        for (Map.Entry<String, Path> e : hierarchies.entrySet()) {
            Path d = e.getValue().resolve(parent).resolve(containerId);
            dirs.put(e.getKey(), d);
            any |= Files.isDirectory(d);
        }
        return any ? Optional.of(new Container(containerId, dirs)) : Optional.empty();
    }

    @Override
    public List<String> containerIds() {
        Set<String> ids = new TreeSet<>();
        for (Path p : parentDirs()) ids.addAll(CgroupFs.childNames(p));
        return new ArrayList<>(ids);
    }

    @Override
    public void removeParent() {
        cleanupStale(Set.of());
        for (Path root : roots()) CgroupFs.removeParentPath(root, parent);
    }

    @Override
    public String toString() { return "cgroup v1 " + hierarchies + " parent " + parent; }

    /** A container's directories, one per controller (combined hierarchies share one). */
    static final class Container implements ContainerCgroup {
        private final String id;
        final Map<String, Path> dirs;
        private volatile Long oomKillsAtClose;

        Container(String id, Map<String, Path> dirs) {
            this.id = id;
            this.dirs = Collections.unmodifiableMap(dirs);
        }

        @Override
        public List<Path> joinDirs() { return new ArrayList<>(new LinkedHashSet<>(dirs.values())); }

        @Override
        public Optional<Path> v2Dir() { return Optional.empty(); }

        /** controller → directory. */
        public Map<String, Path> dirs() { return dirs; }

        @Override
        public void restrictDevices(List<DeviceRule> rules) {
            if (rules.isEmpty()) return;
            Path d = dirs.get("devices");
            if (d == null) throw new ContainerException("device cgroup: this host has no v1 devices hierarchy to limit " + id + "'s devices");
            for (DeviceRule r : rules) CgroupFs.write("devices", d.resolve(r.allow() ? "devices.allow" : "devices.deny"), r.v1Line());
        }

        @Override
        public List<Long> pids() {
            Set<Long> all = new TreeSet<>();
            for (Path d : joinDirs()) {
                for (Path sub : CgroupFs.subtreeDepthFirst(d)) all.addAll(CgroupFs.procs(sub));
            }
            return new ArrayList<>(all);
        }

        @Override
        public boolean oomKilled() {
            Long closed = oomKillsAtClose;
            return (closed != null ? closed : oomKills()) > 0;
        }

        private Path freezerState() {
            Path f = dirs.get("freezer");
            if (f == null) throw new ContainerException("cgroup v1 controller freezer is not mounted (needed to pause a container)");
            return f.resolve("freezer.state");
        }

        @Override
        public void freeze() {
            Path state = freezerState();
            CgroupFs.write("freezer", state, "FROZEN");
            long deadline = System.currentTimeMillis() + CgroupFs.KILL_TIMEOUT_MS;
            while (!CgroupFs.read(state).equals("FROZEN")) { // FREEZING until every task has stopped
                if (System.currentTimeMillis() > deadline) {
                    CgroupFs.write("freezer", state, "THAWED");
                    throw new ContainerException("cgroup freezer: " + state + " did not reach FROZEN within "
                            + CgroupFs.KILL_TIMEOUT_MS / 1000 + "s (a task is stuck in the kernel)");
                }
                CgroupFs.sleep(5);
            }
        }

        @Override
        public void thaw() { CgroupFs.write("freezer", freezerState(), "THAWED"); }

        @Override
        public boolean frozen() { return !CgroupFs.read(freezerState()).equals("THAWED"); }

        private long oomKills() {
            Path mem = dirs.get("memory");
            if (mem == null) return 0;
            Map<String, Long> oc = CgroupFs.readKeyed(mem.resolve("memory.oom_control"));
            if (oc.containsKey("oom_kill")) return oc.get("oom_kill");
            return oc.getOrDefault("under_oom", 0L); // kernels before 4.13: only "is in OOM now"
        }

        @Override
        public Stats stats() {
            Path mem = dirs.get("memory"), acct = dirs.get("cpuacct"), pids = dirs.get("pids");
            long usage = 0;
            Long limit = null, peak = null;
            if (mem != null) {
                usage = CgroupFs.readLong(mem.resolve("memory.usage_in_bytes"));
                long l = CgroupFs.readLong(mem.resolve("memory.limit_in_bytes"));
                limit = l >= (1L << 60) ? null : l; // PAGE_COUNTER_MAX * PAGE_SIZE means unlimited
                peak = CgroupFs.readLong(mem.resolve("memory.max_usage_in_bytes"));
            }
            long cpu = acct == null ? 0 : CgroupFs.readLong(acct.resolve("cpuacct.usage"));
            long cur = pids == null ? 0 : CgroupFs.readLong(pids.resolve("pids.current"));
            Long max = pids == null ? null : CgroupFs.readLimit(pids.resolve("pids.max"));
            Path cpuDir = dirs.get("cpu");
            long throttled = cpuDir == null ? 0 : CgroupFs.readKeyed(cpuDir.resolve("cpu.stat")).getOrDefault("nr_throttled", 0L);
            Long quota = null, shares = null;
            long period = 0;
            if (cpuDir != null) {
                long q = CgroupFs.readLong(cpuDir.resolve("cpu.cfs_quota_us"));
                quota = q < 0 ? null : q;
                period = CgroupFs.readLong(cpuDir.resolve("cpu.cfs_period_us"));
                shares = CgroupFs.readLong(cpuDir.resolve("cpu.shares"));
            }
            long rbytes = 0, wbytes = 0;
            Path blkio = dirs.get("blkio");
            Path served = blkio == null ? null : blkio.resolve("blkio.throttle.io_service_bytes_recursive");
            if (served != null && !Files.exists(served)) served = blkio.resolve("blkio.throttle.io_service_bytes");
            if (served != null && Files.exists(served)) {
                for (String line : CgroupFs.read(served).split("\n")) { // "254:0 Read 4096"
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 3 && f[1].equals("Read")) rbytes += Long.parseLong(f[2]);
                    if (f.length == 3 && f[1].equals("Write")) wbytes += Long.parseLong(f[2]);
                }
            }
            return new Stats(usage, limit, peak, oomKills(), cpu, cur, max, throttled, quota, period, shares, rbytes, wbytes);
        }

        @Override
        public synchronized void close() {
            List<Path> existing = new ArrayList<>();
            for (Path d : joinDirs()) if (Files.isDirectory(d)) existing.add(d);
            if (existing.isEmpty()) return;
            Path memory = dirs.get("memory");
            if (oomKillsAtClose == null) oomKillsAtClose = memory != null && Files.isDirectory(memory) ? oomKills() : 0L;
            Path freezer = dirs.get("freezer");
            if (freezer != null && Files.isDirectory(freezer)
                    && !CgroupFs.read(freezer.resolve("freezer.state")).equals("THAWED")) {
                // a frozen task only dies once thawed: queue SIGKILL first so nothing runs on after the thaw
                for (long pid : pids()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                CgroupFs.write("freezer", freezer.resolve("freezer.state"), "THAWED");
            }
            CgroupFs.killAll(existing);
            for (Path d : existing) CgroupFs.removeTree(d);
        }

        @Override
        public String toString() { return "cgroup v1 container " + id + " " + joinDirs(); }
    }
}
