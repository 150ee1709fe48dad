package io.cgroovy.image;

import com.sun.jna.LastErrorException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Unpacks one layer blob into {@code layers/<chainID-hex>/}: into a temp dir beside it first,
 * renamed into place only when every entry was written and the diff_id matched, so a layer
 * dir that exists is complete and a failed unpack leaves nothing.
 *
 * <p>Kept: regular files, dirs, symlinks, hard links inside the layer, FIFOs, modes including
 * setuid/setgid/sticky (the runtime decides with no_new_privs what they may do), uid/gid, mtimes.
 * Dropped: character and block devices (the runtime makes /dev itself; a device node in an
 * image is a way to reach host hardware) and xattrs. Whiteouts become overlay form.
 */
final class LayerUnpacker {
    /** Default bound on a layer's uncompressed tar stream. */
    static final long DEFAULT_MAX_BYTES = 32L << 30;
    static final String OPAQUE = ".wh..wh..opq";
    static final String WHITEOUT = ".wh.";
    private static final int EPERM = 1;

    private final long maxBytes;

    LayerUnpacker(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Where a layer's bytes come from: the stored blob, or one still arriving ({@link GrowingBlob}). */
    interface Source {
        InputStream open() throws IOException;
    }

    /** Unpacks {@code blob} (digest {@code layer}) to {@code target} unless it is already there. */
    void unpack(Path blob, String layer, String diffId, Path target) {
        unpack(() -> Files.newInputStream(blob), layer, diffId, target);
    }

    /**
     * As above, from {@code source}: read to its end before the layer is put in place, so a
     * blob still arriving is whole and verified by then.
     */
    void unpack(Source source, String layer, String diffId, Path target) {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) return;
        Path tmp = target.resolveSibling(AtomicFiles.TMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.createDirectory(tmp);
            MessageDigest md = Digest.sha256();
            try (InputStream raw = source.open();
                 InputStream plain = Decompress.open(raw, layer);
                 InputStream bounded = new BoundedInputStream(new DigestInputStream(plain, md), maxBytes, "layer " + layer)) {
                TarEndPadding padded = new TarEndPadding(bounded);
                try (SmallFileWriter writer = new SmallFileWriter(layer)) { // closed (its thread gone) before tmp may be removed
                    new Run(tmp, layer, padded, writer).extract(new TarArchiveInputStream(padded, StandardCharsets.UTF_8.name()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException("layer " + layer + ": interrupted");
                }
                bounded.transferTo(OutputStream.nullOutputStream()); // the diff_id covers the tar's padding too
                raw.transferTo(OutputStream.nullOutputStream());     // the end of the blob: the download's verdict
            }
            String actual = Digest.of(md);
            if (!actual.equals(diffId)) {
                throw new ImageException("layer " + layer + ": diff_id mismatch (config says " + diffId + ", content is " + actual + ")");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDir(target.getParent());
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                AtomicFiles.deleteTree(tmp); // unpacked by someone else meanwhile: same content
            }
        } catch (IOException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw new ImageException("layer " + layer + ": cannot unpack: " + Json.firstLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteQuietly(tmp);
            throw e;
        }
    }

    /** One extraction: the per-layer state (dirs whose metadata is applied last). */
    private final class Run {
        private final Path dir;
        private final String layer;
        private final TarEndPadding padded;
        // dirs' modes and mtimes are applied after their children are written; a later entry for the same dir wins
        private final java.util.LinkedHashMap<Path, TarArchiveEntry> dirs = new java.util.LinkedHashMap<>();
        private long written;
        private boolean canChown = true;
        // one buffer per layer: a fresh 64 KiB per file costs more than copying a small file
        private final byte[] buf = new byte[64 * 1024];
        // dirs seen to be real directories in this extraction (see InRoot.parent)
        private final java.util.Set<Path> known = new java.util.HashSet<>();
        // every other path this extraction created: a second entry for one of them is done in order, after the writer drains
        private final java.util.Set<Path> seen = new java.util.HashSet<>();
        private final SmallFileWriter writer;

        Run(Path dir, String layer, TarEndPadding padded, SmallFileWriter writer) {
            this.dir = dir;
            this.layer = layer;
            this.padded = padded;
            this.writer = writer;
        }

        void extract(TarArchiveInputStream tar) throws IOException, InterruptedException {
            TarArchiveEntry rootEntry = null;
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = e.getName();
                List<String> comps = EntryNames.split(name, layer);
                if (comps.isEmpty()) {
                    if (e.isDirectory()) rootEntry = e;
                    continue;
                }
                String base = comps.get(comps.size() - 1);
                if (base.startsWith(WHITEOUT)) {
                    writer.drain();
                    whiteout(comps, base, name);
                    continue;
                }
                Path parent = InRoot.knownParent(dir, comps, known);
                if (parent == null) {
                    writer.drain(); // the walk may create or check dirs where queued files go
                    parent = InRoot.parent(dir, comps, name, layer, true, known);
                }
                Path p = parent.resolve(base);
                if (plainFile(e) && e.getSize() <= SmallFileWriter.MAX_FILE && !known.contains(p) && seen.add(p)) {
                    queueFile(p, e, tar);
                    continue;
                }
                writer.drain(); // anything else may touch what queued files touch: it happens after them, in the tar's order
                seen.add(p);
                if (e.isDirectory()) {
                    if (!known.contains(p)) {
                        try {
                            Files.createDirectory(p); // the common case: new; an lstat first would cost an exception
                        } catch (FileAlreadyExistsException x) {
                            BasicFileAttributes a = InRoot.lstat(p);
                            if (a == null || !a.isDirectory()) {
                                InRoot.clear(p, known);
                                Files.createDirectory(p);
                            }
                        }
                        known.add(p);
                    }
                    owner(p, e);
                    dirs.remove(p);
                    dirs.put(p, e);
                } else if (e.isSymbolicLink()) {
                    if (e.getLinkName().isEmpty()) throw new ImageException("layer " + layer + ": symlink '" + name + "' has no target");
                    InRoot.clear(p, known);
                    // the target is stored, never followed here: it is resolved later inside the container's root
                    Files.createSymbolicLink(p, linkTarget(e));
                    owner(p, e);
                    mtime(p, e);
                } else if (e.isLink()) {
                    hardLink(p, e);
                } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                    continue; // dropped on purpose (see the class comment); checked before isFile, which is true for them
                } else if (e.isFIFO()) {
                    InRoot.clear(p, known);
                    mknod(p, LibC.S_IFIFO | (e.getMode() & 0777), 0, name);
                    owner(p, e);
                    mtime(p, e);
                } else if (e.isFile()) {
                    writeFile(p, e, tar);
                }
            }
            writer.drain();
            List<Path> order = new ArrayList<>(dirs.keySet());
            for (int i = order.size() - 1; i >= 0; i--) {
                Path p = order.get(i);
                TarArchiveEntry e = dirs.get(p);
                BasicFileAttributes a = InRoot.lstat(p);
                if (a == null || !a.isDirectory()) continue; // replaced later (maybe by a symlink chmod would follow)
                mode(p, e.getMode());
                mtime(p, e);
            }
            if (rootEntry != null) {
                owner(dir, rootEntry);
                mode(dir, rootEntry.getMode());
                mtime(dir, rootEntry);
            } else {
                mode(dir, 0755);
            }
        }

        /** A regular file's entry (commons-compress's isFile() is true for devices and FIFOs too). */
        private static boolean plainFile(TarArchiveEntry e) {
            return e.isFile() && !e.isDirectory() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice()
                    && !e.isBlockDevice() && !e.isFIFO() && !e.isSparse();
        }

        /** A small new file: its data read here, written by the writer's thread. */
        private void queueFile(Path p, TarArchiveEntry e, TarArchiveInputStream tar) throws IOException, InterruptedException {
            int size = (int) e.getSize();
            byte[] data = new byte[size];
            int got = 0;
            for (int n; got < size && (n = tar.read(data, got, size - got)) > 0; ) got += n;
            written += got;
            if (written > maxBytes) {
                throw new ImageException("layer " + layer + ": expands to more than " + maxBytes + " bytes; refusing it (gzip bomb?)");
            }
            if (got < size || padded.paddedBefore()) throw new ImageException("layer " + layer + ": entry '" + e.getName() + "' is truncated");
            writer.submit(p.toString(), data, (int) e.getLongUserId(), (int) e.getLongGroupId(), e.getMode(), e.getModTime().getTime(), e.getName());
        }

        /**
         * A regular file through one fd: create (O_EXCL|O_NOFOLLOW: never through a link), data, owner, then mode
         * (chown clears setuid bits), then times. By path, Java and lchown/chmod/utimensat cost five lookups and a
         * second open per file; with tens of thousands of small files that was most of the unpack's system time.
         * What an earlier entry put at {@code p} is cleared only when the create finds it (rare).
         */
        private void writeFile(Path p, TarArchiveEntry e, TarArchiveInputStream tar) throws IOException {
            String path = p.toString();
            int flags = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
            int fd;
            try {
                fd = LibC.INSTANCE.open(path, flags, 0600);
            } catch (LastErrorException x) {
                if (x.getErrorCode() != LibC.EEXIST) throw fileError(e, "create", x);
                InRoot.clear(p, known);
                try {
                    fd = LibC.INSTANCE.open(path, flags, 0600);
                } catch (LastErrorException y) {
                    throw fileError(e, "create", y);
                }
            }
            boolean failed = false;
            try {
                for (int n; (n = tar.read(buf)) > 0; ) {
                    written += n;
                    if (written > maxBytes) {
                        throw new ImageException("layer " + layer + ": expands to more than " + maxBytes + " bytes; refusing it (gzip bomb?)");
                    }
                    writeAll(fd, n, e);
                }
                if (padded.paddedBefore()) throw new ImageException("layer " + layer + ": entry '" + e.getName() + "' is truncated");
                if (canChown) {
                    try {
                        LibC.INSTANCE.fchown(fd, (int) e.getLongUserId(), (int) e.getLongGroupId());
                    } catch (LastErrorException x) {
                        if (x.getErrorCode() != EPERM) throw fileError(e, "fchown", x);
                        canChown = false;
                    }
                }
                try {
                    LibC.INSTANCE.fchmod(fd, e.getMode() & 07777);
                    long ms = e.getModTime().getTime();
                    long sec = Math.floorDiv(ms, 1000L), nsec = Math.floorMod(ms, 1000L) * 1_000_000L;
                    LibC.INSTANCE.futimens(fd, new long[] {sec, nsec, sec, nsec});
                } catch (LastErrorException x) {
                    throw fileError(e, "fchmod/futimens", x);
                }
            } catch (IOException | RuntimeException x) {
                failed = true;
                throw x;
            } finally {
                try {
                    LibC.INSTANCE.close(fd);
                } catch (LastErrorException x) {
                    if (!failed) throw fileError(e, "close", x); // never hides the error before it
                }
            }
        }

        private void writeAll(int fd, int n, TarArchiveEntry e) {
            int off = 0;
            while (off < n) {
                byte[] chunk = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, n); // short writes are rare
                long w;
                try {
                    w = LibC.INSTANCE.write(fd, chunk, n - off);
                } catch (LastErrorException x) {
                    throw fileError(e, "write", x);
                }
                off += (int) w;
            }
        }

        private ImageException fileError(TarArchiveEntry e, String what, LastErrorException x) {
            return new ImageException("layer " + layer + ": entry '" + e.getName() + "': " + what + " failed (" + LibC.describe(x) + ")");
        }

        private Path linkTarget(TarArchiveEntry e) {
            try {
                return Path.of(e.getLinkName());
            } catch (java.nio.file.InvalidPathException x) {
                throw new ImageException("layer " + layer + ": symlink '" + e.getName() + "' has an invalid target");
            }
        }

        private void whiteout(List<String> comps, String base, String name) {
            Path parent = InRoot.parent(dir, comps, name, layer, true, known);
            if (base.equals(OPAQUE)) {
                byte[] y = {'y'};
                try {
                    LibC.INSTANCE.lsetxattr(parent.toString(), "trusted.overlay.opaque", y, y.length, 0);
                } catch (LastErrorException x) {
                    throw new ImageException("layer " + layer + ": opaque whiteout '" + name + "': setting trusted.overlay.opaque needs CAP_SYS_ADMIN (" + LibC.describe(x) + ")");
                }
                return;
            }
            if (base.startsWith(WHITEOUT + WHITEOUT)) return; // other AUFS metadata (.wh..wh.plnk) has no overlay meaning
            String victim = base.substring(WHITEOUT.length());
            if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
                throw new ImageException("layer " + layer + ": whiteout '" + name + "' would remove the layer's root or a parent");
            }
            Path p = parent.resolve(victim);
            InRoot.clear(p, known);
            mknod(p, LibC.S_IFCHR, 0, name); // overlayfs whiteout: a 0/0 character device
        }

        private void hardLink(Path p, TarArchiveEntry e) throws IOException {
            String target = e.getLinkName();
            List<String> comps;
            try {
                comps = EntryNames.split(target, layer);
            } catch (ImageException x) {
                throw new ImageException("layer " + layer + ": hard link '" + e.getName() + "' to '" + target + "' points outside the layer");
            }
            if (comps.isEmpty()) throw new ImageException("layer " + layer + ": hard link '" + e.getName() + "' to the layer root");
            Path source = InRoot.parent(dir, comps, e.getName(), layer, false, known).resolve(comps.get(comps.size() - 1));
            BasicFileAttributes a = InRoot.lstat(source);
            if (a == null) throw new ImageException("layer " + layer + ": hard link '" + e.getName() + "' to '" + target + "', which is not in the layer");
            if (a.isDirectory()) throw new ImageException("layer " + layer + ": hard link '" + e.getName() + "' to directory '" + target + "'");
            if (source.equals(p)) return;
            InRoot.clear(p, known);
            // link(2) on Linux does not follow a symlink source; no chmod/chown here: the inode is the source's
            Files.createLink(p, source);
        }

        private void mknod(Path p, int mode, long dev, String name) {
            try {
                LibC.mknodCompat(p.toString(), mode, dev);
            } catch (LastErrorException x) {
                throw new ImageException("layer " + layer + ": entry '" + name + "': mknod failed (" + LibC.describe(x) + ")");
            }
        }

        /**
         * Gives the entry its uid/gid. Without CAP_CHOWN (not root, or root without capabilities)
         * the files keep the caller's ids, as tar does for ordinary users; the first EPERM says so.
         */
        private void owner(Path p, TarArchiveEntry e) {
            if (!canChown) return;
            try {
                LibC.INSTANCE.lchown(p.toString(), (int) e.getLongUserId(), (int) e.getLongGroupId());
            } catch (LastErrorException x) {
                if (x.getErrorCode() == EPERM) {
                    canChown = false;
                    return;
                }
                throw new ImageException("layer " + layer + ": entry '" + e.getName() + "': lchown failed (" + LibC.describe(x) + ")");
            }
        }

        /** chmod after chown: chown clears setuid bits. Never called on a symlink (chmod would follow it). */
        private void mode(Path p, int mode) {
            try {
                LibC.INSTANCE.chmod(p.toString(), mode & 07777);
            } catch (LastErrorException x) {
                throw new ImageException("layer " + layer + ": chmod " + dir.relativize(p) + " failed (" + LibC.describe(x) + ")");
            }
        }

        private void mtime(Path p, TarArchiveEntry e) throws IOException {
            FileTime t = FileTime.from(e.getModTime().toInstant());
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(t, t, null);
        }
    }
}
