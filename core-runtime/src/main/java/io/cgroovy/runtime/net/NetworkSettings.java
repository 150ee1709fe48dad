package io.cgroovy.runtime.net;

import io.cgroovy.runtime.ContainerException;

/**
 * What a user asks for when creating a network ({@code docker network create}): an IPv4 subnet,
 * optional gateway (default: the first address), ip range containers get addresses from
 * (default: the whole subnet; without a subnet the store picks a free 10.89.x.0/24, as Podman does), MTU (default: the kernel's) and internal (no way out of the network).
 * {@link #validate()} checks it all in one place.
 */
public record NetworkSettings(String name, String subnet, String gateway, String ipRange, Integer mtu, boolean internal) {
    /** The name of the default network ({@code network bridge}), as Docker calls it. */
    public static final String DEFAULT = "bridge";

    public static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new ContainerException("invalid network name '" + name + "' (letters, digits, '_', '.', '-'; at most 64)");
        }
        if (name.equals("none") || name.equals("host")) throw new ContainerException("network name '" + name + "' is reserved");
    }

    /** The same settings on another subnet. */
    public NetworkSettings withSubnet(String s) { return new NetworkSettings(name, s, gateway, ipRange, mtu, internal); }

    /** Checks every field; returns the parsed subnet (null when none was given). */
    public Cidr validate() {
        checkName(name);
        if (subnet == null || subnet.isBlank()) {
            if (gateway != null || ipRange != null) throw new ContainerException("network " + name + ": a gateway or ip range needs a subnet");
            if (mtu != null && (mtu < 576 || mtu > 65535)) throw new ContainerException("invalid mtu " + mtu + " (576-65535)");
            return null; // the store picks a free one
        }
        Cidr s = Cidr.parse(subnet, "subnet");
        if (s.prefix() < 8 || s.prefix() > 29) throw new ContainerException("invalid subnet '" + subnet + "': prefix length must be 8-29");
        if (gateway != null) {
            int g = Cidr.parseAddress(gateway, "gateway");
            if (!s.contains(g) || g == s.network() || g == s.broadcast()) {
                throw new ContainerException("invalid gateway '" + gateway + "': not a host address of subnet " + s);
            }
        }
        if (ipRange != null) {
            Cidr r = Cidr.parse(ipRange, "ip range");
            if (!s.contains(r)) throw new ContainerException("invalid ip range '" + ipRange + "': not inside subnet " + s);
        }
        if (mtu != null && (mtu < 576 || mtu > 65535)) throw new ContainerException("invalid mtu " + mtu + " (576-65535)");
        return s;
    }

    /** The gateway address: the one given, or the subnet's first host address. */
    public String gatewayOrDefault() {
        return gateway != null ? gateway.trim() : Cidr.format(Cidr.parse(subnet, "subnet").network() + 1);
    }
}
