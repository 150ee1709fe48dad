package io.cgroovy.runtime.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.cgroovy.runtime.ContainerException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A minimal rtnetlink client (NETLINK_ROUTE over JNA): the few link, address and route requests a
 * bridge network needs, each sent with NLM_F_ACK and its errno turned into an exception. A socket
 * works on the network namespace its thread was in when it was opened, so container-side work opens
 * one on a thread that has joined the container's namespace ({@link #inNamespace}).
 */
final class Netlink implements AutoCloseable {
    interface C extends Library {
        C LIB = Native.load("c", C.class);
        int socket(int domain, int type, int protocol) throws LastErrorException;
        long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;
        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;
        int close(int fd);
        int open(String path, int flags) throws LastErrorException;
        int setns(int fd, int nstype) throws LastErrorException;
        int if_nametoindex(String name);
    }

    static final int IFF_UP = 1;
    private static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, NETLINK_ROUTE = 0, AF_INET = 2;
    private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000;
    private static final short RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_NEWADDR = 20, RTM_NEWROUTE = 24, NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    private static final short IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
    private static final short IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    private static final short IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;
    private static final short RTA_OIF = 4, RTA_GATEWAY = 5;
    static final int EEXIST = 17, ENODEV = 19;

    private final int fd;
    private int seq;

    private Netlink() {
        try {
            fd = C.LIB.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (LastErrorException e) {
            throw new ContainerException("cannot open a netlink socket: " + strerror(e));
        }
    }

    /** A socket on the calling thread's network namespace. */
    static Netlink open() { return new Netlink(); }

    /** Runs {@code body} with a socket on the namespace pinned at {@code netnsFile}, from a short-lived thread of its own. */
    static void inNamespace(String netnsFile, java.util.function.Consumer<Netlink> body) {
        // the thread ends in the container's namespace: no other JVM thread ever is
        NamespaceThread.run("cgroovy netlink", () -> {
            int ns = openNs(netnsFile);
            try {
                C.LIB.setns(ns, CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new ContainerException("setns " + netnsFile + ": " + strerror(e));
            } finally {
                C.LIB.close(ns);
            }
            try (Netlink nl = new Netlink()) {
                body.accept(nl);
            }
        });
    }

    /** An O_RDONLY fd of a namespace file, for setns or IFLA_NET_NS_FD; the caller closes it. */
    static int openNs(String file) {
        try {
            return C.LIB.open(file, O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new ContainerException("cannot open network namespace " + file + ": " + strerror(e));
        }
    }

    static void closeFd(int fd) { C.LIB.close(fd); }

    /** The index of a link in this thread's namespace, 0 when there is none. */
    static int index(String name) { return C.LIB.if_nametoindex(name); }

    // ---------------------------------------------------------------- requests

    /** Makes a bridge, up. EEXIST is the caller's to judge. */
    void addBridge(String name, Integer mtu) {
        Msg m = new Msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).ifinfo(0, IFF_UP);
        m.str(IFLA_IFNAME, name);
        if (mtu != null) m.u32(IFLA_MTU, mtu);
        int li = m.begin(IFLA_LINKINFO);
        m.str(IFLA_INFO_KIND, "bridge");
        m.end(li);
        request(m, "create bridge " + name);
    }

    /**
     * Makes a veth pair: {@code host} in this namespace, up and enslaved to the bridge {@code master};
     * the peer named {@code peer} straight in the namespace {@code peerNsFd} with the MAC {@code peerMac},
     * down (set it up from that namespace).
     */
    void addVeth(String host, int master, Integer mtu, String peer, int peerNsFd, byte[] peerMac) {
        Msg m = new Msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).ifinfo(0, IFF_UP);
        m.str(IFLA_IFNAME, host);
        if (mtu != null) m.u32(IFLA_MTU, mtu);
        m.u32(IFLA_MASTER, master);
        int li = m.begin(IFLA_LINKINFO);
        m.str(IFLA_INFO_KIND, "veth");
        int data = m.begin(IFLA_INFO_DATA);
        int p = m.begin(VETH_INFO_PEER);
        m.ifinfoBody(0, 0); // not up yet: veth_open of the peer fails (ENOTCONN) before the pair is joined
        m.str(IFLA_IFNAME, peer);
        m.u32(IFLA_NET_NS_FD, peerNsFd);
        if (mtu != null) m.u32(IFLA_MTU, mtu);
        m.bytes(IFLA_ADDRESS, peerMac);
        m.end(p);
        m.end(data);
        m.end(li);
        request(m, "create veth pair " + host + "/" + peer);
    }

    /** Sets a link up. */
    void up(int index, String name) {
        request(new Msg(RTM_NEWLINK, 0).ifinfo(index, IFF_UP), "set " + name + " up");
    }

    /** Deletes a link (a veth takes its peer with it). ENODEV is the caller's to judge. */
    void delete(String name) {
        Msg m = new Msg(RTM_DELLINK, 0).ifinfo(0, 0);
        m.str(IFLA_IFNAME, name);
        request(m, "delete " + name);
    }

    /** Adds an IPv4 address with its prefix (the kernel adds the subnet's route). EEXIST is the caller's to judge. */
    void addAddress(int index, String name, int address, int prefix) {
        Msg m = new Msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        m.b.put((byte) AF_INET).put((byte) prefix).put((byte) 0).put((byte) 0).putInt(index);
        m.ip(IFA_LOCAL, address);
        m.ip(IFA_ADDRESS, address);
        if (prefix < 31) m.ip(IFA_BROADCAST, new Cidr(address, prefix).broadcast());
        request(m, "add address " + Cidr.format(address) + "/" + prefix + " to " + name);
    }

    /** Adds the default route via {@code gateway} on a link. */
    void addDefaultRoute(int index, String name, int gateway) {
        Msg m = new Msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
        // family, dst_len, src_len, tos, table main, protocol boot, scope universe, type unicast; flags
        m.b.put((byte) AF_INET).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 254).put((byte) 3).put((byte) 0).put((byte) 1).putInt(0);
        m.ip(RTA_GATEWAY, gateway);
        m.u32(RTA_OIF, index);
        request(m, "add default route via " + Cidr.format(gateway) + " on " + name);
    }

    private void request(Msg m, String what) {
        byte[] out = m.finish(++seq);
        try {
            C.LIB.send(fd, out, out.length, 0);
            byte[] in = new byte[8192];
            while (true) {
                int n = (int) C.LIB.recv(fd, in, in.length, 0);
                ByteBuffer r = ByteBuffer.wrap(in, 0, n).order(ByteOrder.nativeOrder());
                while (r.remaining() >= 16) {
                    int start = r.position();
                    int len = r.getInt();
                    short type = r.getShort();
                    r.getShort();
                    int s = r.getInt();
                    r.getInt();
                    if (type == NLMSG_ERROR && s == seq) {
                        int err = -r.getInt();
                        if (err != 0) throw new NetlinkException(what, err);
                        return;
                    }
                    r.position(start + Math.max(16, (len + 3) & ~3));
                }
            }
        } catch (LastErrorException e) {
            throw new ContainerException(what + ": netlink: " + strerror(e));
        }
    }

    @Override
    public void close() { C.LIB.close(fd); }

    /** A request refused by the kernel, with its errno. */
    static final class NetlinkException extends ContainerException {
        final int errno;

        NetlinkException(String what, int errno) {
            super(what + ": " + describe(errno));
            this.errno = errno;
        }
    }

    private static String describe(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted";
            case EEXIST -> "file exists";
            case ENODEV -> "no such device";
            case 22 -> "invalid argument";
            case 95 -> "operation not supported";
            case 101 -> "network is unreachable";
            case 107 -> "transport endpoint is not connected";
            default -> "errno " + errno;
        };
    }

    static String strerror(LastErrorException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("] ");
        return i >= 0 ? m.substring(i + 2) : String.valueOf(m);
    }

    /** One request being built: nlmsghdr, the family header, then attributes (nested ones by begin/end). */
    private static final class Msg {
        final ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());

        Msg(short type, int flags) {
            b.putInt(0).putShort(type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK | flags)).putInt(0).putInt(0);
        }

        Msg ifinfo(int index, int flags) {
            ifinfoBody(index, flags);
            return this;
        }

        void ifinfoBody(int index, int flags) {
            b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(flags);
        }

        void attr(short type, byte[] data) {
            b.putShort((short) (4 + data.length)).putShort(type).put(data);
            pad();
        }

        void str(short type, String s) {
            byte[] v = s.getBytes(StandardCharsets.US_ASCII);
            byte[] z = new byte[v.length + 1];
            System.arraycopy(v, 0, z, 0, v.length);
            attr(type, z);
        }

        void u32(short type, int v) { attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array()); }

        void bytes(short type, byte[] v) { attr(type, v); }

        /** An IPv4 address, network byte order. */
        void ip(short type, int a) { attr(type, ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(a).array()); }

        int begin(short type) {
            int at = b.position();
            b.putShort((short) 0).putShort(type);
            return at;
        }

        void end(int at) {
            b.putShort(at, (short) (b.position() - at));
            pad();
        }

        private void pad() {
            while ((b.position() & 3) != 0) b.put((byte) 0);
        }

        byte[] finish(int seq) {
            b.putInt(0, b.position());
            b.putInt(8, seq);
            byte[] out = new byte[b.position()];
            b.get(0, out);
            return out;
        }
    }
}
