package io.cgroovy.runtime.build;

import io.cgroovy.image.LayerTree;
import io.cgroovy.runtime.ContainerException;
import io.cgroovy.runtime.fs.TreeCopy;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * COPY and ADD sources: picked from the build context (globs, .dockerignore), digested for the
 * build cache (names, types, modes, contents; not mtimes), and placed into a staged upper dir with
 * Docker's rules (a directory source copies its contents; a file goes into a destination that
 * ends in '/' or is a directory; ADD unpacks local tar archives, gzipped or not).
 */
final class ContextFiles {
    /** A selected source: the host path and its path relative to the context ("" for the context itself, null when not from it). */
    record Source(Path path, String rel) {}

    private ContextFiles() {}

    static List<Source> select(Path context, List<String> patterns, DockerIgnore ignore, String where) {
        if (context == null) throw new ContainerException(where + ": COPY needs a build context");
        Path ctx = context.toAbsolutePath().normalize();
        List<Source> out = new ArrayList<>();
        for (String pattern : patterns) {
            if (pattern.startsWith("http://") || pattern.startsWith("https://")) {
                throw new ContainerException(where + ": ADD from a URL is not supported (builds have no network): " + pattern);
            }
            String rel = Path.of("/" + pattern).normalize().toString().substring(1);
            if (rel.startsWith("..")) throw new ContainerException(where + ": " + pattern + " is outside the build context");
            List<Source> found = new ArrayList<>();
            if (rel.matches(".*[*?\\[].*")) {
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + rel);
                try (Stream<Path> all = Files.walk(ctx)) {
                    all.filter(p -> !p.equals(ctx)).forEach(p -> {
                        String r = ctx.relativize(p).toString();
                        if (m.matches(Path.of(r)) && !ignore.excluded(r)) found.add(new Source(p, r));
                    });
                } catch (IOException e) {
                    throw new ContainerException(where + ": cannot read the build context " + ctx + ": " + e.getMessage(), e);
                }
                found.sort((a, b) -> a.rel().compareTo(b.rel()));
            } else {
                Path p = rel.isEmpty() ? ctx : ctx.resolve(rel);
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && (rel.isEmpty() || !ignore.excluded(rel))) found.add(new Source(p, rel));
            }
            if (found.isEmpty()) {
                throw new ContainerException(where + ": file not found in build context or excluded by .dockerignore: " + pattern);
            }
            out.addAll(found);
        }
        return out;
    }

    /** A digest of what the sources hold (names, types, modes, contents), .dockerignore applied. */
    static String digest(Path context, List<String> patterns, DockerIgnore ignore, String where) {
        MessageDigest md = sha256();
        for (Source s : select(context, patterns, ignore, where)) {
            try {
                digestTree(md, s.path(), s.rel(), ignore, true);
            } catch (IOException e) {
                throw new ContainerException(where + ": cannot read " + s.path() + ": " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void digestTree(MessageDigest md, Path p, String rel, DockerIgnore ignore, boolean top) throws IOException {
        if (!top && !rel.isEmpty() && ignore.excluded(rel)) return;
        md.update(("\0" + rel + "\0").getBytes(StandardCharsets.UTF_8));
        if (Files.isSymbolicLink(p) && !top) {
            md.update(("L" + Files.readSymbolicLink(p)).getBytes(StandardCharsets.UTF_8));
        } else if (Files.isDirectory(p)) {
            md.update(("D" + mode(p)).getBytes(StandardCharsets.UTF_8));
            for (Path c : sortedChildren(p)) digestTree(md, c, rel.isEmpty() ? c.getFileName().toString() : rel + "/" + c.getFileName(), ignore, false);
        } else if (Files.isRegularFile(p)) {
            md.update(("F" + mode(p) + " " + Files.size(p) + " ").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
        }
    }

    /** Writes the sources into the staged upper dir at {@code dest}. */
    static void place(Builder b, Object state, Path upper, List<Source> sources, String dest, boolean destDir, boolean add,
                      int uid, int gid, DockerIgnore ignore) throws IOException {
        for (Source s : sources) {
            if (Files.isDirectory(s.path())) {
                Path dir = b.mkdirs(cast(state), upper, dest, uid, gid);
                for (Path c : sortedChildren(s.path())) {
                    String r = s.rel() == null ? null : s.rel().isEmpty() ? c.getFileName().toString() : s.rel() + "/" + c.getFileName();
                    copyFiltered(c, dir.resolve(c.getFileName().toString()), r, ignore, uid, gid);
                }
            } else if (add && isArchive(s.path())) {
                extract(s.path(), b.mkdirs(cast(state), upper, dest, uid, gid));
            } else if (destDir || dest.equals("/") || b.isDir(cast(state), upper, dest)) {
                Path dir = b.mkdirs(cast(state), upper, dest, uid, gid);
                TreeCopy.write(s.path(), dir.resolve(s.path().getFileName().toString()), uid, gid, true);
            } else {
                List<String> comps = LayerTree.components(dest);
                String parent = "/" + String.join("/", comps.subList(0, comps.size() - 1));
                Path dir = b.mkdirs(cast(state), upper, parent, uid, gid);
                TreeCopy.write(s.path(), dir.resolve(comps.get(comps.size() - 1)), uid, gid, true);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static void copyFiltered(Path src, Path out, String rel, DockerIgnore ignore, int uid, int gid) throws IOException {
        if (rel != null && !rel.isEmpty() && ignore.excluded(rel)) return;
        if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(out);
                Files.createDirectory(out);
            }
            for (Path c : sortedChildren(src)) {
                copyFiltered(c, out.resolve(c.getFileName().toString()), rel == null ? null : rel.isEmpty() ? c.getFileName().toString() : rel + "/" + c.getFileName(), ignore, uid, gid);
            }
            LayerTree.chown(out, uid, gid);
            LayerTree.chmod(out, mode(src));
            Files.setLastModifiedTime(out, Files.getLastModifiedTime(src));
        } else {
            TreeCopy.write(src, out, uid, gid, false);
        }
    }

    static boolean isArchive(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] h = in.readNBytes(263);
            if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) return true;
            return h.length >= 262 && new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        } catch (IOException e) {
            return false;
        }
    }

    /** Unpacks a (gzipped) tar into {@code dir}: names with ".." or through symlinks are refused. */
    static void extract(Path archive, Path dir) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            raw.mark(2);
            int a = raw.read(), b = raw.read();
            raw.reset();
            InputStream in = a == 0x1f && b == 0x8b ? new GzipCompressorInputStream(raw) : raw;
            TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name());
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                List<String> comps = new ArrayList<>();
                for (String c : e.getName().split("/")) {
                    if (c.isEmpty() || c.equals(".")) continue;
                    if (c.equals("..")) throw new ContainerException(archive.getFileName() + ": entry '" + e.getName() + "' leaves the destination");
                    comps.add(c);
                }
                if (comps.isEmpty()) continue;
                Path parent = dir;
                for (int i = 0; i < comps.size() - 1; i++) {
                    Path next = parent.resolve(comps.get(i));
                    var at = LayerTree.attrs(next);
                    if (at == null) {
                        Files.createDirectory(next);
                        LayerTree.chmod(next, 0755);
                    } else if (!at.isDirectory()) {
                        throw new ContainerException(archive.getFileName() + ": entry '" + e.getName() + "' goes through a non-directory");
                    }
                    parent = next;
                }
                Path p = parent.resolve(comps.get(comps.size() - 1));
                var there = LayerTree.attrs(p);
                if (there != null && !(there.isDirectory() && e.isDirectory())) {
                    if (there.isDirectory()) io.cgroovy.runtime.Engine.removeTreeOnOneFs(p);
                    else Files.delete(p);
                }
                if (e.isDirectory()) {
                    if (LayerTree.attrs(p) == null) Files.createDirectory(p);
                } else if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                    LayerTree.chown(p, (int) e.getLongUserId(), (int) e.getLongGroupId());
                    continue;
                } else if (e.isLink()) {
                    Path target = dir;
                    for (String c : e.getLinkName().split("/")) {
                        if (c.isEmpty() || c.equals(".")) continue;
                        if (c.equals("..")) throw new ContainerException(archive.getFileName() + ": hard link '" + e.getName() + "' leaves the destination");
                        target = target.resolve(c);
                        var ta = LayerTree.attrs(target);
                        if (ta != null && ta.isSymbolicLink()) throw new ContainerException(archive.getFileName() + ": hard link '" + e.getName() + "' goes through a symlink");
                    }
                    Files.createLink(p, target);
                    continue;
                } else if (e.isFile()) {
                    try (var out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        tar.transferTo(out);
                    }
                } else {
                    continue; // devices, fifos: not unpacked
                }
                LayerTree.chown(p, (int) e.getLongUserId(), (int) e.getLongGroupId());
                LayerTree.chmod(p, e.getMode());
                Files.setLastModifiedTime(p, FileTime.from(e.getModTime().toInstant()));
            }
        }
    }

    private static List<Path> sortedChildren(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        }
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
