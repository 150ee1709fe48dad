package io.cgroovy.runtime.spec;

import io.cgroovy.runtime.ContainerException;

import java.util.ArrayList;
import java.util.List;

/** Resolves "uid[:gid]" or "name[:group]" against the image's /etc/passwd and /etc/group. */
public final class UserSpec {
    /** @param home the user's home from /etc/passwd, "/" when the user is not listed there */
    public record Resolved(long uid, long gid, List<Long> additionalGids, String home) {}

    private UserSpec() {}

    public static Resolved resolve(String user, RootfsView root) {
        String u = user, g = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            u = user.substring(0, colon);
            g = user.substring(colon + 1);
        }
        if (u.isEmpty()) throw new ContainerException("invalid user '" + user + "'");
        List<String[]> passwd = entries(root.read("/etc/passwd").orElse(""), 7);
        List<String[]> groups = entries(root.read("/etc/group").orElse(""), 4);

        long uid;
        long gid = 0;
        String name = null;
        String[] pw = null;
        if (isId(u)) {
            uid = parseId(u, user);
            for (String[] e : passwd) if (isId(e[2]) && parseId(e[2], user) == uid) { pw = e; break; }
        } else {
            for (String[] e : passwd) if (e[0].equals(u)) { pw = e; break; }
            if (pw == null) throw new ContainerException("no user '" + u + "' in the image's /etc/passwd");
            if (!isId(pw[2])) throw new ContainerException("bad uid for user '" + u + "' in the image's /etc/passwd");
            uid = parseId(pw[2], user);
        }
        if (pw != null) {
            name = pw[0];
            if (isId(pw[3])) gid = parseId(pw[3], user);
        }
        if (g != null) {
            if (g.isEmpty()) throw new ContainerException("invalid user '" + user + "'");
            if (isId(g)) {
                gid = parseId(g, user);
            } else {
                String[] gr = null;
                for (String[] e : groups) if (e[0].equals(g)) { gr = e; break; }
                if (gr == null || !isId(gr[2])) throw new ContainerException("no group '" + g + "' in the image's /etc/group");
                gid = parseId(gr[2], user);
            }
        }
        List<Long> extra = new ArrayList<>();
        if (name != null && g == null) {
            extra.add(gid); // like initgroups(3): the primary group first, then the memberships
            for (String[] e : groups) {
                if (!isId(e[2])) continue;
                for (String member : e[3].split(",")) {
                    long id = parseId(e[2], user);
                    if (member.trim().equals(name) && !extra.contains(id)) extra.add(id);
                }
            }
        }
        return new Resolved(uid, gid, List.copyOf(extra), pw != null && pw[5].startsWith("/") ? pw[5] : "/");
    }

    private static boolean isId(String s) { return s.matches("[0-9]{1,10}"); }

    private static long parseId(String s, String user) {
        long v = Long.parseLong(s);
        if (v > 0xFFFFFFFEL) throw new ContainerException("user or group id out of range in '" + user + "'");
        return v;
    }

    private static List<String[]> entries(String text, int fields) {
        List<String[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split(":", -1);
            if (f.length < fields) {
                String[] padded = new String[fields];
                for (int i = 0; i < fields; i++) padded[i] = i < f.length ? f[i] : "";
                f = padded;
            }
            out.add(f);
        }
        return out;
    }
}
