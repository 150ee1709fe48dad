package io.cgroovy.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls Java has no API for: device nodes, xattrs, lchown, chmod with setuid/sticky bits, fd-based file writes. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int S_IFCHR = 0020000;
    int S_IFIFO = 0010000;

    int mknod(String path, int mode, long dev) throws LastErrorException;

    /** glibc before 2.33 exports mknod only as this (version 0 = _MKNOD_VER on x86_64 and arm64). */
    int __xmknod(int ver, String path, int mode, com.sun.jna.ptr.LongByReference dev) throws LastErrorException;

    /** mknod that also works on glibc older than 2.33. */
    static void mknodCompat(String path, int mode, long dev) {
        try {
            INSTANCE.mknod(path, mode, dev);
        } catch (UnsatisfiedLinkError old) {
            INSTANCE.__xmknod(0, path, mode, new com.sun.jna.ptr.LongByReference(dev));
        }
    }

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    /** Reads an xattr without following a link; returns the value length. */
    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

    int lchown(String path, int uid, int gid) throws LastErrorException;

    int chmod(String path, int mode) throws LastErrorException;

    int geteuid();

    int O_WRONLY = 01, O_CREAT = 0100, O_EXCL = 0200, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;
    int EEXIST = 17;

    // a new file written through its fd: one path lookup for create, owner, mode and times (see LayerUnpacker)
    int open(String path, int flags, int mode) throws LastErrorException;

    long write(int fd, byte[] buf, long count) throws LastErrorException;

    int fchown(int fd, int uid, int gid) throws LastErrorException;

    int fchmod(int fd, int mode) throws LastErrorException;

    /** {@code times}: atime sec, nsec, mtime sec, nsec (two struct timespec). */
    int futimens(int fd, long[] times) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    /** strerror text of the errno JNA captured, for one-line messages. */
    static String describe(LastErrorException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("] ");
        return i >= 0 ? m.substring(i + 2) : String.valueOf(m);
    }
}
