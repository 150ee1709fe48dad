package io.cgroovy.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes a directory in kernel overlay form (a container's upper dir, or a staged build step)
 * as a layer tar: whiteout devices become {@code .wh.NAME} entries and opaque directories get a
 * {@code .wh..wh..opq} entry. The tar is deterministic: entries depth-first in byte order of
 * their names, numeric owners only (no user/group names), no access/change times, mtimes in
 * whole seconds and, with a clamp (SOURCE_DATE_EPOCH, as buildkit's rewrite-timestamp does),
 * no later than the clamp. Hard links inside the directory stay hard links. Device nodes other
 * than whiteouts are left out (the runtime makes /dev itself).
 */
public final class LayerWriter {
    private final Predicate<String> include;
    private final Long clampSeconds;
    private final Map<String, String> links = new HashMap<>();

    private LayerWriter(Predicate<String> include, Long clampSeconds) {
        this.include = include;
        this.clampSeconds = clampSeconds;
    }

    /**
     * Writes {@code dir} as a tar to {@code out}; returns its digest (the layer's diff_id).
     *
     * @param include      container paths ("/a/b") to put in the layer; a directory left out is left out whole
     * @param clampSeconds latest mtime written (seconds since the epoch), or null to keep every mtime
     */
    public static String write(Path dir, Predicate<String> include, Long clampSeconds, Path out) {
        return write(dir, include, clampSeconds, out, id -> id);
    }

    /**
     * As above, with each owner (uid and gid) on disk passed through {@code ids}: the upper dir of a
     * container with a user namespace holds host ids (100000 for its root), the layer the container's own.
     */
    public static String write(Path dir, Predicate<String> include, Long clampSeconds, Path out, java.util.function.IntUnaryOperator ids) {
        MessageDigest md = Digest.sha256();
        try (OutputStream file = Files.newOutputStream(out);
             DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), md);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(digest, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            LayerWriter w = new LayerWriter(include == null ? p -> true : include, clampSeconds);
            w.ids = ids;
            w.walk(tar, dir, "");
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("write layer of " + dir, e);
        }
        return Digest.of(md);
    }

    private void walk(TarArchiveOutputStream tar, Path dir, String rel) throws IOException {
        List<String> names = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) names.add(p.getFileName().toString());
        }
        names.sort(LayerWriter::byBytes);
        for (String n : names) {
            Path p = dir.resolve(n);
            String name = rel + n;
            if (!include.test("/" + name)) continue;
            PosixFileAttributes a = LayerTree.attrs(p);
            if (a == null) continue;
            long mtime = mtime(a);
            if (a.isOther() && LayerTree.isWhiteout(p)) {
                TarArchiveEntry e = entry(rel + LayerUnpacker.WHITEOUT + n, TarArchiveEntry.LF_NORMAL, 0, 0, 0, mtime);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (a.isDirectory()) {
                tar.putArchiveEntry(entry(name + "/", TarArchiveEntry.LF_DIR, mode(p), uid(p), gid(p), mtime));
                tar.closeArchiveEntry();
                if (LayerTree.isOpaque(p)) {
                    tar.putArchiveEntry(entry(name + "/" + LayerUnpacker.OPAQUE, TarArchiveEntry.LF_NORMAL, 0, 0, 0, mtime));
                    tar.closeArchiveEntry();
                }
                walk(tar, p, name + "/");
            } else if (a.isSymbolicLink()) {
                TarArchiveEntry e = entry(name, TarArchiveEntry.LF_SYMLINK, 0777, uid(p), gid(p), mtime);
                e.setLinkName(Files.readSymbolicLink(p).toString());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else if (a.isRegularFile()) {
                int nlink = (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                String key = nlink > 1 ? a.fileKey().toString() : null;
                if (key != null && links.containsKey(key)) {
                    TarArchiveEntry e = entry(name, TarArchiveEntry.LF_LINK, mode(p), uid(p), gid(p), mtime);
                    e.setLinkName(links.get(key));
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                    continue;
                }
                if (key != null) links.put(key, name);
                TarArchiveEntry e = entry(name, TarArchiveEntry.LF_NORMAL, mode(p), uid(p), gid(p), mtime);
                e.setSize(a.size());
                tar.putArchiveEntry(e);
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(tar);
                }
                tar.closeArchiveEntry();
            } else if (a.isOther() && (mode(p) & 0170000) == 0010000) {
                tar.putArchiveEntry(entry(name, TarArchiveEntry.LF_FIFO, mode(p), uid(p), gid(p), mtime));
                tar.closeArchiveEntry();
            }
            // other device nodes and sockets: left out on purpose (see the class comment)
        }
    }

    private TarArchiveEntry entry(String name, byte type, int mode, int uid, int gid, long mtimeSeconds) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(mode & 07777);
        e.setIds(uid, gid);
        e.setUserName("");
        e.setGroupName("");
        e.setModTime(mtimeSeconds * 1000L);
        return e;
    }

    private long mtime(PosixFileAttributes a) {
        long s = Math.floorDiv(a.lastModifiedTime().toMillis(), 1000L);
        if (clampSeconds != null && s > clampSeconds) s = clampSeconds;
        return Math.max(0, s);
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private java.util.function.IntUnaryOperator ids = id -> id;

    private int uid(Path p) throws IOException {
        return ids.applyAsInt((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    private int gid(Path p) throws IOException {
        return ids.applyAsInt((Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    private static int byBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
