package io.cgroovy.runtime.fs;

import io.cgroovy.image.ImageException;
import io.cgroovy.image.LayerTree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a container changed, read from its upper directory against the image's layers. Left out,
 * as Docker leaves out its "init layer": mount points the runtime made for the container
 * (an empty /etc/hostname to bind over, /proc in an image without one, a volume's directory) and
 * directories that are only copies-up of the image's (same mode and owner, nothing changed inside).
 */
public final class UpperChanges {
    private final Path upper;
    private final LayerTree lower;
    private final Set<String> mountPoints;
    private final List<Change> changes = new ArrayList<>();
    private final Set<String> skipped = new HashSet<>();

    private UpperChanges(Path upper, List<Path> lowerTopFirst, Collection<String> mountPoints) {
        this.upper = upper;
        this.lower = new LayerTree(lowerTopFirst);
        this.mountPoints = new HashSet<>(mountPoints);
    }

    /** Reads the changes of {@code upper} over the image layers {@code lowerTopFirst}. */
    public static UpperChanges of(Path upper, List<Path> lowerTopFirst, Collection<String> mountPoints) {
        UpperChanges c = new UpperChanges(upper, lowerTopFirst, mountPoints);
        try {
            c.walk(upper, "");
        } catch (IOException e) {
            throw new UncheckedIOException("read changes in " + upper, e);
        }
        c.changes.sort((a, b) -> a.path().compareTo(b.path()));
        return c;
    }

    /** Sorted by path. */
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    /** True when the path (of the upper dir) belongs in a layer made of the container. */
    public boolean included(String path) {
        return !skipped.contains(path);
    }

    /** Walks a directory of the upper dir; true when anything in it was kept. */
    private boolean walk(Path dir, String rel) throws IOException {
        List<Path> children = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) children.add(p);
        }
        boolean any = false;
        for (Path p : children) {
            String path = rel + "/" + p.getFileName();
            PosixFileAttributes a = LayerTree.attrs(p);
            if (a == null) continue;
            if (a.isOther() && LayerTree.isWhiteout(p)) {
                changes.add(new Change(Change.Kind.D, path));
                any = true;
                continue;
            }
            LayerTree.Node below = lowerNode(path);
            if (a.isDirectory()) {
                boolean inside = walk(p, path);
                boolean opaque = LayerTree.isOpaque(p);
                if (!inside && !opaque) {
                    boolean mountOnly = below == null && (mountPoints.contains(path) || holdsMountPoint(path));
                    boolean copyUp = below != null && below.isDirectory() && sameOwnerAndMode(p, below.top());
                    if (mountOnly || copyUp) {
                        skipped.add(path);
                        continue;
                    }
                }
                changes.add(new Change(below == null ? Change.Kind.A : Change.Kind.C, path));
                any = true;
            } else {
                if (below == null && mountPoints.contains(path) && a.isRegularFile() && a.size() == 0) {
                    skipped.add(path);
                    continue;
                }
                changes.add(new Change(below == null ? Change.Kind.A : Change.Kind.C, path));
                any = true;
            }
        }
        return any;
    }

    private boolean holdsMountPoint(String dir) {
        for (String m : mountPoints) if (m.startsWith(dir + "/")) return true;
        return false;
    }

    private LayerTree.Node lowerNode(String path) {
        try {
            return lower.lookup(path);
        } catch (ImageException e) {
            return null; // through a symlink in the image: not the same path
        }
    }

    private static boolean sameOwnerAndMode(Path a, Path b) throws IOException {
        for (String attr : List.of("unix:mode", "unix:uid", "unix:gid")) {
            if (!Files.getAttribute(a, attr, LinkOption.NOFOLLOW_LINKS).equals(Files.getAttribute(b, attr, LinkOption.NOFOLLOW_LINKS))) return false;
        }
        return true;
    }
}
