package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A process's namespaces from /proc/PID/ns: each type's inode and whether the engine (the host) has the same one. */
public final class Namespaces {
    /** The namespace types Linux shows in /proc/PID/ns, in the order lsns prints them. */
    public static final List<String> TYPES = List.of("mnt", "uts", "ipc", "pid", "net", "cgroup", "user", "time");

    /**
     * One namespace of the process.
     *
     * @param type            "mnt", "pid", ...
     * @param inode           the namespace's inode (what {@code readlink /proc/PID/ns/TYPE} shows in brackets)
     * @param sharedWithHost  true when the engine's own process is in the same one (not isolated)
     */
    public record Namespace(String type, long inode, boolean sharedWithHost) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            m.put("inode", inode);
            m.put("sharedWithHost", sharedWithHost);
            return m;
        }
    }

    private Namespaces() {}

    /** The namespaces of {@code pid} (types the kernel does not have are left out). */
    public static List<Namespace> of(long pid) {
        List<Namespace> out = new ArrayList<>();
        for (String t : TYPES) {
            Long mine = inode(Path.of("/proc/" + pid + "/ns/" + t), pid);
            if (mine == null) continue;
            Long host = inode(Path.of("/proc/self/ns/" + t), pid);
            out.add(new Namespace(t, mine, mine.equals(host)));
        }
        if (out.isEmpty()) throw new ContainerException("process " + pid + " is gone (no /proc/" + pid + "/ns)");
        return out;
    }

    /** "net:[4026531840]" → 4026531840; null when the type does not exist. */
    private static Long inode(Path link, long pid) {
        try {
            String s = Files.readSymbolicLink(link).toString();
            return Long.parseLong(s.substring(s.indexOf('[') + 1, s.indexOf(']')));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ContainerException("cannot read " + link + " of process " + pid + ": " + e.getMessage(), e);
        }
    }
}
