package io.cgroovy.runtime.volume;

import io.cgroovy.image.ImageException;
import io.cgroovy.image.LayerTree;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.Engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's volume pre-fill: an empty volume mounted where the image has a directory gets that
 * directory's contents, owner and mode copied in before the container starts (so that an image's
 * {@code /etc/nginx} or a database's data dir are there on first use). A volume with anything in
 * it is never touched. Owners, modes, mtimes and symlinks are copied as they are in the image.
 */
final class VolumeFill {
    /** Threads of this JVM; the file lock keeps other processes out. */
    private static final Object LOCAL = new Object();

    private VolumeFill() {}

    /**
     * Fills {@code data} (the {@code _data} dir of volume {@code name}) from {@code dest} of the
     * merged image layers when it is empty and the image has a directory there.
     */
    static void fromImage(String name, Path data, List<Path> layersLowestFirst, String dest) {
        if (layersLowestFirst == null || layersLowestFirst.isEmpty()) return;
        List<Path> top = new ArrayList<>(layersLowestFirst);
        java.util.Collections.reverse(top);
        LayerTree tree = new LayerTree(top);
        LayerTree.Node dir;
        try {
            dir = tree.lookup(dest);
        } catch (ImageException e) {
            return; // through a symlink in the image: the executor refuses the mount itself
        }
        if (dir == null || !dir.isDirectory()) return;
        synchronized (LOCAL) {
            try (FileChannel ch = FileChannel.open(data.resolveSibling(".fill.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 java.nio.channels.FileLock ignored = ch.lock()) {
                if (!isEmpty(data)) return;
                try {
                    for (LayerTree.Node c : tree.children(dir)) copy(tree, c, data.resolve(leaf(c)));
                    attributes(dir.top(), data);
                } catch (IOException | RuntimeException e) {
                    clear(data);
                    throw new ContainerException("volume " + name + ": cannot copy the image's " + dest + " into it: " + e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new ContainerException("volume " + name + ": cannot lock it: " + e.getMessage(), e);
            }
        }
    }

    private static String leaf(LayerTree.Node n) {
        return n.path().substring(n.path().lastIndexOf('/') + 1);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        }
    }

    private static void copy(LayerTree tree, LayerTree.Node n, Path out) throws IOException {
        if (n.isSymlink()) {
            Files.createSymbolicLink(out, Files.readSymbolicLink(n.top()));
            LayerTree.chown(out, uid(n.top()), gid(n.top()));
        } else if (n.isDirectory()) {
            Files.createDirectory(out);
            for (LayerTree.Node c : tree.children(n)) copy(tree, c, out.resolve(leaf(c)));
            attributes(n.top(), out);
        } else if (n.isFile()) {
            Files.copy(n.top(), out, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            attributes(n.top(), out);
        }
        // device nodes and fifos: layers hold none that a container could use (they are dropped on unpack)
    }

    /** Owner, mode (with setuid/setgid/sticky) and mtime of {@code src} on {@code out} (not a symlink). */
    private static void attributes(Path src, Path out) throws IOException {
        LayerTree.chown(out, uid(src), gid(src));
        LayerTree.chmod(out, (Integer) Files.getAttribute(src, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        Files.setLastModifiedTime(out, Files.getLastModifiedTime(src, LinkOption.NOFOLLOW_LINKS));
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** Leaves {@code dir} empty again after a failed fill. */
    private static void clear(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) Engine.removeTreeOnOneFs(p);
                else Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the error that made us clear is reported
        }
    }
}
