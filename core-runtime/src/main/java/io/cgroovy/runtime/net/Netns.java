package io.cgroovy.runtime.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Network namespaces the engine owns: each is a file under {@code <root>/netns/} with the
 * namespace bind-mounted on it (as {@code ip netns} does under /run/netns), made before the
 * container starts (so CNI can set it up) and joined by the executor's {@code setns} step.
 */
public final class Netns {
    private Netns() {}

    interface C extends Library {
        C LIB = Native.load("c", C.class);
        int unshare(int flags) throws LastErrorException;
        int mount(String source, String target, String type, long flags, Pointer data) throws LastErrorException;
        int umount2(String target, int flags) throws LastErrorException;
    }

    private static final int CLONE_NEWNET = 0x40000000;
    private static final long MS_BIND = 4096;
    private static final int MNT_DETACH = 2;

    /**
     * Makes a new network namespace and pins it on {@code file}. The namespace is made by a
     * short-lived thread of its own (namespaces are per thread), so no other JVM thread moves.
     */
    public static void create(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file);
        } catch (IOException e) {
            throw new ContainerException("cannot create " + file + ": " + e.getMessage(), e);
        }
        try {
            NamespaceThread.run("cgroovy netns", () -> {
                try {
                    C.LIB.unshare(CLONE_NEWNET);
                } catch (LastErrorException e) {
                    throw new ContainerException("unshare(CLONE_NEWNET): " + strerror(e));
                }
                try {
                    C.LIB.mount("/proc/thread-self/ns/net", file.toString(), null, MS_BIND, null);
                } catch (LastErrorException e) {
                    throw new ContainerException("bind mount of the network namespace on " + file + ": " + strerror(e));
                }
            });
        } catch (ContainerException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // reported below
            }
            throw new ContainerException("cannot create a network namespace: " + e.getMessage());
        }
    }

    /** Unpins and deletes a namespace file; the namespace goes when its last process does. Quiet when already gone. */
    public static void remove(Path file) {
        if (!Files.exists(file)) return;
        try {
            C.LIB.umount2(file.toString(), MNT_DETACH);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != 22) { // EINVAL: not a mount point (a crash between create and mount)
                throw new ContainerException("cannot unmount network namespace " + file + ": " + strerror(e));
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new ContainerException("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code file} has a namespace mounted on it. */
    public static boolean mounted(Path file) {
        try {
            return "nsfs".equals(Files.getFileStore(file).type());
        } catch (IOException e) {
            return false;
        }
    }

    private static String strerror(LastErrorException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("] ");
        return i >= 0 ? m.substring(i + 2) : String.valueOf(m);
    }
}
