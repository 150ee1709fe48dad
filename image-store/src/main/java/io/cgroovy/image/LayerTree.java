package io.cgroovy.image;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The merged view of layer directories in kernel overlay form (what the container sees),
 * read without mounting anything: a 0/0 character device whites out what is below, a directory
 * with {@code trusted.overlay.opaque=y} hides the directories below it, a non-directory hides
 * everything below. Paths are walked component by component; a symlink on the way is never
 * followed (lookups through one fail), so nothing outside the layers is ever reached.
 */
public final class LayerTree {
    private final List<Path> topFirst;

    /** @param topFirst layer directories, the uppermost (e.g. a container's upper dir) first */
    public LayerTree(List<Path> topFirst) {
        this.topFirst = List.copyOf(topFirst);
    }

    /** What is at a path of the merged tree. */
    public record Node(String path, Path top, PosixFileAttributes attrs, List<Path> dirs) {
        public boolean isDirectory() { return attrs.isDirectory(); }
        public boolean isSymlink() { return attrs.isSymbolicLink(); }
        public boolean isFile() { return attrs.isRegularFile(); }
    }

    /** Thrown when a path goes through a symlink. */
    public static final class SymlinkInPath extends ImageException {
        public SymlinkInPath(String message) { super(message); }
    }

    /** The node at an absolute path, or null when nothing is there (absent or whited out). */
    public Node lookup(String path) {
        List<String> comps = components(path);
        List<Path> dirs = new ArrayList<>(topFirst);
        PosixFileAttributes rootAttrs = null;
        for (Path d : dirs) {
            rootAttrs = attrs(d);
            if (rootAttrs != null) break;
        }
        if (rootAttrs == null) return null;
        Node cur = new Node("/", dirs.isEmpty() ? null : dirs.get(0), rootAttrs, dirs);
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < comps.size(); i++) {
            String c = comps.get(i);
            at.append('/').append(c);
            if (!cur.isDirectory()) {
                if (cur.isSymlink()) throw new SymlinkInPath(cur.path() + " is a symlink (not followed)");
                return null;
            }
            cur = child(cur, c, at.toString());
            if (cur == null) return null;
        }
        return cur;
    }

    /** The entry named {@code name} in directory node {@code dir}, or null. */
    public Node child(Node dir, String name, String path) {
        List<Path> below = new ArrayList<>();
        Path top = null;
        PosixFileAttributes topAttrs = null;
        for (Path d : dir.dirs()) {
            Path p = d.resolve(name);
            PosixFileAttributes a = attrs(p);
            if (a == null) continue;
            if (a.isOther() && isWhiteout(p)) break;
            if (top == null) {
                top = p;
                topAttrs = a;
            }
            if (!a.isDirectory()) break;
            if (!topAttrs.isDirectory()) break;
            below.add(p);
            if (isOpaque(p)) break;
        }
        if (top == null) return null;
        return new Node(path, top, topAttrs, topAttrs.isDirectory() ? below : List.of());
    }

    /** The merged children of a directory node, sorted by name. */
    public List<Node> children(Node dir) {
        TreeMap<String, Node> out = new TreeMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Path d : dir.dirs()) {
            try (var ds = Files.newDirectoryStream(d)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (!seen.add(n)) continue;
                    Node c = child(dir, n, (dir.path().equals("/") ? "" : dir.path()) + "/" + n);
                    if (c != null) out.put(n, c);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("list " + d, e);
            }
        }
        return new ArrayList<>(out.values());
    }

    /** Absolute container path → its non-empty components; "..", NUL refused. */
    public static List<String> components(String path) {
        if (path == null || !path.startsWith("/")) throw new ImageException("path '" + path + "' is not absolute");
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..") || c.indexOf('\0') >= 0) throw new ImageException("path '" + path + "' contains '..'");
            out.add(c);
        }
        return out;
    }

    /** lstat, or null when nothing is there. */
    public static PosixFileAttributes attrs(Path p) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("lstat " + p, e);
        }
    }

    /** An overlay whiteout at {@code p}: a character device 0/0. */
    public static boolean isWhiteout(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            Object rdev = Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & 0170000) == 0020000 && ((Long) rdev) == 0L;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the directory carries trusted.overlay.opaque=y. */
    public static boolean isOpaque(Path dir) {
        byte[] v = new byte[8];
        try {
            long n = LibC.INSTANCE.lgetxattr(dir.toString(), "trusted.overlay.opaque", v, v.length);
            return n == 1 && v[0] == 'y';
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Marks a directory opaque (needs CAP_SYS_ADMIN). */
    public static void setOpaque(Path dir) {
        byte[] y = {'y'};
        try {
            LibC.INSTANCE.lsetxattr(dir.toString(), "trusted.overlay.opaque", y, 1, 0);
        } catch (LastErrorException e) {
            throw new ImageException("cannot mark " + dir + " opaque: " + LibC.describe(e));
        }
    }

    /** Makes a whiteout (0/0 character device) at {@code p}. */
    public static void makeWhiteout(Path p) {
        try {
            LibC.mknodCompat(p.toString(), LibC.S_IFCHR, 0);
        } catch (LastErrorException e) {
            throw new ImageException("cannot make whiteout " + p + ": " + LibC.describe(e));
        }
    }

    /** lchown without following a link. */
    public static void chown(Path p, int uid, int gid) {
        try {
            LibC.INSTANCE.lchown(p.toString(), uid, gid);
        } catch (LastErrorException e) {
            throw new ImageException("cannot chown " + p + ": " + LibC.describe(e));
        }
    }

    /** chmod with setuid/setgid/sticky bits (never call on a symlink). */
    public static void chmod(Path p, int mode) {
        try {
            LibC.INSTANCE.chmod(p.toString(), mode & 07777);
        } catch (LastErrorException e) {
            throw new ImageException("cannot chmod " + p + ": " + LibC.describe(e));
        }
    }
}
