package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel side of a bridge network, done in-process over rtnetlink (what the CNI bridge plugin
 * does, without its two process execs): the bridge with the gateway address, and per container a
 * veth pair whose host end is a port of the bridge and whose other end is made straight inside
 * the container's namespace with its address and default route.
 */
final class Links {
    private Links() {}

    /** The host end of a container's veth on a network: "veth" + 11 hex digits, stable, so recovery can find it. */
    static String hostVeth(String containerId, String network) {
        return "veth" + Networks.hash(containerId + "/" + network).substring(0, 11);
    }

    /** Docker's MAC for an address (02:42 and the four bytes): a reused address keeps its MAC, so no neighbour cache goes stale. */
    static byte[] mac(int address) {
        return new byte[] {2, 0x42, (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    /** Makes the network's bridge if it is not there, with the gateway address, up; turns IPv4 forwarding on. */
    static void ensureBridge(Netlink nl, NetworkRecord n) {
        int index = Netlink.index(n.bridge);
        if (index == 0) {
            try {
                nl.addBridge(n.bridge, n.mtu);
            } catch (Netlink.NetlinkException e) {
                if (e.errno != Netlink.EEXIST) throw new ContainerException("network " + n.name + ": " + e.getMessage(), e);
            }
            index = Netlink.index(n.bridge);
            if (index == 0) throw new ContainerException("network " + n.name + ": bridge " + n.bridge + " vanished after it was made");
            sysctl("net/ipv4/ip_forward", "1");
        }
        Cidr s = n.cidr();
        try {
            nl.addAddress(index, n.bridge, Cidr.parseAddress(n.gateway, "gateway"), s.prefix());
        } catch (Netlink.NetlinkException e) {
            if (e.errno != Netlink.EEXIST) throw new ContainerException("network " + n.name + ": " + e.getMessage(), e);
        }
        nl.up(index, n.bridge);
    }

    /**
     * Puts a container on a network: a veth pair (the host end on the bridge, hairpin on, so a
     * container reaches its own published ports), and inside the namespace {@code ifname} with
     * {@code address}, and a default route via the gateway unless the network is internal.
     */
    static void attach(NetworkRecord n, String containerId, Path netns, String ifname, int address) {
        String host = hostVeth(containerId, n.name);
        try (Netlink nl = Netlink.open()) {
            ensureBridge(nl, n);
            int nsFd = Netlink.openNs(netns.toString());
            try {
                nl.addVeth(host, Netlink.index(n.bridge), n.mtu, ifname, nsFd, mac(address));
            } catch (Netlink.NetlinkException e) {
                if (e.errno != Netlink.EEXIST) throw e;
                // the pair of an earlier life of this id, whose namespace the kernel is still taking down
                delete(host);
                nl.addVeth(host, Netlink.index(n.bridge), n.mtu, ifname, nsFd, mac(address));
            } finally {
                Netlink.closeFd(nsFd);
            }
        } catch (ContainerException e) {
            throw e.getMessage().startsWith("network ") ? e : new ContainerException("network " + n.name + ": " + e.getMessage(), e);
        }
        try {
            sysctl("class/net/" + host + "/brport/hairpin_mode", "1");
            int prefix = n.cidr().prefix();
            Netlink.inNamespace(netns.toString(), nl -> {
                int index = Netlink.index(ifname);
                if (index == 0) throw new ContainerException(ifname + " is missing in the container's namespace");
                nl.addAddress(index, ifname, address, prefix);
                nl.up(index, ifname);
                if (n.internal) return;
                try {
                    nl.addDefaultRoute(index, ifname, Cidr.parseAddress(n.gateway, "gateway"));
                } catch (Netlink.NetlinkException e) {
                    // on a second network: the first network's gateway stays the way out, as with Docker
                    if (e.errno != Netlink.EEXIST) throw e;
                }
            });
        } catch (ContainerException e) {
            try {
                deleteVeth(containerId, n.name);
            } catch (ContainerException again) {
                e.addSuppressed(again);
            }
            throw new ContainerException("network " + n.name + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a container's veth pair on a network (both ends); one already gone is fine. */
    static void deleteVeth(String containerId, String network) {
        delete(hostVeth(containerId, network));
    }

    /** Deletes the network's bridge; one already gone is fine. */
    static void deleteBridge(NetworkRecord n) {
        delete(n.bridge);
    }

    private static void delete(String link) {
        if (Netlink.index(link) == 0) return;
        try (Netlink nl = Netlink.open()) {
            nl.delete(link);
        } catch (Netlink.NetlinkException e) {
            if (e.errno != Netlink.ENODEV) throw e;
        }
    }

    /** Writes a value under /proc/sys or /sys ("class/..." is under /sys), unless it is already so. */
    static void sysctl(String key, String value) {
        Path f = key.startsWith("class/") ? Path.of("/sys").resolve(key) : Path.of("/proc/sys").resolve(key);
        try {
            if (Files.readString(f).trim().equals(value)) return;
            Files.writeString(f, value);
        } catch (IOException e) {
            throw new ContainerException("cannot set " + f + " to " + value + ": " + e.getMessage(), e);
        }
    }
}
