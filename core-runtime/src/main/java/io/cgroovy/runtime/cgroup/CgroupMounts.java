package io.cgroovy.runtime.cgroup;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroup mounts of this process, parsed from /proc/self/mountinfo, and the choice of v1 or v2:
 * cgroup2 at /sys/fs/cgroup → v2; otherwise v1 hierarchies carrying controllers → v1 (hybrid hosts: the
 * controller-less cgroup2 at /sys/fs/cgroup/unified is ignored); otherwise any cgroup2 mount → v2.
 */
public final class CgroupMounts {
    public static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    public static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");

    /** One cgroup or cgroup2 line of mountinfo. */
    public record Mount(Path mountPoint, String fsType, List<String> superOptions) {}

    private final List<Mount> mounts;

    private CgroupMounts(List<Mount> mounts) { this.mounts = List.copyOf(mounts); }

    public List<Mount> mounts() { return mounts; }

    public static CgroupMounts read() {
        try {
            return parse(Files.readString(MOUNTINFO));
        } catch (IOException e) {
            throw new ContainerException("cannot read " + MOUNTINFO + " to find the cgroup filesystems: " + CgroupFs.reason(e), e);
        }
    }

    /** Parses mountinfo text (proc(5)): "id parent maj:min root mountpoint opts [optional...] - fstype source superopts". */
    public static CgroupMounts parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.trim().split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) { dash = i; break; }
            }
            if (dash < 0 || dash + 1 >= f.length) continue;
            String fsType = f[dash + 1];
            if (!fsType.equals("cgroup") && !fsType.equals("cgroup2")) continue;
            String superOpts = dash + 3 < f.length ? f[dash + 3] : "";
            out.add(new Mount(Path.of(unescape(f[4])), fsType, List.of(superOpts.split(","))));
        }
        return new CgroupMounts(out);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The cgroup2 mount to use, or null when v1 controllers are mounted (v1 or hybrid). */
    public Path v2Root() {
        for (Mount m : mounts) {
            if (m.fsType().equals("cgroup2") && m.mountPoint().equals(DEFAULT_ROOT)) return m.mountPoint();
        }
        if (!v1Hierarchies().isEmpty()) return null;
        for (Mount m : mounts) {
            if (m.fsType().equals("cgroup2")) return m.mountPoint();
        }
        return null;
    }

    /** v1 controller → mount point of its hierarchy, for the controllers cgroovy uses (combined mounts share a path). */
    public Map<String, Path> v1Hierarchies() {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String c : CgroupsV1.CONTROLLERS) {
            Path best = null;
            for (Mount m : mounts) {
                if (!m.fsType().equals("cgroup") || !m.superOptions().contains(c)) continue;
                if (best == null || (!best.startsWith(DEFAULT_ROOT) && m.mountPoint().startsWith(DEFAULT_ROOT))) {
                    best = m.mountPoint();
                }
            }
            if (best != null) found.put(c, best);
        }
        return found;
    }

    /** The implementation for this layout, with {@code parent} under each hierarchy root. */
    public Cgroups cgroups(String parent) {
        String p = CgroupFs.checkParent(parent);
        Path v2 = v2Root();
        if (v2 != null) return new CgroupsV2(v2, p);
        Map<String, Path> v1 = v1Hierarchies();
        if (!v1.isEmpty()) return new CgroupsV1(v1, p);
        throw new ContainerException("no cgroup filesystem is mounted (no cgroup2 or cgroup v1 controller mount in "
                + MOUNTINFO + "); mount cgroup2 at " + DEFAULT_ROOT);
    }
}
