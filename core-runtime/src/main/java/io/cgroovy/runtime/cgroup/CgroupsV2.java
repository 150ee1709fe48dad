package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * cgroup v2: one tree. A container gets {@code <root>/<parent>/<id>}; the controllers cgroovy uses are enabled in
 * cgroup.subtree_control of every level from the root down to the parent.
 */
public final class CgroupsV2 implements Cgroups {
    /** Controllers enabled for container cgroups when the kernel offers them. */
    public static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids", "io", "cpuset");

    private final Path root;
    private final String parent;

    CgroupsV2(Path root, String parent) {
        this.root = root;
        this.parent = parent;
    }

    @Override public String version() { return "v2"; }

    public Path root() { return root; }

    public String parent() { return parent; }

    public Path parentDir() { return root.resolve(parent); }

    @Override public List<Path> parentDirs() { return List.of(parentDir()); }

    private static Set<String> words(Path file) {
        String s = CgroupFs.read(file);
        return s.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(s.split("\\s+")));
    }

    /** Creates root/parent level by level and enables the controllers in each level's subtree_control. */
    private Path ensureParent(Set<String> needed) {
        Path p = root;
        enable(p, needed);
        for (String seg : parent.split("/")) {
            p = p.resolve(seg);
            CgroupFs.mkdirIfMissing(p);
            enable(p, needed);
        }
        return p;
    }

    private static void enable(Path dir, Set<String> needed) {
        Set<String> available = words(dir.resolve("cgroup.controllers"));
        Set<String> enabled = words(dir.resolve("cgroup.subtree_control"));
        for (String c : CONTROLLERS) {
            if (!available.contains(c) || enabled.contains(c)) continue;
            try {
                CgroupFs.write(c, dir.resolve("cgroup.subtree_control"), "+" + c);
            } catch (ContainerException e) {
                if (needed.contains(c)) {
                    throw new ContainerException(e.getMessage() + " (controller " + c + " is needed for the "
                            + c + " limit; a cgroup holding processes cannot pass controllers down: move them to a leaf cgroup)", e);
                }
                // not needed for this container's limits: go on without it
            }
        }
    }

    private void requireController(Path dir, Set<String> needed) {
        Set<String> have = words(dir.resolve("cgroup.controllers"));
        Path top = root; // the hierarchy's root (root may be a delegated directory inside it)
        while (top.getParent() != null && Files.exists(top.getParent().resolve("cgroup.controllers"))) top = top.getParent();
        Set<String> kernel = words(top.resolve("cgroup.controllers"));
        for (String c : needed) {
            if (!kernel.contains(c)) {
                throw new ContainerException("cgroup v2 controller " + c + " is not available on this host (" + top
                        + "/cgroup.controllers lists " + String.join(" ", new TreeSet<>(kernel)) + "): drop the " + c
                        + " limit, or use a kernel with it (it may be bound to a cgroup v1 hierarchy: unmount that)");
            }
            if (!have.contains(c)) {
                throw new ContainerException("cgroup v2 controller " + c + " is not available in " + dir
                        + "/cgroup.controllers (needed for the " + c + " limit); enable it with '+" + c
                        + "' in cgroup.subtree_control of " + dir.getParent() + " and the levels above, or drop the limit");
            }
        }
    }

    @Override
    public ContainerCgroup create(String containerId, Resources resources) {
        Cgroups.checkContainerId(containerId);
        Resources r = Limits.check(resources);
        Set<String> needed = new LinkedHashSet<>();
        if (Limits.wantsMemory(r)) needed.add("memory");
        if (Limits.wantsCpu(r)) needed.add("cpu");
        if (Limits.wantsPids(r)) needed.add("pids");
        if (Limits.wantsCpuset(r)) needed.add("cpuset");
        if (Limits.wantsIo(r)) needed.add("io");

        Path parentDir = ensureParent(needed);
        Path dir = parentDir.resolve(containerId);
        CgroupFs.mkdir("for container " + containerId, dir);
        Container c = new Container(containerId, dir);
        try {
            requireController(dir, needed);
            writeLimits(dir, r);
            return c;
        } catch (RuntimeException e) {
            try {
                c.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void writeLimits(Path dir, Resources r) {
        if (r.memoryBytes() != null) {
            CgroupFs.write("memory", dir.resolve("memory.max"), Long.toString(r.memoryBytes()));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                Long total = r.memorySwapBytes();
                String v = total == null ? Long.toString(r.memoryBytes())      // Docker: as much swap as memory
                        : total == -1 ? "max" : Long.toString(total - r.memoryBytes());
                CgroupFs.write("memory", swap, v);
            }
        }
        if (r.cpus() != null) {
            CgroupFs.write("cpu", dir.resolve("cpu.max"), Limits.quotaUs(r.cpus()) + " " + Limits.CFS_PERIOD_US);
        }
        if (r.cpuShares() != null) {
            CgroupFs.write("cpu", dir.resolve("cpu.weight"), Long.toString(Limits.sharesToWeight(r.cpuShares())));
        }
        if (r.pidsMax() != null) {
            CgroupFs.write("pids", dir.resolve("pids.max"), Limits.pids(r.pidsMax()));
        }
        if (r.cpusetMems() != null) CgroupFs.write("cpuset", dir.resolve("cpuset.mems"), r.cpusetMems());
        if (r.cpusetCpus() != null) CgroupFs.write("cpuset", dir.resolve("cpuset.cpus"), r.cpusetCpus());
        if (r.blkioWeight() != null) {
            Path iocost = dir.resolve("io.weight"), bfq = dir.resolve("io.bfq.weight");
            if (Files.exists(iocost)) {
                CgroupFs.write("io", iocost, "default " + Limits.blkioToIoWeight(r.blkioWeight()));
            } else if (Files.exists(bfq)) {
                CgroupFs.write("io", bfq, "default " + r.blkioWeight()); // bfq takes Docker's 1..1000 scale
            } else {
                throw new ContainerException("cgroup v2 io has no weight file (io.weight, io.bfq.weight) in " + dir
                        + ": the kernel has no io cost model and no block device uses bfq; switch one"
                        + " (echo bfq > /sys/block/DEV/queue/scheduler) or drop the blkio weight");
            }
        }
        Map<String, StringBuilder> max = new java.util.TreeMap<>(); // one io.max line per device
        for (Resources.IoLimit l : r.ioLimits()) {
            String key = switch (l.kind()) {
                case "readBps" -> "rbps";
                case "writeBps" -> "wbps";
                case "readIops" -> "riops";
                default -> "wiops";
            };
            max.computeIfAbsent(BlockDevice.of(l.device()).id(), k -> new StringBuilder(k)).append(' ').append(key).append('=').append(l.value());
        }
        for (StringBuilder line : max.values()) CgroupFs.write("io", dir.resolve("io.max"), line.toString());
    }

    @Override
    public Optional<ContainerCgroup> open(String containerId) {
        Cgroups.checkContainerId(containerId);
        Path d = parentDir().resolve(containerId);
        return Files.isDirectory(d) ? Optional.of(new Container(containerId, d)) : Optional.empty();
    }

    @Override
    public List<String> containerIds() { return CgroupFs.childNames(parentDir()); }

    @Override
    public void removeParent() {
        cleanupStale(Set.of());
        CgroupFs.removeParentPath(root, parent);
    }

    @Override
    public String toString() { return "cgroup v2 " + root + " parent " + parent; }

    /** A container's single directory in the unified tree. */
    static final class Container implements ContainerCgroup {
        private final String id;
        private final Path dir;
        private volatile Long oomKillsAtClose;

        Container(String id, Path dir) {
            this.id = id;
            this.dir = dir;
        }

        @Override public List<Path> joinDirs() { return List.of(dir); }

        @Override public Optional<Path> v2Dir() { return Optional.of(dir); }

        @Override
        public void restrictDevices(List<DeviceRule> rules) {
            if (rules.isEmpty() || rules.get(rules.size() - 1).allowsEverything()) return; // nothing to deny
            DeviceFilter.attach(dir, rules);
        }

        @Override
        public List<Long> pids() {
            Set<Long> all = new TreeSet<>();
            for (Path sub : CgroupFs.subtreeDepthFirst(dir)) all.addAll(CgroupFs.procs(sub));
            return new ArrayList<>(all);
        }

        private long oomKills() {
            Path events = dir.resolve("memory.events");
            return Files.exists(events) ? CgroupFs.readKeyed(events).getOrDefault("oom_kill", 0L) : 0;
        }

        @Override
        public boolean oomKilled() {
            Long closed = oomKillsAtClose;
            return (closed != null ? closed : oomKills()) > 0;
        }

        @Override
        public void freeze() {
            CgroupFs.write("freezer", dir.resolve("cgroup.freeze"), "1");
            long deadline = System.currentTimeMillis() + CgroupFs.KILL_TIMEOUT_MS;
            while (!frozen()) { // cgroup.events says "frozen 1" once every task has stopped
                if (System.currentTimeMillis() > deadline) {
                    CgroupFs.write("freezer", dir.resolve("cgroup.freeze"), "0");
                    throw new ContainerException("cgroup freezer: " + dir + " did not report 'frozen 1' in cgroup.events within "
                            + CgroupFs.KILL_TIMEOUT_MS / 1000 + "s");
                }
                CgroupFs.sleep(5);
            }
        }

        @Override
        public void thaw() { CgroupFs.write("freezer", dir.resolve("cgroup.freeze"), "0"); }

        @Override
        public boolean frozen() { return CgroupFs.readKeyed(dir.resolve("cgroup.events")).getOrDefault("frozen", 0L) == 1; }

        @Override
        public Stats stats() {
            long usage = 0;
            Long limit = null, peak = null;
            if (Files.exists(dir.resolve("memory.current"))) {
                usage = CgroupFs.readLong(dir.resolve("memory.current"));
                limit = CgroupFs.readLimit(dir.resolve("memory.max"));
                Path p = dir.resolve("memory.peak");
                peak = Files.exists(p) ? CgroupFs.readLong(p) : null;
            }
            Map<String, Long> cpu = CgroupFs.readKeyed(dir.resolve("cpu.stat")); // always there (core file)
            long cpuNanos = cpu.getOrDefault("usage_usec", 0L) * 1000;
            long cur = 0;
            Long max = null;
            if (Files.exists(dir.resolve("pids.current"))) {
                cur = CgroupFs.readLong(dir.resolve("pids.current"));
                max = CgroupFs.readLimit(dir.resolve("pids.max"));
            }
            Long quota = null, shares = null;
            long period = 0;
            if (Files.exists(dir.resolve("cpu.max"))) {
                String[] qp = CgroupFs.read(dir.resolve("cpu.max")).split("\\s+");
                quota = qp[0].equals("max") ? null : Long.parseLong(qp[0]);
                period = Long.parseLong(qp[1]);
                shares = Limits.weightToShares(CgroupFs.readLong(dir.resolve("cpu.weight")));
            }
            long rbytes = 0, wbytes = 0;
            if (Files.exists(dir.resolve("io.stat"))) {
                for (String line : CgroupFs.read(dir.resolve("io.stat")).split("\n")) {
                    for (String kv : line.trim().split("\\s+")) {
                        if (kv.startsWith("rbytes=")) rbytes += Long.parseLong(kv.substring(7));
                        if (kv.startsWith("wbytes=")) wbytes += Long.parseLong(kv.substring(7));
                    }
                }
            }
            return new Stats(usage, limit, peak, oomKills(), cpuNanos, cur, max, cpu.getOrDefault("nr_throttled", 0L),
                    quota, period, shares, rbytes, wbytes);
        }

        @Override
        public synchronized void close() {
            if (!Files.isDirectory(dir)) return;
            if (oomKillsAtClose == null) oomKillsAtClose = oomKills();
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                CgroupFs.write("core", kill, "1"); // kills the whole subtree, frozen or not (5.14+)
            } else {
                Path freeze = dir.resolve("cgroup.freeze");
                for (long pid : pids()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                if (Files.exists(freeze)) CgroupFs.write("core", freeze, "0");
            }
            CgroupFs.killAll(List.of(dir));
            CgroupFs.removeTree(dir);
        }

        @Override
        public String toString() { return "cgroup v2 container " + id + " " + dir; }
    }
}
