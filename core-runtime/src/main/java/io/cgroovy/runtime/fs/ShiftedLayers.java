package io.cgroovy.runtime.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Copies of image layers whose owners are shifted into a user namespace's range (uid u becomes
 * hostId + u), for kernels or filesystems that refuse idmapped mounts: what Docker's userns-remap
 * keeps in its per-range storage. One copy per layer and range, made once under {@code cache}
 * ({@code <hostId>-<size>/<layer name>-<hash of its path>}), written to a temp dir and renamed, so
 * a half-made copy is never used. Modes (setuid bits too), times, hard links, device nodes
 * (overlay whiteouts) and xattrs (trusted.overlay.opaque) are kept.
 */
public final class ShiftedLayers {
    private ShiftedLayers() {}

    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int lchown(String path, int uid, int gid) throws LastErrorException;

        int chmod(String path, int mode) throws LastErrorException;

        int mknod(String path, int mode, long dev) throws LastErrorException;

        long llistxattr(String path, byte[] list, long size) throws LastErrorException;

        long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

        int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        /** times: {atime sec, nsec, mtime sec, nsec}; flags AT_SYMLINK_NOFOLLOW (Java's setTimes opens the file: not for devices). */
        int utimensat(int dirfd, String path, long[] times, int flags) throws LastErrorException;
    }

    /** The shifted copies of {@code layers} (lowest first, as given), made where missing. */
    public static List<Path> of(Path cache, List<Path> layers, long hostId, long size) {
        Path dir = cache.resolve(hostId + "-" + size);
        List<Path> out = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (Path layer : layers) {
                Path copy = dir.resolve(name(layer));
                if (!Files.isDirectory(copy)) {
                    Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
                    try {
                        copyTree(layer, tmp, hostId, size);
                        Files.writeString(dir.resolve(copy.getFileName() + ".source"), layer.toAbsolutePath().normalize().toString());
                        Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException | RuntimeException e) {
                        if (!Files.isDirectory(copy)) throw e;
                        // another engine made it meanwhile: use theirs
                    } finally {
                        removeTree(tmp);
                    }
                }
                out.add(copy);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot make a copy of the image layers for user namespace " + hostId + ":" + size + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Removes the copies whose layer is gone (an image removed) and that {@code inUse} does not name; returns how many. */
    public static int prune(Path cache, java.util.function.Predicate<Path> inUse) {
        int n = 0;
        if (!Files.isDirectory(cache)) return 0;
        try (var ranges = Files.newDirectoryStream(cache)) {
            for (Path range : ranges) {
                try (var files = Files.newDirectoryStream(range, "*.source")) {
                    for (Path src : files) {
                        if (Files.isDirectory(Path.of(Files.readString(src).trim()))) continue;
                        String name = src.getFileName().toString();
                        Path copy = range.resolve(name.substring(0, name.length() - ".source".length()));
                        if (inUse.test(copy)) continue;
                        removeTree(copy);
                        Files.deleteIfExists(src);
                        n++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    static String name(Path layer) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(layer.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return layer.getFileName() + "-" + HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to, long hostId, long size) throws IOException {
        Map<Object, Path> linked = new HashMap<>();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                Files.createDirectory(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Path dest = to.resolve(from.relativize(file).toString());
                Map<String, Object> u = Files.readAttributes(file, "unix:mode,ino,dev,nlink,rdev", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) u.get("mode");
                Object key = List.of(u.get("dev"), u.get("ino"));
                Path first = (Integer) u.get("nlink") > 1 && !a.isDirectory() ? linked.get(key) : null;
                if (first != null) {
                    Files.createLink(dest, first); // the same inode: already shifted
                    return FileVisitResult.CONTINUE;
                }
                if (a.isSymbolicLink()) {
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(file));
                } else if (a.isRegularFile()) {
                    Files.copy(file, dest);
                } else if ((mode & 0170000) == 0140000) {
                    return FileVisitResult.CONTINUE; // a socket means nothing in an image
                } else {
                    try {
                        C.LIB.mknod(dest.toString(), mode, (Long) u.get("rdev"));
                    } catch (LastErrorException e) {
                        throw new IOException("mknod " + dest + ": errno " + e.getErrorCode());
                    }
                }
                finish(file, dest, a, mode, hostId, size);
                if ((Integer) u.get("nlink") > 1) linked.put(key, dest);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) throw e;
                BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                finish(dir, to.resolve(from.relativize(dir).toString()), a, mode, hostId, size);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Owner shifted, then mode (chown clears setuid bits), xattrs, times. */
    private static void finish(Path src, Path dest, BasicFileAttributes a, int mode, long hostId, long size) throws IOException {
        int uid = (Integer) Files.getAttribute(src, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(src, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (Integer.toUnsignedLong(uid) >= size || Integer.toUnsignedLong(gid) >= size) {
            throw new ContainerException("layer file " + src + " is owned by " + Integer.toUnsignedLong(uid) + ":" + Integer.toUnsignedLong(gid)
                    + ", outside the user namespace (ids 0.." + (size - 1) + ")");
        }
        try {
            C.LIB.lchown(dest.toString(), (int) (hostId + Integer.toUnsignedLong(uid)), (int) (hostId + Integer.toUnsignedLong(gid)));
            if (!a.isSymbolicLink()) C.LIB.chmod(dest.toString(), mode & 07777);
            copyXattrs(src.toString(), dest.toString());
        } catch (LastErrorException e) {
            throw new IOException(dest + ": errno " + e.getErrorCode());
        }
        java.time.Instant at = a.lastAccessTime().toInstant(), mt = a.lastModifiedTime().toInstant();
        try {
            C.LIB.utimensat(-100, dest.toString(), new long[] {at.getEpochSecond(), at.getNano(), mt.getEpochSecond(), mt.getNano()}, 0x100);
        } catch (LastErrorException e) {
            throw new IOException(dest + ": utimensat errno " + e.getErrorCode());
        }
    }

    private static void copyXattrs(String src, String dest) {
        byte[] list = new byte[65536];
        long n;
        try {
            n = C.LIB.llistxattr(src, list, list.length);
        } catch (LastErrorException e) {
            return; // the filesystem has none
        }
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (list[i] != 0) continue;
            String name = new String(list, start, i - start, StandardCharsets.UTF_8);
            start = i + 1;
            byte[] value = new byte[65536];
            long len = C.LIB.lgetxattr(src, name, value, value.length);
            C.LIB.lsetxattr(dest, name, value, len, 0);
        }
    }

    private static void removeTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
