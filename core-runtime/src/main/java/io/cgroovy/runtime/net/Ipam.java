package io.cgroovy.runtime.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Address allocation in the CNI host-local plugin's own on-disk form, so either can read what the
 * other wrote: under {@code <dataDir>/<network>/} one file per address in use, named by the address
 * and holding {@code "<container id>\r\n<ifname>"}, {@code last_reserved_ip.0} for the round-robin
 * start, and {@code lock} taken with flock(2), as host-local takes it.
 */
final class Ipam {
    interface C extends Library {
        C LIB = Native.load("c", C.class);
        int open(String path, int flags, int mode) throws LastErrorException;
        int flock(int fd, int op) throws LastErrorException;
        int close(int fd);
    }

    private static final int O_RDWR = 2, O_CREAT = 0100, O_CLOEXEC = 0x80000, LOCK_EX = 2;
    private static final String LAST = "last_reserved_ip.0";

    private final Path dataDir;

    Ipam(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** The first and last address containers may get: the ip range (or the subnet) without network, broadcast and gateway ends. */
    static int[] range(NetworkRecord n) {
        Cidr s = n.cidr();
        Cidr r = n.ipRange != null ? Cidr.parse(n.ipRange, "ip range") : s;
        return new int[] {Math.max(r.network(), s.network() + 1), Math.min(r.broadcast(), s.broadcast() - 1)};
    }

    /** Reserves the next free address after the last one handed out (host-local's round robin). */
    int allocate(NetworkRecord n, String containerId, String ifname) {
        Path dir = dataDir.resolve(n.name);
        return locked(dir, () -> {
            int[] r = range(n);
            int gw = Cidr.parseAddress(n.gateway, "gateway");
            long size = (r[1] & 0xffffffffL) - (r[0] & 0xffffffffL) + 1;
            int start = r[0];
            String last = readQuietly(dir.resolve(LAST));
            if (last != null) {
                try {
                    int l = Cidr.parseAddress(last.trim(), "last reserved ip");
                    if (Integer.compareUnsigned(l, r[0]) >= 0 && Integer.compareUnsigned(l, r[1]) < 0) start = l + 1;
                } catch (ContainerException ignored) {
                    // a damaged hint: start at the beginning of the range
                }
            }
            for (long i = 0; i < size; i++) {
                int a = (int) (r[0] + (((start - r[0]) & 0xffffffffL) + i) % size);
                if (a == gw) continue;
                try {
                    Files.write(dir.resolve(Cidr.format(a)), (containerId + "\r\n" + ifname).getBytes(StandardCharsets.UTF_8),
                            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException taken) {
                    continue;
                } catch (IOException e) {
                    throw new ContainerException("network " + n.name + ": cannot reserve " + Cidr.format(a) + ": " + e.getMessage(), e);
                }
                write(dir.resolve(LAST), Cidr.format(a));
                return a;
            }
            throw new ContainerException("network " + n.name + ": no free address left in " + Cidr.format(r[0]) + "-" + Cidr.format(r[1]));
        });
    }

    /** Releases what a container holds on {@code ifname} of a network (nothing held is fine). */
    void release(String network, String containerId, String ifname) {
        Path dir = dataDir.resolve(network);
        if (!Files.isDirectory(dir)) return;
        String want = containerId + "\r\n" + ifname;
        locked(dir, () -> {
            for (Path f : addresses(dir)) {
                String s = readQuietly(f);
                if (s != null && s.trim().equals(want)) deleteQuietly(f);
            }
            return null;
        });
    }

    /** Every container id holding an address in this data dir, by network: what recovery compares with the live ones. */
    List<String[]> holders() {
        List<String[]> l = new ArrayList<>();
        if (!Files.isDirectory(dataDir)) return l;
        try (var nets = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path d : nets) {
                for (Path f : addresses(d)) {
                    String s = readQuietly(f);
                    if (s == null) continue;
                    String[] p = s.split("\r\n", 2);
                    l.add(new String[] {d.getFileName().toString(), p[0].trim(), p.length > 1 ? p[1].trim() : ""});
                }
            }
        } catch (IOException e) {
            throw new ContainerException("cannot read " + dataDir + ": " + e.getMessage(), e);
        }
        return l;
    }

    private static List<Path> addresses(Path dir) {
        List<Path> l = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
            ds.forEach(l::add);
        } catch (NoSuchFileException e) {
            return l;
        } catch (IOException e) {
            throw new ContainerException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        return l;
    }

    private static <T> T locked(Path dir, java.util.function.Supplier<T> body) {
        int fd;
        try {
            Files.createDirectories(dir);
            fd = C.LIB.open(dir.resolve("lock").toString(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        } catch (IOException e) {
            throw new ContainerException("cannot create " + dir + ": " + e.getMessage(), e);
        } catch (LastErrorException e) {
            throw new ContainerException("cannot open " + dir.resolve("lock") + ": " + Netlink.strerror(e));
        }
        try {
            C.LIB.flock(fd, LOCK_EX);
            return body.get();
        } catch (LastErrorException e) {
            throw new ContainerException("cannot lock " + dir.resolve("lock") + ": " + Netlink.strerror(e));
        } finally {
            C.LIB.close(fd);
        }
    }

    private static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return null;
        }
    }

    private static void write(Path f, String s) {
        try {
            Files.writeString(f, s);
        } catch (IOException e) {
            throw new ContainerException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new ContainerException("cannot remove " + f + ": " + e.getMessage(), e);
        }
    }
}
