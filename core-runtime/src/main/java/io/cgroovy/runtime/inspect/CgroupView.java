package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.cgroup.Stats;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's cgroup as one view that reads the same on cgroup v1 and v2: where it is, and its limits and live
 * usage (memory, cpu, pids, io). Null limits are "unlimited".
 *
 * @param version "v1" or "v2"
 * @param paths   the container's cgroup directories (one on v2, one per hierarchy on v1)
 * @param stats   limits and usage read from the kernel's files just now
 */
public record CgroupView(String version, List<Path> paths, Stats stats) {
    public static CgroupView of(ContainerCgroup cg) {
        return new CgroupView(cg.v2Dir().isPresent() ? "v2" : "v1", cg.joinDirs(), cg.stats());
    }

    /** Plain maps and numbers for scripts: memory, cpu, pids, io sections. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("paths", paths.stream().map(Path::toString).toList());
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("limit", stats.memoryLimitBytes());
        mem.put("usage", stats.memoryUsageBytes());
        mem.put("peak", stats.memoryMaxUsageBytes());
        mem.put("oomKills", stats.oomKills());
        m.put("memory", mem);
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("quotaUs", stats.cpuQuotaUs());
        cpu.put("periodUs", stats.cpuPeriodUs());
        cpu.put("shares", stats.cpuShares());
        cpu.put("usageNanos", stats.cpuUsageNanos());
        cpu.put("throttledPeriods", stats.cpuThrottledPeriods());
        m.put("cpu", cpu);
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("current", stats.pidsCurrent());
        pids.put("max", stats.pidsMax());
        m.put("pids", pids);
        Map<String, Object> io = new LinkedHashMap<>();
        io.put("readBytes", stats.ioReadBytes());
        io.put("writeBytes", stats.ioWriteBytes());
        m.put("io", io);
        return m;
    }

    /**
     * The path for a screen: below /sys/fs/cgroup, 64-hex ids cut to Docker's 12, and on v1 "{memory,cpu,...}/" for
     * the hierarchies (the full paths are in {@link #paths()}).
     */
    public String shortPath() {
        Path root = Path.of("/sys/fs/cgroup");
        Path first = paths.get(0);
        String rel = first.startsWith(root) ? root.relativize(first).toString() : first.toString();
        if (version.equals("v1") && first.startsWith(root)) {
            List<Path> hier = paths.stream().filter(p -> p.startsWith(root)).toList();
            rel = "*" + rel.substring(rel.indexOf('/')) + " (" + hier.size() + " v1 hierarchies)";
        }
        return rel.replaceAll("\\b([0-9a-f]{12})[0-9a-f]{52}\\b", "$1…");
    }

    /** A few lines, each under 80 columns: what a user at the prompt wants to see. */
    @Override
    public String toString() {
        Stats s = stats;
        StringBuilder b = new StringBuilder("cgroup " + version + "\n");
        b.append("  path   ").append(shortPath()).append('\n');
        b.append(String.format("  memory %s used of %s, peak %s, OOM kills %d%n", Sizes.human(s.memoryUsageBytes()),
                s.memoryLimitBytes() == null ? "no limit" : Sizes.human(s.memoryLimitBytes()),
                s.memoryMaxUsageBytes() == null ? "-" : Sizes.human(s.memoryMaxUsageBytes()), s.oomKills()));
        b.append(String.format("  cpu    %s, shares %s%n",
                s.cpuQuotaUs() == null ? "no quota" : String.format("quota %.2f CPUs (%d/%d us)", (double) s.cpuQuotaUs() / s.cpuPeriodUs(),
                        s.cpuQuotaUs(), s.cpuPeriodUs()),
                s.cpuShares() == null ? "-" : s.cpuShares().toString()));
        b.append(String.format("         used %.2f s, throttled in %d periods%n", s.cpuUsageNanos() / 1e9, s.cpuThrottledPeriods()));
        b.append(String.format("  pids   %d of %s%n", s.pidsCurrent(), s.pidsMax() == null ? "no limit" : s.pidsMax().toString()));
        b.append(String.format("  io     read %s, written %s", Sizes.human(s.ioReadBytes()), Sizes.human(s.ioWriteBytes())));
        StringBuilder cut = new StringBuilder();
        for (String l : b.toString().split("\n")) {
            if (cut.length() > 0) cut.append('\n');
            cut.append(l.length() > Explain.WIDTH ? l.substring(0, Explain.WIDTH - 1) + "…" : l);
        }
        return cut.toString();
    }
}
