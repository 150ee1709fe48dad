package io.cgroovy.runtime.inspect;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A process's mount table from /proc/PID/mountinfo, as the process sees its paths. */
public final class Mounts {
    /**
     * One line of mountinfo (proc(5)).
     *
     * @param mountPoint where it is mounted, as the process sees it ("/", "/proc")
     * @param fsType     "overlay", "proc", "tmpfs", ...
     * @param source     the mount source ("overlay", "proc", a device)
     * @param options    per-mount options ("ro,nosuid,nodev")
     * @param root       the directory of the filesystem mounted there ("/" unless a bind of a subdirectory)
     * @param superOptions the filesystem's own options (an overlay's "lowerdir=...,upperdir=...")
     */
    public record Mount(String mountPoint, String fsType, String source, String options, String root, String superOptions) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mountPoint", mountPoint);
            m.put("fsType", fsType);
            m.put("source", source);
            m.put("options", options);
            m.put("root", root);
            m.put("superOptions", superOptions);
            return m;
        }
    }

    private Mounts() {}

    public static List<Mount> of(long pid) {
        Path f = Path.of("/proc/" + pid + "/mountinfo");
        try {
            return parse(Files.readString(f));
        } catch (IOException e) {
            throw new ContainerException("cannot read " + f + " (is the container still running?)", e);
        }
    }

    /** "id parent maj:min root mountpoint opts [optional...] - fstype source superopts", octal escapes decoded. */
    public static List<Mount> parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.trim().split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) if (f[i].equals("-")) { dash = i; break; }
            if (dash < 0 || dash + 2 >= f.length) continue;
            out.add(new Mount(unescape(f[4]), f[dash + 1], unescape(f[dash + 2]), f[5], unescape(f[3]),
                    dash + 3 < f.length ? unescape(f[dash + 3]) : ""));
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
