package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.cgroup.ContainerCgroup;
import io.cgroovy.runtime.cgroup.Stats;

import java.util.ArrayList;
import java.util.List;

/** One screen that ties the views together: what isolates the container (namespaces) and what limits it (cgroup). */
public final class Explain {
    /** Lines never get wider than this (an 80-column terminal). */
    public static final int WIDTH = 80;

    private Explain() {}

    /** The tree for the running container {@code name} whose first process is {@code pid} on the host. */
    public static String of(String name, long pid, ContainerCgroup cgroup) {
        List<String> out = new ArrayList<>();
        out.add("container " + name + " (host pid " + pid + ")");
        List<Namespaces.Namespace> ns = Namespaces.of(pid);
        List<String> own = new ArrayList<>(), shared = new ArrayList<>();
        for (Namespaces.Namespace n : ns) (n.sharedWithHost() ? shared : own).add(n.type());
        out.add("├─ namespaces");
        out.add("│  ├─ own: " + String.join(" ", own));
        out.add("│  └─ shared with the host: " + (shared.isEmpty() ? "none" : String.join(" ", shared)));
        CgroupView cg = CgroupView.of(cgroup);
        Stats s = cg.stats();
        out.add("├─ cgroup " + cg.version() + " " + cg.shortPath());
        String[] lines = cg.toString().split("\n");
        List<String> body = new ArrayList<>();
        for (String l : lines) if (!l.startsWith("cgroup ") && !l.trim().startsWith("path ")) body.add(l.substring(2));
        for (int i = 0; i < body.size(); i++) out.add("│  " + (i == body.size() - 1 ? "└─ " : "├─ ") + body.get(i));
        List<Mounts.Mount> mounts = Mounts.of(pid);
        out.add("└─ mounts (" + mounts.size() + ")");
        for (int i = 0; i < mounts.size(); i++) {
            Mounts.Mount m = mounts.get(i);
            out.add("   " + (i == mounts.size() - 1 ? "└─ " : "├─ ") + m.mountPoint() + "  " + m.fsType() + "  " + m.options());
        }
        StringBuilder b = new StringBuilder();
        for (String l : out) b.append(l.length() > WIDTH ? l.substring(0, WIDTH - 1) + "…" : l).append('\n');
        return b.toString();
    }
}
