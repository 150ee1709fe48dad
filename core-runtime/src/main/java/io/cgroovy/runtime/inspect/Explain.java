package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.cgroup.ContainerCgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * One screen that ties the views together: what isolates the container (namespaces, its own root filesystem, its
 * network) and what limits it (cgroup).
 */
public final class Explain {
    /** Lines never get wider than this (an 80-column terminal). */
    public static final int WIDTH = 80;

    private Explain() {}

    /** The tree of namespaces, cgroup and mounts for the running container {@code name} whose first process is {@code pid}. */
    public static String of(String name, long pid, ContainerCgroup cgroup) {
        return of(name, pid, cgroup, null, null);
    }

    /** The whole tree; {@code layers} and {@code network} may be null (left out). */
    public static String of(String name, long pid, ContainerCgroup cgroup, Layers layers, NetworkView network) {
        List<String> out = new ArrayList<>();
        out.add("container " + name + " (host pid " + pid + ")");
        List<Namespaces.Namespace> ns = Namespaces.of(pid);
        List<String> own = new ArrayList<>(), shared = new ArrayList<>();
        for (Namespaces.Namespace n : ns) (n.sharedWithHost() ? shared : own).add(n.type());
        out.add("├─ namespaces");
        out.add("│  ├─ own: " + String.join(" ", own));
        out.add("│  └─ shared with the host: " + (shared.isEmpty() ? "none" : String.join(" ", shared)));
        CgroupView cg = CgroupView.of(cgroup);
        out.add("├─ cgroup " + cg.version() + " " + cg.shortPath());
        List<String> body = new ArrayList<>();
        for (String l : cg.toString().split("\n")) if (!l.startsWith("cgroup ") && !l.trim().startsWith("path ")) body.add(l.substring(2));
        branch(out, body, false);
        if (layers != null) {
            out.add("├─ rootfs overlay, lowest layer first");
            branch(out, layers.lines(), false);
        }
        if (network != null) {
            out.add("├─ network");
            List<String> lines = network.lines();
            branch(out, lines.isEmpty() ? List.of("none: only lo") : lines, false);
        }
        List<Mounts.Mount> mounts = Mounts.of(pid);
        out.add("└─ mounts (" + mounts.size() + ")");
        List<String> ms = new ArrayList<>();
        for (Mounts.Mount m : mounts) ms.add(m.mountPoint() + "  " + m.fsType() + "  " + m.options());
        branch(out, ms, true);
        return fit(String.join("\n", out) + "\n");
    }

    /**
     * Adds {@code items} below the last line as a branch ("├─ ", the last "└─ "); {@code last}: the parent is the last
     * one. An item wider than the screen, or holding newlines, goes on over more lines, indented under its start.
     */
    private static void branch(List<String> out, List<String> items, boolean last) {
        String indent = last ? "   " : "│  ";
        for (int i = 0; i < items.size(); i++) {
            boolean end = i == items.size() - 1;
            List<String> parts = wrap(items.get(i), WIDTH - indent.length() - 3, 2);
            for (int j = 0; j < parts.size(); j++) {
                out.add(indent + (j > 0 ? (end ? "   " : "│  ") : end ? "└─ " : "├─ ") + parts.get(j));
            }
        }
    }

    /**
     * {@code text} in lines of at most {@code width} columns, broken at spaces (a word longer than a line is cut
     * later by {@link #fit}); lines after the first are indented by {@code hang} more. Newlines in the text are kept.
     */
    public static List<String> wrap(String text, int width, int hang) {
        List<String> out = new ArrayList<>();
        String pad = " ".repeat(hang);
        for (String para : text.split("\n")) {
            String rest = para;
            boolean first = out.isEmpty();
            String lead = first ? "" : pad;
            while (lead.length() + rest.length() > width) {
                int cut = rest.lastIndexOf(' ', width - lead.length());
                if (cut <= 0) break;
                out.add(lead + rest.substring(0, cut));
                rest = rest.substring(cut + 1);
                lead = pad;
            }
            out.add(lead + rest);
        }
        return out;
    }

    /** {@code lines} as an indented block (two spaces) within {@link #WIDTH}, long ones wrapped. */
    static String block(String title, List<String> lines) {
        StringBuilder b = new StringBuilder(title);
        for (String l : lines) for (String w : wrap(l, WIDTH - 2, 2)) b.append("\n  ").append(w);
        return fit(b.toString());
    }

    /** Every line cut to {@link #WIDTH} columns ("…" marks a cut). */
    public static String fit(String text) {
        StringBuilder b = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (i > 0) b.append('\n');
            b.append(l.codePointCount(0, l.length()) > WIDTH ? l.substring(0, l.offsetByCodePoints(0, WIDTH - 1)) + "…" : l);
        }
        return b.toString();
    }
}
