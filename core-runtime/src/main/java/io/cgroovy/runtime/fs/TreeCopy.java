package io.cgroovy.runtime.fs;

import io.cgroovy.image.LayerTree;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies between the host and a container's (or a build step's) filesystem in overlay form:
 * out of the merged view of the layers, and into an upper directory with the copy-up overlayfs
 * would do (parents get the image's mode, owner and mtime; a whited-out name that is written
 * again loses its whiteout, and a directory written there is made opaque). Paths in the
 * container are resolved without following symlinks.
 */
public final class TreeCopy {
    private TreeCopy() {}

    /**
     * Copies {@code local} (file or directory, symlinks inside kept as symlinks) into the merged
     * tree of {@code upper} over {@code lowerTopFirst}, like {@code docker cp local c:dest}: into
     * {@code dest} when it is a directory, else as {@code dest}. Returns the container path written.
     *
     * @param uid owner of what is written (null: keep the host's)
     */
    public static String copyIn(Path local, Path upper, List<Path> lowerTopFirst, String dest, Integer uid, Integer gid) {
        if (!Files.exists(local)) throw new ContainerException("no such file or directory: " + local);
        List<Path> all = new ArrayList<>();
        all.add(upper);
        all.addAll(lowerTopFirst);
        LayerTree merged = new LayerTree(all);
        List<String> comps = components(dest);
        LayerTree.Node at = lookup(merged, dest);
        List<String> target = new ArrayList<>(comps);
        if (at != null && at.isDirectory()) {
            target.add(local.getFileName().toString());
        } else if (at != null && Files.isDirectory(local)) {
            throw new ContainerException("cannot copy directory " + local + " onto " + dest + ": not a directory in the container");
        } else if (at == null) {
            if (comps.isEmpty()) throw new ContainerException("cannot copy onto the container's root");
            LayerTree.Node parent = lookup(merged, "/" + String.join("/", comps.subList(0, comps.size() - 1)));
            if (parent == null || !parent.isDirectory()) {
                throw new ContainerException("cannot copy to " + dest + ": its parent directory does not exist in the container");
            }
        }
        try {
            Path dir = copyUpParents(merged, upper, target.subList(0, target.size() - 1));
            Path out = dir.resolve(target.get(target.size() - 1));
            write(local, out, uid, gid, true);
        } catch (IOException e) {
            throw new ContainerException("copy " + local + " to " + dest + ": " + e.getMessage(), e);
        }
        return "/" + String.join("/", target);
    }

    /**
     * Copies {@code src} of the merged tree to the host, like {@code docker cp c:src local}:
     * into {@code local} when it is an existing directory, else as {@code local}. Returns the host path written.
     */
    public static Path copyOut(List<Path> layersTopFirst, String src, Path local) {
        return copyOut(layersTopFirst, src, local, java.util.Set.of());
    }

    /** As {@link #copyOut(List, String, Path)}, leaving out the container paths {@code skip} below {@code src}. */
    public static Path copyOut(List<Path> layersTopFirst, String src, Path local, java.util.Set<String> skip) {
        LayerTree merged = new LayerTree(layersTopFirst);
        LayerTree.Node n = lookup(merged, src);
        if (n == null) throw new ContainerException("no such file or directory in the container: " + src);
        List<String> comps = components(src);
        Path out = Files.isDirectory(local) ? local.resolve(comps.isEmpty() ? "root" : comps.get(comps.size() - 1)) : local;
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            throw new ContainerException("cannot copy to " + local + ": " + out.getParent() + " is not a directory");
        }
        try {
            read(merged, n, out, skip);
        } catch (IOException e) {
            throw new ContainerException("copy " + src + " to " + local + ": " + e.getMessage(), e);
        }
        return out;
    }

    public static LayerTree.Node lookup(LayerTree t, String path) {
        try {
            return t.lookup(path);
        } catch (LayerTree.SymlinkInPath e) {
            throw new ContainerException(path + ": goes through a symlink in the container (" + e.getMessage() + ")");
        }
    }

    static List<String> components(String path) {
        try {
            return LayerTree.components(path);
        } catch (RuntimeException e) {
            throw new ContainerException(e.getMessage());
        }
    }

    /** Makes the directories {@code comps} exist in {@code upper}, copied up from the merged tree. */
    public static Path copyUpParents(LayerTree merged, Path upper, List<String> comps) throws IOException {
        Path cur = upper;
        StringBuilder at = new StringBuilder();
        for (String c : comps) {
            at.append('/').append(c);
            Path next = cur.resolve(c);
            PosixFileAttributes a = LayerTree.attrs(next);
            if (a != null && a.isDirectory()) {
                cur = next;
                continue;
            }
            if (a != null) throw new ContainerException(at + ": not a directory in the container");
            LayerTree.Node n = lookup(merged, at.toString());
            if (n == null || !n.isDirectory()) throw new ContainerException(at + ": no such directory in the container");
            Files.createDirectory(next);
            PosixFileAttributes src = n.attrs();
            LayerTree.chown(next, (Integer) Files.getAttribute(n.top(), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    (Integer) Files.getAttribute(n.top(), "unix:gid", LinkOption.NOFOLLOW_LINKS));
            LayerTree.chmod(next, (Integer) Files.getAttribute(n.top(), "unix:mode", LinkOption.NOFOLLOW_LINKS));
            Files.setLastModifiedTime(next, src.lastModifiedTime());
            cur = next;
        }
        return cur;
    }

    /** Writes host {@code src} at {@code out} in an upper dir (replacing a whiteout or an old file there). */
    public static void write(Path src, Path out, Integer uid, Integer gid, boolean follow) throws IOException {
        LinkOption[] lo = follow ? new LinkOption[0] : new LinkOption[]{LinkOption.NOFOLLOW_LINKS};
        PosixFileAttributes there = LayerTree.attrs(out);
        boolean wasWhiteout = there != null && there.isOther() && LayerTree.isWhiteout(out);
        if (Files.isSymbolicLink(src) && !follow) {
            clear(out, there);
            Files.createSymbolicLink(out, Files.readSymbolicLink(src));
            if (uid != null) LayerTree.chown(out, uid, gid);
        } else if (Files.isDirectory(src, lo)) {
            if (there != null && !there.isDirectory()) clear(out, there);
            if (there == null || !there.isDirectory()) {
                Files.createDirectory(out);
                if (wasWhiteout) LayerTree.setOpaque(out);
            }
            List<Path> kids = new ArrayList<>();
            try (var ds = Files.newDirectoryStream(src)) {
                for (Path p : ds) kids.add(p);
            }
            for (Path k : kids) write(k, out.resolve(k.getFileName().toString()), uid, gid, false);
            meta(src, out, uid, gid);
        } else if (Files.isRegularFile(src, lo)) {
            clear(out, there);
            try (InputStream in = Files.newInputStream(src)) {
                Files.copy(in, out);
            }
            meta(src, out, uid, gid);
        }
        // sockets, devices, fifos on the host are not copied
    }

    private static void meta(Path src, Path out, Integer uid, Integer gid) throws IOException {
        if (uid != null) LayerTree.chown(out, uid, gid);
        else LayerTree.chown(out, (Integer) Files.getAttribute(src, "unix:uid"), (Integer) Files.getAttribute(src, "unix:gid"));
        LayerTree.chmod(out, (Integer) Files.getAttribute(src, "unix:mode"));
        FileTime t = Files.getLastModifiedTime(src);
        Files.setLastModifiedTime(out, t);
    }

    private static void clear(Path out, PosixFileAttributes there) throws IOException {
        if (there == null) return;
        if (there.isDirectory()) io.cgroovy.runtime.Engine.removeTreeOnOneFs(out);
        else Files.delete(out);
    }

    /** Copies a node of the merged tree to the host. */
    private static void read(LayerTree t, LayerTree.Node n, Path out, java.util.Set<String> skip) throws IOException {
        if (n.isSymlink()) {
            Files.deleteIfExists(out);
            Files.createSymbolicLink(out, Files.readSymbolicLink(n.top()));
            return;
        }
        int mode = (Integer) Files.getAttribute(n.top(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (n.isDirectory()) {
            if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(out);
            for (LayerTree.Node c : t.children(n)) {
                if (skip.contains(c.path())) continue;
                read(t, c, out.resolve(c.path().substring(c.path().lastIndexOf('/') + 1)), skip);
            }
            LayerTree.chmod(out, mode);
            Files.setLastModifiedTime(out, n.attrs().lastModifiedTime());
        } else if (n.isFile()) {
            Files.copy(n.top(), out, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            LayerTree.chmod(out, mode);
            Files.setLastModifiedTime(out, n.attrs().lastModifiedTime());
        }
    }
}
