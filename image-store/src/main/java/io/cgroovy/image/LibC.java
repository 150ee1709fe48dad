package io.cgroovy.image;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls Java has no API for: device nodes, xattrs, lchown, chmod with setuid/sticky bits. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int S_IFCHR = 0020000;
    int S_IFIFO = 0010000;

    int mknod(String path, int mode, long dev) throws LastErrorException;

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    /** Reads an xattr without following a link; returns the value length. */
    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

    int lchown(String path, int uid, int gid) throws LastErrorException;

    int chmod(String path, int mode) throws LastErrorException;

    int geteuid();

    /** strerror text of the errno JNA captured, for one-line messages. */
    static String describe(LastErrorException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("] ");
        return i >= 0 ? m.substring(i + 2) : String.valueOf(m);
    }
}
